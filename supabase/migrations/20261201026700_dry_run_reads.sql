-- The workflows dry run's reads (issue 13, point 7: every page's database work p95 <
-- 150 ms at 1,000 tenants / 2M alerts).
--
-- Assets by id alone. Why: the workflows page's dry run looks up the asset of each of up to 5,000
-- alerts by (tenant_id, id). Through RLS the planner cannot know how many ids
-- the policy's array holds, prices every index that starts with tenant_id
-- alike, and took assets_tenant_external (or the hostname key) with the id as
-- a filter: about 650-1,100 assets read per alert, 1.4 s of the page's 1.8 s
-- for the customer with the most alerts in `npm run bench -- --only=pages`.
-- With an index on id alone the lookup reads one entry (2 us a row, measured
-- through RLS on the scale seed). Not unique: ids are random UUIDs, but an
-- archive restore may bring a tenant's assets back under their old ids, and
-- only (tenant_id, id) is the key. alerts_id (20261201024510) is the same
-- index on alerts.
create index assets_id on public.assets (id);

-- The newest `lim` alerts of `tenant_ids` detected in [since, until], walking
-- the time index (alerts_detected) and stopping there: the dry run's read when
-- its subtree is most of what the caller sees (the MSSP's own host: 560,000
-- alerts in 7 days at 2M). Through RLS the planner cannot size the policy's
-- tenant array, believes the tenants' rows are few, and reads them all from a
-- tenant index (a bitmap, or an index scan) and sorts them: 4.2 s there,
-- against 61 ms for this walk (5,001 rows) measured on the scale seed. The two
-- settings, scoped to this function's call, leave the walk as its only plan.
-- Security invoker: the caller's RLS applies as to any read.
create function workflows.newest_alerts(tenant_ids uuid[], since timestamptz, until timestamptz, lim integer)
  returns table (tenant_id uuid, id uuid, title text, severity text, source text, hostname text, rule_name text,
                 detected_at timestamptz, asset_id uuid)
  language plpgsql stable
  set search_path = ''
  set enable_bitmapscan = off
  set enable_sort = off
  as $$
  begin
    -- PL/pgSQL plans this with the call's values as constants (custom plans), so the
    -- tenant filter is a hashed lookup rather than a walk of the array per row.
    return query
      select a.tenant_id, a.id, a.title, a.severity, a.source, a.hostname, a.rule_name, a.detected_at, a.asset_id
        from public.alerts a
       where a.tenant_id = any (tenant_ids) and a.detected_at >= since and a.detected_at <= until
       order by a.detected_at desc, a.id desc
       limit lim;
  end
  $$;
revoke all on function workflows.newest_alerts(uuid[], timestamptz, timestamptz, integer) from public;
grant execute on function workflows.newest_alerts(uuid[], timestamptz, timestamptz, integer) to authenticated, service_role;

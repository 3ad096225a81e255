-- Alert rollups per subtree (issue 13, point 7; lib/analytics/cover.ts,
-- docs/console.md "How the figures are served").
--
-- Why: the console dashboard sums every tenant's daily rollup rows per
-- request. At 1,000 customers and 2M alerts that is ~700,000 rows for a
-- 90-day series: 350 ms as the owner, 690 ms through RLS (npm run bench,
-- scenario 8). This table holds the same sums per subtree root, so the MSSP's
-- whole series is ~450 rows (days × severities) whatever the number of
-- customers.
--
-- public.alert_subtree_rollups (tenant_id, day, severity): the sums of
-- public.alert_daily_rollups over the tenant and every tenant below it in
-- today's tree, same columns and definitions. A tenant's row includes its
-- own. Rows whose counts are all 0 are deleted, as in the daily table.
--
-- Kept exact by triggers, whoever writes the daily rows (the alert triggers
-- of 20261201016000, an archive restore):
--   * statement triggers on public.alert_daily_rollups add the difference to
--     every ancestor of the row's tenant (itself included);
--   * a subtree move or a slug change (public.tenants.path) recomputes the
--     roots whose subtree changed: for each moved tenant, the ancestors it
--     left and those it joined (not the common ones, whose sums do not
--     change); nested path updates of the descendants recompute as they go,
--     and the outermost statement's trigger runs last, on the final tree;
--   * deleting a tenant (a leaf: parent_id is on delete restrict) takes its
--     daily rows out of its ancestors first (a BEFORE trigger named to run
--     after every other BEFORE trigger, so nothing cancels the row after it).
-- Restores: a tenant being restored (keyring.restoring) gets its own rows
-- from the archive as they are, like the daily rows; its ancestors outside
-- the restore get the difference.
--
-- Reading it: RLS is the daily table's (members of the tenant or an
-- ancestor). Visibility is closed under descent (tenancy.visible_tenant_ids:
-- whoever sees a tenant sees every tenant below it), so a subtree row shows
-- nothing its daily rows would not. The app reads a root's row only when it
-- may read every tenant of that subtree (lib/analytics/cover.ts); otherwise
-- it sums the daily rows of the tenants it may read.

create table public.alert_subtree_rollups (
  tenant_id         uuid not null references public.tenants (id) on delete cascade,
  day               date not null,
  severity          text not null check (severity in ('critical', 'high', 'medium', 'low', 'info')),
  created           integer not null default 0,
  acknowledged      integer not null default 0,
  tta_ms_sum        bigint not null default 0,
  closed            integer not null default 0,
  false_positives   integer not null default 0,
  ttr_count         integer not null default 0,
  ttr_ms_sum        bigint not null default 0,
  ack_breaches      integer not null default 0,
  resolve_breaches  integer not null default 0,
  primary key (tenant_id, day, severity)
);
comment on table public.alert_subtree_rollups is
  'public.alert_daily_rollups summed over each tenant''s subtree (itself included), kept exact by triggers (migration 20261201024000, docs/console.md).';

alter table public.alert_subtree_rollups enable row level security;
alter table public.alert_subtree_rollups force row level security;
create policy "Subtree rollups are visible to members of the tenant or an ancestor"
  on public.alert_subtree_rollups for select to authenticated
  using (tenant_id = any (array(select tenancy.visible_tenant_ids())));
select tenancy.add_frozen_write_policies('public.alert_subtree_rollups', 'tenant_id');
select tenancy.add_tenant_id_guard('public.alert_subtree_rollups');
revoke all on table public.alert_subtree_rollups from public, anon, authenticated, service_role, portal_app;
grant select on public.alert_subtree_rollups to authenticated;
grant select, insert, update, delete on public.alert_subtree_rollups to service_role;

-- The statement that adds signed daily rows to every ancestor's subtree row:
-- `src` is a relation with s (1 added, -1 taken away), tenant_id, day,
-- severity and the nine counts. Tenants gone (a cascade) are left alone (the
-- BEFORE DELETE trigger below already took them out); a root being restored
-- gets its rows from the archive. One grouped upsert in key order.
create function analytics.subtree_delta_sql(src text) returns text
  language sql immutable
  set search_path = ''
  as $f$
    select format($q$
      with f as (select * from %s as src),
      ts as (select distinct f.tenant_id from f),
      anc as (
        select ts.tenant_id, a.id as root_id
          from ts
          join public.tenants t on t.id = ts.tenant_id
          join public.tenants a on a.path operator(extensions.@>) t.path
         where not (exists (select 1 from keyring.restore_grants) and keyring.restoring(a.id))
      ),
      d as (
        select anc.root_id, f.day, f.severity,
               sum(f.s * f.created)::int as created, sum(f.s * f.acknowledged)::int as acknowledged,
               sum(f.s * f.tta_ms_sum)::bigint as tta, sum(f.s * f.closed)::int as closed,
               sum(f.s * f.false_positives)::int as fp, sum(f.s * f.ttr_count)::int as ttr_n,
               sum(f.s * f.ttr_ms_sum)::bigint as ttr, sum(f.s * f.ack_breaches)::int as ack_b,
               sum(f.s * f.resolve_breaches)::int as res_b
          from f join anc on anc.tenant_id = f.tenant_id
         group by 1, 2, 3
      )
      insert into public.alert_subtree_rollups as x
        (tenant_id, day, severity, created, acknowledged, tta_ms_sum, closed, false_positives, ttr_count, ttr_ms_sum, ack_breaches, resolve_breaches)
      select * from d
       where (created, acknowledged, tta, closed, fp, ttr_n, ttr, ack_b, res_b) <> (0, 0, 0, 0, 0, 0, 0, 0, 0)
       order by 1, 2, 3
      on conflict (tenant_id, day, severity) do update set
        created = x.created + excluded.created,
        acknowledged = x.acknowledged + excluded.acknowledged,
        tta_ms_sum = x.tta_ms_sum + excluded.tta_ms_sum,
        closed = x.closed + excluded.closed,
        false_positives = x.false_positives + excluded.false_positives,
        ttr_count = x.ttr_count + excluded.ttr_count,
        ttr_ms_sum = x.ttr_ms_sum + excluded.ttr_ms_sum,
        ack_breaches = x.ack_breaches + excluded.ack_breaches,
        resolve_breaches = x.resolve_breaches + excluded.resolve_breaches
    $q$, src)
  $f$;

-- After a change that took something away: drop the subtree rows it brought to zero.
create function analytics.subtree_prune_sql(src text) returns text
  language sql immutable
  set search_path = ''
  as $f$
    select format($q$
      with k as (
        select distinct a.id as root_id, f.day, f.severity
          from (select * from %s as src) f
          join public.tenants t on t.id = f.tenant_id
          join public.tenants a on a.path operator(extensions.@>) t.path
      )
      delete from public.alert_subtree_rollups x using k
       where x.tenant_id = k.root_id and x.day = k.day and x.severity = k.severity
         and (x.created, x.acknowledged, x.tta_ms_sum, x.closed, x.false_positives, x.ttr_count, x.ttr_ms_sum, x.ack_breaches, x.resolve_breaches)
             = (0, 0, 0, 0, 0, 0, 0, 0, 0)
    $q$, src)
  $f$;

-- Recompute the given roots' rows from the daily rows and today's tree.
create function analytics.recompute_subtree_rollups(roots uuid[]) returns void
  language plpgsql security definer
  set search_path = ''
  as $$
begin
  roots := array(select r from unnest(roots) r
                  where not (exists (select 1 from keyring.restore_grants) and keyring.restoring(r)));
  if cardinality(roots) = 0 then
    return;
  end if;
  delete from public.alert_subtree_rollups where tenant_id = any (roots);
  insert into public.alert_subtree_rollups
    (tenant_id, day, severity, created, acknowledged, tta_ms_sum, closed, false_positives, ttr_count, ttr_ms_sum, ack_breaches, resolve_breaches)
  select r.id, d.day, d.severity, sum(d.created), sum(d.acknowledged), sum(d.tta_ms_sum), sum(d.closed), sum(d.false_positives),
         sum(d.ttr_count), sum(d.ttr_ms_sum), sum(d.ack_breaches), sum(d.resolve_breaches)
    from public.tenants r
    join public.tenants t on t.path operator(extensions.<@) r.path
    join public.alert_daily_rollups d on d.tenant_id = t.id
   where r.id = any (roots)
   group by r.id, d.day, d.severity
  having (sum(d.created), sum(d.acknowledged), sum(d.tta_ms_sum), sum(d.closed), sum(d.false_positives),
          sum(d.ttr_count), sum(d.ttr_ms_sum), sum(d.ack_breaches), sum(d.resolve_breaches))
         <> (0, 0, 0, 0, 0, 0, 0, 0, 0)
   order by 1, 2, 3;
end
$$;

-- ---------------------------------------------------------------------------
-- Daily rows changed: add the difference up the tree
-- ---------------------------------------------------------------------------
create function analytics.daily_rollups_inserted() returns trigger
  language plpgsql security definer
  set search_path = ''
  as $$
begin
  execute analytics.subtree_delta_sql('(select 1 as s, n.* from new_rows n)');
  return null;
end
$$;

create function analytics.daily_rollups_updated() returns trigger
  language plpgsql security definer
  set search_path = ''
  as $$
declare
  src constant text := '(select -1 as s, o.* from old_rows o union all select 1, n.* from new_rows n)';
begin
  execute analytics.subtree_delta_sql(src);
  execute analytics.subtree_prune_sql(src);
  return null;
end
$$;

create function analytics.daily_rollups_deleted() returns trigger
  language plpgsql security definer
  set search_path = ''
  as $$
declare
  src constant text := '(select -1 as s, o.* from old_rows o)';
begin
  execute analytics.subtree_delta_sql(src);
  execute analytics.subtree_prune_sql(src);
  return null;
end
$$;

create function analytics.daily_rollups_truncated() returns trigger
  language plpgsql security definer
  set search_path = ''
  as $$
begin
  delete from public.alert_subtree_rollups;
  return null;
end
$$;

create trigger subtree_rollups_insert after insert on public.alert_daily_rollups
  referencing new table as new_rows
  for each statement execute function analytics.daily_rollups_inserted();
create trigger subtree_rollups_update after update on public.alert_daily_rollups
  referencing old table as old_rows new table as new_rows
  for each statement execute function analytics.daily_rollups_updated();
create trigger subtree_rollups_delete after delete on public.alert_daily_rollups
  referencing old table as old_rows
  for each statement execute function analytics.daily_rollups_deleted();
create trigger subtree_rollups_truncate after truncate on public.alert_daily_rollups
  for each statement execute function analytics.daily_rollups_truncated();

-- ---------------------------------------------------------------------------
-- The tree changed
-- ---------------------------------------------------------------------------
-- For each tenant whose path changed: the ancestors it had (in the tree as it
-- was before this statement) and has now; those in one set but not the
-- other are recomputed.
create function analytics.tenants_path_changed() returns trigger
  language plpgsql security definer
  set search_path = ''
  as $$
declare
  roots uuid[];
begin
  -- Most updates of tenants (a status, a name) move nothing: one join and out.
  if not exists (select 1 from old_tenants o join new_tenants n on n.id = o.id where o.path::text is distinct from n.path::text) then
    return null;
  end if;
  with moved as (
    select o.id, o.path as old_path, n.path as new_path
      from old_tenants o join new_tenants n on n.id = o.id
     where o.path::text is distinct from n.path::text
  ),
  before_state as (
    select t.id, t.path from public.tenants t where not exists (select 1 from new_tenants n where n.id = t.id)
    union all
    select o.id, o.path from old_tenants o
  ),
  was as (select m.id, a.id as root_id from moved m join before_state a on a.path operator(extensions.@>) m.old_path),
  is_now as (select m.id, a.id as root_id from moved m join public.tenants a on a.path operator(extensions.@>) m.new_path),
  changed as (
    (select * from was except select * from is_now)
    union
    (select * from is_now except select * from was)
  )
  select array(select distinct root_id from changed) into roots;
  if cardinality(roots) > 0 then
    perform analytics.recompute_subtree_rollups(roots);
  end if;
  return null;
end
$$;

create trigger subtree_rollups_tree after update on public.tenants
  referencing old table as old_tenants new table as new_tenants
  for each statement execute function analytics.tenants_path_changed();

-- A tenant deleted: its daily rows leave its ancestors before the cascade
-- removes them (after the cascade the tenant's path is gone). "zz_": BEFORE
-- triggers run in name order, so no other BEFORE trigger can cancel the
-- deletion after this one has run.
create function analytics.tenant_deleted() returns trigger
  language plpgsql security definer
  set search_path = ''
  as $$
declare
  src constant text := format('(select -1 as s, d.* from public.alert_daily_rollups d where d.tenant_id = %L)', old.id);
begin
  execute analytics.subtree_delta_sql(src);
  execute analytics.subtree_prune_sql(src);
  return old;
end
$$;

create trigger zz_subtree_rollups_forget before delete on public.tenants
  for each row execute function analytics.tenant_deleted();

revoke execute on function analytics.subtree_delta_sql(text), analytics.subtree_prune_sql(text),
  analytics.recompute_subtree_rollups(uuid[]), analytics.daily_rollups_inserted(), analytics.daily_rollups_updated(),
  analytics.daily_rollups_deleted(), analytics.daily_rollups_truncated(), analytics.tenants_path_changed(),
  analytics.tenant_deleted()
  from public, anon, authenticated, service_role, portal_app;

-- Backfill from the daily rows there are.
select analytics.recompute_subtree_rollups(array(select id from public.tenants));

-- analytics.peer_benchmark (migration 20261201016500): the anonymous peers are the customers the
-- caller cannot see, no subgroup can be set against "all" to single one out, no exact group size
-- leaves the database, and the customer's own value can be limited to the tenants the PDP lets the
-- caller read (docs/console.md "Comparison and benchmarking").
--
-- Why (an audit of the tenant's /benchmark):
--   1. The "fewer than 5" rule held per group, but the page showed the exact size and a percentile
--      of "all", "size" and "industry" over the same customers, and the admin controls its own
--      value and industry. With "all" 7 peers and "size" 6, one customer is outside the size group:
--      the two rounded percentiles invert to counts, their difference says whether that customer is
--      better or worse, and moving one's own MTTA between reloads binary-searches its value.
--   2. The 5 counted the caller's own other customers (an admin of 2 of 6 customers "had" 5 peers,
--      one of them a customer whose figures it reads anyway): 4 anonymous ones.
--   4. The customer's own value summed its whole subtree, where the dashboard and /compare leave out
--      the tenants the PDP denies alerts:read.
--
-- What:
--   - Peers: the MSSP's active and suspended customers other than this one, less every customer the
--     caller holds a membership in or on (any tenant of its subtree, or an ancestor: an MSSP's staff
--     hold every customer), or the caller's API key is on. Read from public.memberships, not from
--     tenancy.visible_ids(): on the tenant's host the active tenant narrows the visible set to this
--     customer, and a membership under a suspended tenant drops out of it, yet both are customers
--     whose figures the caller reads or read.
--   - Per metric, with n the peers of the group with a value and k those of "all" outside the
--     group: 'too_few_peers' when n < 5; 'group_near_all' when k is 1 to 4 (the group and "all"
--     would differ by a handful of customers); else 'ok' with the percentile and the group's size
--     as a band of peers ('5-9', '10-19', '20+'), never the count.
--   - p_own_only (the page passes the tenants the PDP lets the caller read alerts of, as the
--     dashboard) limits the tenants summed into the customer's own value only; the peers are
--     always whole. The customer's size band (its "size" group) stays its whole subtree's.
-- The return type changes (group_size text), so the function is dropped and made again with the
-- same grants. The rollback puts 20261201016500's body back, with 20261201027300's search_path.

drop function analytics.peer_benchmark(uuid, text, date, date);

create function analytics.peer_benchmark(p_tenant uuid, p_group text, p_from date, p_to date, p_own_only uuid[] default null)
  returns table (metric text, own_value double precision, percentile integer, group_size text, status text)
  language plpgsql stable security definer
  set search_path = pg_catalog, pg_temp
  as $$
declare
  me public.tenants;
  parent_path extensions.ltree;
  held_all boolean;
  held text[];
  everyone uuid[];
  own_industry text;
  own_band text;
  in_industry uuid[];
begin
  if p_group is null or p_group not in ('all', 'industry', 'size') then
    raise exception 'unknown peer group' using errcode = '22023';
  end if;
  if p_from is null or p_to is null or p_from >= p_to or p_to - p_from > 366 then
    raise exception 'a range is 1 to 366 days, from before to' using errcode = '22023';
  end if;
  -- Only for an active customer the caller holds a benchmark role on (itself or an ancestor).
  select t.* into me
    from public.tenants t
   where t.id = p_tenant and t.kind = 'customer' and t.status = 'active'
     and t.id = any (array(select tenancy.tenant_ids_with_role('{mssp_admin,mssp_analyst,tenant_admin}')));
  if not found then
    return;
  end if;
  select p.path into parent_path from public.tenants p where p.id = me.parent_id;

  -- What the caller holds: an ancestor of the MSSP (every customer), or the customer-level paths of
  -- the tenants it holds under it. Any role, any status: a customer it reads (or read) is no stranger.
  with h as (
    select mt.path
      from public.memberships m join public.tenants mt on mt.id = m.tenant_id
     where m.user_id = (select auth.uid())
    union all
    select kt.path
      from public.api_keys k join public.tenants kt on kt.id = k.tenant_id
     where k.id = (select tenancy.api_key_id())
  )
  select coalesce(bool_or(h.path operator(extensions.@>) parent_path), false),
         coalesce(array_agg(distinct extensions.subpath(h.path, 0, extensions.nlevel(parent_path) + 1)::text)
                    filter (where h.path operator(extensions.<@) parent_path and extensions.nlevel(h.path) > extensions.nlevel(parent_path)), '{}')
    into held_all, held
    from h;

  select coalesce(array_agg(c.id), '{}') into everyone
    from public.tenants c
   where c.parent_id = me.parent_id and c.kind = 'customer' and c.status in ('active', 'suspended')
     and c.id <> me.id and not held_all and not (c.path::text = any (held));

  if p_group = 'industry' then
    select coalesce((
      select r.value #>> '{}' from settings.resolve(array[me.id]) r where r.tenant_id = me.id and r.key = 'profile.industry'
    ), 'unspecified') into own_industry;
    if own_industry = 'unspecified' then
      return query select m, null::double precision, null::integer, null::text, 'no_industry'::text
        from unnest(array['alerts_per_asset', 'critical_per_asset', 'mtta_minutes', 'mttr_minutes', 'sla_breach_rate', 'open_per_asset']) m;
      return;
    end if;
    select coalesce(array_agg(c.id), '{}') into in_industry
      from unnest(everyone) c(id)
      left join (select r.tenant_id, r.value #>> '{}' as industry
                   from settings.resolve(everyone) r where r.key = 'profile.industry') s on s.tenant_id = c.id
     where coalesce(s.industry, 'unspecified') = own_industry;
  elsif p_group = 'size' then
    select m.size_band into own_band from analytics.customer_metrics(array[me.id], p_from, p_to) m;
  end if;

  return query
  with peer as (
    select m.*,
           case p_group when 'all' then true
                        when 'industry' then m.customer_id = any (in_industry)
                        else m.size_band = own_band end as in_group
      from analytics.customer_metrics(everyone, p_from, p_to) m
  ), v as (
    select p.in_group, x.metric, x.value
      from peer p
     cross join lateral (values
       ('alerts_per_asset', p.alerts_per_asset), ('critical_per_asset', p.critical_per_asset),
       ('mtta_minutes', p.mtta_minutes), ('mttr_minutes', p.mttr_minutes),
       ('sla_breach_rate', p.sla_breach_rate), ('open_per_asset', p.open_per_asset)) x(metric, value)
     where x.value is not null
  ), mine as (
    select x.metric, x.value
      from analytics.customer_metrics(array[me.id], p_from, p_to, p_own_only) o
     cross join lateral (values
       ('alerts_per_asset', o.alerts_per_asset), ('critical_per_asset', o.critical_per_asset),
       ('mtta_minutes', o.mtta_minutes), ('mttr_minutes', o.mttr_minutes),
       ('sla_breach_rate', o.sla_breach_rate), ('open_per_asset', o.open_per_asset)) x(metric, value)
  ), ranked as (
    select k.metric, mine.value as own_value,
           count(v.value) filter (where v.in_group) as peers,
           count(v.value) filter (where not v.in_group) as outside,
           count(v.value) filter (where v.in_group and v.value > mine.value) as worse,
           count(v.value) filter (where v.in_group and v.value = mine.value) as tied
      from unnest(array['alerts_per_asset', 'critical_per_asset', 'mtta_minutes', 'mttr_minutes', 'sla_breach_rate', 'open_per_asset']) with ordinality k(metric, n)
      left join mine on mine.metric = k.metric
      left join v on v.metric = k.metric
     group by k.metric, k.n, mine.value
  ), judged as (
    select r.*,
           case when r.own_value is null then 'no_value'
                when r.peers < 5 then 'too_few_peers'
                when r.outside between 1 and 4 then 'group_near_all'
                else 'ok' end as verdict
      from ranked r
  )
  select j.metric, j.own_value,
         case when j.verdict = 'ok' then round(100 * (j.worse + 0.5 * j.tied) / j.peers)::integer end,
         case when j.verdict = 'ok' then case when j.peers < 10 then '5-9' when j.peers < 20 then '10-19' else '20+' end end,
         j.verdict
    from judged j
   order by array_position(array['alerts_per_asset', 'critical_per_asset', 'mtta_minutes', 'mttr_minutes', 'sla_breach_rate', 'open_per_asset'], j.metric);
end
$$;

revoke all on function analytics.peer_benchmark(uuid, text, date, date, uuid[]) from public, anon, authenticated, service_role, portal_app;
grant execute on function analytics.peer_benchmark(uuid, text, date, date, uuid[]) to authenticated;

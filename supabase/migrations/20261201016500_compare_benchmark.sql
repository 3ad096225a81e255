-- Tenant comparison and benchmarking (issue 13, point 3; lib/analytics/compare*.ts,
-- lib/analytics/peers*.ts, docs/console.md "Comparison and benchmarking").
--
-- analytics.customer_metrics(customers, from, to, only)
--   One row per customer (its sites included): its figures over the UTC days
--   [from, to) read from the alert rollups (migration 20261201016000), never
--   from raw alerts, and the six compared metrics derived from them, each
--   lower-is-better and null when its denominator is 0:
--     alerts_per_asset     alerts detected in the range / assets now
--     critical_per_asset   critical alerts detected in the range / assets now
--     mtta_minutes         mean time to acknowledge of the acknowledgements in the range
--     mttr_minutes         mean time to resolve of the closes in the range (close time known)
--     sla_breach_rate      SLA clocks stopped in the range past their target / clocks stopped
--                          (acknowledge and resolve clocks, info alerts have none), in %
--     open_per_asset       alerts open at the end of the range / assets now
--   Security invoker: the console calls it under the caller's RLS, so a tenant
--   the caller cannot see contributes nothing (a customer of another MSSP is
--   simply not there). `only`, when given, limits the tenants whose rows
--   count (the console passes the tenants the PDP lets the caller read).
--
-- analytics.peer_benchmark(tenant, peer_group, from, to)
--   A customer's own value and percentile per metric among its peers, for its
--   admins on the tenant host's /benchmark. Why a security-definer function
--   and not a service-role purpose: DESIGN.md keeps the service role out of
--   pages, and here the database itself is the anonymity boundary. The peers'
--   figures are computed and ranked inside this function; what leaves it is
--   the caller's own value, its percentile (0-100, higher is better) and the
--   group's size, never a row, an id, a name or a figure of another customer.
--   A group (the customer included) of fewer than 5 with a value answers
--   'too_few_peers' with neither percentile nor size, so no bug in the page
--   can show what the database never returned. It answers only for an active
--   customer on which the caller holds mssp_admin, mssp_analyst or
--   tenant_admin (the roles of the PDP's benchmark:view, which the page asks
--   first), and nothing for any other tenant. Peer groups: 'all' (the
--   active and suspended customers of the same MSSP, as the console's), 'industry' (of those, the same
--   effective profile.industry setting; 'unspecified' is in no group) and
--   'size' (the same asset-count band, analytics.size_band).
--
-- Percentile, both here and in lib/analytics/percentile.ts (the console's):
--   100 * (peers with a worse (higher) value + half the peers tied) / peers,
--   rounded; peers = the others in the group with a value.

-- The asset-count bands of the size peer group; labels in lib/analytics/peers.ts.
create function analytics.size_band(assets bigint) returns text
  language sql immutable
  set search_path = ''
  as $$
    select case
             when assets is null or assets <= 0 then 'none'
             when assets < 50 then 'under_50'
             when assets < 250 then '50_249'
             when assets < 1000 then '250_999'
             when assets < 5000 then '1000_4999'
             else '5000_plus'
           end
  $$;

create function analytics.customer_metrics(p_customers uuid[], p_from date, p_to date, p_only uuid[] default null)
  returns table (
    customer_id         uuid,
    assets              bigint,
    size_band           text,
    alerts              bigint,
    critical            bigint,
    acknowledged        bigint,
    tta_ms_sum          numeric,
    resolved_timed      bigint,
    ttr_ms_sum          numeric,
    sla_clocks          bigint,
    sla_breaches        bigint,
    open_at_end         bigint,
    alerts_per_asset    double precision,
    critical_per_asset  double precision,
    mtta_minutes        double precision,
    mttr_minutes        double precision,
    sla_breach_rate     double precision,
    open_per_asset      double precision
  )
  language sql stable
  set search_path = ''
  as $$
    with scope as (
      select c.id as customer_id, t.id as tenant_id
        from public.tenants c
        join public.tenants t on t.path operator(extensions.<@) c.path
       where c.id = any (p_customers) and c.kind = 'customer'
         and (p_only is null or t.id = any (p_only))
    ), r as (
      select s.customer_id,
             sum(x.created)::bigint as alerts,
             coalesce(sum(x.created) filter (where x.severity = 'critical'), 0)::bigint as critical,
             sum(x.acknowledged)::bigint as acknowledged,
             sum(x.tta_ms_sum)::numeric as tta_ms_sum,
             sum(x.ttr_count)::bigint as resolved_timed,
             sum(x.ttr_ms_sum)::numeric as ttr_ms_sum,
             coalesce(sum(x.acknowledged + x.ttr_count) filter (where x.severity <> 'info'), 0)::bigint as sla_clocks,
             sum(x.ack_breaches + x.resolve_breaches)::bigint as sla_breaches
        from scope s
        join public.alert_daily_rollups x on x.tenant_id = s.tenant_id and x.day >= p_from and x.day < p_to
       group by s.customer_id
    ), later as (
      -- Open at the end of the range = open now - (created - closed) on the days after it.
      select s.customer_id, sum(x.created - x.closed)::bigint as delta
        from scope s
        join public.alert_daily_rollups x on x.tenant_id = s.tenant_id and x.day >= p_to
       group by s.customer_id
    ), open_now as (
      select s.customer_id, sum(o.open)::bigint as open
        from scope s join public.alert_open_counts o on o.tenant_id = s.tenant_id
       group by s.customer_id
    ), a as (
      select s.customer_id, count(*)::bigint as assets
        from scope s join public.assets x on x.tenant_id = s.tenant_id
       group by s.customer_id
    ), f as (
      select c.customer_id,
             coalesce(a.assets, 0) as assets,
             coalesce(r.alerts, 0) as alerts,
             coalesce(r.critical, 0) as critical,
             coalesce(r.acknowledged, 0) as acknowledged,
             coalesce(r.tta_ms_sum, 0) as tta_ms_sum,
             coalesce(r.resolved_timed, 0) as resolved_timed,
             coalesce(r.ttr_ms_sum, 0) as ttr_ms_sum,
             coalesce(r.sla_clocks, 0) as sla_clocks,
             coalesce(r.sla_breaches, 0) as sla_breaches,
             greatest(0, coalesce(o.open, 0) - coalesce(l.delta, 0)) as open_at_end
        from (select distinct scope.customer_id from scope) c
        left join r on r.customer_id = c.customer_id
        left join later l on l.customer_id = c.customer_id
        left join open_now o on o.customer_id = c.customer_id
        left join a on a.customer_id = c.customer_id
    )
    select f.customer_id, f.assets, analytics.size_band(f.assets),
           f.alerts, f.critical, f.acknowledged, f.tta_ms_sum, f.resolved_timed, f.ttr_ms_sum,
           f.sla_clocks, f.sla_breaches, f.open_at_end,
           case when f.assets > 0 then f.alerts::double precision / f.assets end,
           case when f.assets > 0 then f.critical::double precision / f.assets end,
           case when f.acknowledged > 0 then (f.tta_ms_sum / f.acknowledged / 60000)::double precision end,
           case when f.resolved_timed > 0 then (f.ttr_ms_sum / f.resolved_timed / 60000)::double precision end,
           case when f.sla_clocks > 0 then 100 * f.sla_breaches::double precision / f.sla_clocks end,
           case when f.assets > 0 then f.open_at_end::double precision / f.assets end
      from f
  $$;

create function analytics.peer_benchmark(p_tenant uuid, p_group text, p_from date, p_to date)
  returns table (metric text, own_value double precision, percentile integer, group_size integer, status text)
  language plpgsql stable security definer
  set search_path = ''
  as $$
declare
  me public.tenants;
  own_industry text;
  own_band text;
  candidates uuid[];
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

  select array_agg(c.id) into candidates
    from public.tenants c
   where c.parent_id = me.parent_id and c.kind = 'customer' and c.status in ('active', 'suspended');

  if p_group = 'industry' then
    select coalesce((
      select r.value #>> '{}' from settings.resolve(array[me.id]) r where r.tenant_id = me.id and r.key = 'profile.industry'
    ), 'unspecified') into own_industry;
    if own_industry = 'unspecified' then
      return query select m, null::double precision, null::integer, null::integer, 'no_industry'::text
        from unnest(array['alerts_per_asset', 'critical_per_asset', 'mtta_minutes', 'mttr_minutes', 'sla_breach_rate', 'open_per_asset']) m;
      return;
    end if;
    select array_agg(c.id) into candidates
      from unnest(candidates) c(id)
      left join (select r.tenant_id, r.value #>> '{}' as industry
                   from settings.resolve(candidates) r where r.key = 'profile.industry') s on s.tenant_id = c.id
     where coalesce(s.industry, 'unspecified') = own_industry;
  end if;

  return query
  with m as (
    select * from analytics.customer_metrics(candidates, p_from, p_to)
  ), grp as (
    select m.* from m
     where p_group <> 'size'
        or m.size_band = (select m2.size_band from m m2 where m2.customer_id = me.id)
  ), v as (
    select g.customer_id, x.metric, x.value
      from grp g
     cross join lateral (values
       ('alerts_per_asset', g.alerts_per_asset), ('critical_per_asset', g.critical_per_asset),
       ('mtta_minutes', g.mtta_minutes), ('mttr_minutes', g.mttr_minutes),
       ('sla_breach_rate', g.sla_breach_rate), ('open_per_asset', g.open_per_asset)) x(metric, value)
  ), own as (
    select v.metric, v.value from v where v.customer_id = me.id
  ), ranked as (
    select o.metric, o.value as own_value,
           count(*) filter (where v.customer_id <> me.id and v.value is not null) as peers,
           count(*) filter (where v.customer_id <> me.id and v.value > o.value) as worse,
           count(*) filter (where v.customer_id <> me.id and v.value = o.value) as tied
      from own o join v on v.metric = o.metric
     group by o.metric, o.value
  )
  select r.metric, r.own_value,
         case when r.own_value is not null and r.peers + 1 >= 5
              then round(100 * (r.worse + 0.5 * r.tied) / r.peers)::integer end,
         case when r.own_value is not null and r.peers + 1 >= 5 then (r.peers + 1)::integer end,
         case when r.own_value is null then 'no_value' when r.peers + 1 >= 5 then 'ok' else 'too_few_peers' end
    from ranked r
   order by array_position(array['alerts_per_asset', 'critical_per_asset', 'mtta_minutes', 'mttr_minutes', 'sla_breach_rate', 'open_per_asset'], r.metric);
end
$$;

revoke all on function analytics.size_band(bigint), analytics.customer_metrics(uuid[], date, date, uuid[]),
  analytics.peer_benchmark(uuid, text, date, date) from public, anon, authenticated, service_role, portal_app;
grant execute on function analytics.size_band(bigint), analytics.customer_metrics(uuid[], date, date, uuid[]) to authenticated, service_role;
grant execute on function analytics.peer_benchmark(uuid, text, date, date) to authenticated;

-- analytics.customer_metrics (migration 20261201016500) at 1,000 customers (issue 13, point 7: the
-- console's /compare and the tenant's /benchmark; npm run bench -- --only=11,12).
--
-- Why: a SQL-language function that cannot be inlined (it sets search_path) plans its statement
-- without looking at its arguments: `c.id = any (p_customers)` was estimated at 10 rows and the
-- subtree CTE at 1, so each per-customer aggregate ran inside a nested loop once per customer (the
-- rollups' sort re-run 1,000 times, spilling to disk). Through RLS the tenants policy's array is
-- also taken for 10 ids, so even a plan made with the arguments known compared every pair of paths
-- (1,000 customers x 1,617 visible tenants). Measured at 1,000 customers / 200,000 alerts, every
-- customer over 30 days: 13.5 s as the owner and past the statement timeout (52 s unbounded) through
-- RLS; this version ~0.4 s either way on the shared machine, the same rows (the md5 of the whole
-- answer compared for the owner, an MSSP admin and a tenant admin, with and without p_only).
--
-- What: the same result, arguments and security (invoker: the caller's RLS still decides what is
-- summed; analytics.peer_benchmark, a definer, calls it too and gains the same). PL/pgSQL running
-- two statements through EXECUTE ... USING, each planned with the argument values known:
--   1. the customers' subtrees: each visible tenant's ancestors by path prefix (subpath), matched to
--      the customers by hash, instead of testing every pair of paths;
--   2. the figures: every source (the range's rollups, the later days' rollups, the open counts,
--      the assets, and a zero row per tenant so every customer in scope answers) appended and
--      summed once per customer, instead of four per-customer aggregates joined to each other.
-- The rollback puts the SQL-language body of 20261201016500 back.

create or replace function analytics.customer_metrics(p_customers uuid[], p_from date, p_to date, p_only uuid[] default null)
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
  language plpgsql stable
  set search_path = ''
  as $fn$
declare
  v_customers uuid[];
  v_tenants uuid[];
begin
  -- The customers' subtrees (sites included) the caller sees: every visible tenant's ancestors by
  -- path prefix, matched to the customers by hash (no pairwise comparison of paths).
  execute $q$
    select coalesce(array_agg(c.id), '{}'), coalesce(array_agg(t.id), '{}')
      from public.tenants t
      cross join lateral generate_series(1, extensions.nlevel(t.path)) k(n)
      join public.tenants c on c.path::text = extensions.subpath(t.path, 0, k.n)::text
     where c.id = any ($1) and c.kind = 'customer'
       and ($2::uuid[] is null or t.id = any ($2))
  $q$ into v_customers, v_tenants using p_customers, p_only;

  return query execute $q$
    with scope as (
      select s.customer_id, s.tenant_id from unnest($1::uuid[], $2::uuid[]) s(customer_id, tenant_id)
    ), facts as (
      -- One pass over each source, summed once per customer below.
      select s.customer_id, x.severity, x.created::bigint as created, x.acknowledged::bigint as acknowledged,
             x.tta_ms_sum::numeric as tta_ms_sum, x.ttr_count::bigint as ttr_count, x.ttr_ms_sum::numeric as ttr_ms_sum,
             (x.ack_breaches + x.resolve_breaches)::bigint as breaches, 0::bigint as later_delta, 0::bigint as open, 0::bigint as asset
        from scope s
        join public.alert_daily_rollups x on x.tenant_id = s.tenant_id and x.day >= $3 and x.day < $4
      union all
      -- Open at the end of the range = open now - (created - closed) on the days after it.
      select s.customer_id, null, 0, 0, 0, 0, 0, 0, (x.created - x.closed)::bigint, 0, 0
        from scope s
        join public.alert_daily_rollups x on x.tenant_id = s.tenant_id and x.day >= $4
      union all
      select s.customer_id, null, 0, 0, 0, 0, 0, 0, 0, o.open::bigint, 0
        from scope s join public.alert_open_counts o on o.tenant_id = s.tenant_id
      union all
      select s.customer_id, null, 0, 0, 0, 0, 0, 0, 0, 0, 1
        from scope s join public.assets x on x.tenant_id = s.tenant_id
      union all
      select s.customer_id, null, 0, 0, 0, 0, 0, 0, 0, 0, 0 from scope s
    ), f as (
      select facts.customer_id,
             sum(asset)::bigint as assets,
             sum(created)::bigint as alerts,
             coalesce(sum(created) filter (where severity = 'critical'), 0)::bigint as critical,
             sum(facts.acknowledged)::bigint as acknowledged,
             sum(facts.tta_ms_sum)::numeric as tta_ms_sum,
             sum(ttr_count)::bigint as resolved_timed,
             sum(facts.ttr_ms_sum)::numeric as ttr_ms_sum,
             coalesce(sum(facts.acknowledged + ttr_count) filter (where severity <> 'info'), 0)::bigint as sla_clocks,
             sum(breaches)::bigint as sla_breaches,
             greatest(0, sum(open) - sum(later_delta))::bigint as open_at_end
        from facts
       group by facts.customer_id
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
  $q$ using v_customers, v_tenants, p_from, p_to;
end
$fn$;

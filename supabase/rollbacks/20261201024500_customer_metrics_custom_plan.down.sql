-- Rollback of 20261201024500_customer_metrics_custom_plan: the SQL-language body of 20261201016500.
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

-- Rollback of 20261201025000_compare_subtree_blocks: the blocks and the asset counts go with their
-- triggers (derived data: migrating again rebuilds them), and analytics.customer_metrics gets the
-- body of 20261201024500 back.
drop trigger if exists subtree_blocks_insert on public.alert_subtree_rollups;
drop trigger if exists subtree_blocks_update on public.alert_subtree_rollups;
drop trigger if exists subtree_blocks_delete on public.alert_subtree_rollups;
drop trigger if exists subtree_blocks_truncate on public.alert_subtree_rollups;
drop trigger if exists asset_counts_insert on public.assets;
drop trigger if exists asset_counts_delete on public.assets;
drop trigger if exists asset_counts_truncate on public.assets;
drop function if exists analytics.subtree_rollups_inserted();
drop function if exists analytics.subtree_rollups_updated();
drop function if exists analytics.subtree_rollups_deleted();
drop function if exists analytics.subtree_rollups_truncated();
drop function if exists analytics.assets_inserted();
drop function if exists analytics.assets_deleted();
drop function if exists analytics.assets_truncated();
drop function if exists analytics.blocks_delta_sql(text);
drop function if exists analytics.blocks_prune_sql(text);
drop function if exists analytics.asset_counts_sql(text);
drop table if exists public.alert_subtree_blocks;
drop table if exists public.asset_counts;
drop function if exists analytics.day_blocks(date, date);
drop function if exists analytics.block_start(date, integer);

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

-- Rollback of 20261201024520_usage_subtree_daily_custom_plan: the SQL-language body of 20261201012000.
create or replace function usage.subtree_daily(roots uuid[], from_day timestamptz, to_day timestamptz)
  returns table (root_id uuid, day timestamptz, metric text, quantity numeric)
  language sql stable
  set search_path = ''
  as $$
    select r.id, d.period_start, d.metric, sum(d.quantity)
      from public.tenants r
      join public.tenants t on t.path operator(extensions.<@) r.path
      join public.usage_rollups d on d.tenant_id = t.id and d.grain = 'day'
     where r.id = any (roots) and d.period_start >= from_day and d.period_start < to_day
     group by r.id, d.period_start, d.metric
  $$;

-- Rollback of 20261201027100_usage_subtree_daily_small: 20261201024520's body (both statements through EXECUTE).
create or replace function usage.subtree_daily(roots uuid[], from_day timestamptz, to_day timestamptz)
  returns table (root_id uuid, day timestamptz, metric text, quantity numeric)
  language plpgsql stable
  set search_path = ''
  as $fn$
declare
  v_roots uuid[];
  v_tenants uuid[];
begin
  -- Each root's subtree (the tenants the caller sees): every visible tenant's ancestors by path
  -- prefix, matched to the roots by hash (no pairwise comparison of paths).
  execute $q$
    select coalesce(array_agg(r.id), '{}'), coalesce(array_agg(t.id), '{}')
      from public.tenants t
      cross join lateral generate_series(1, extensions.nlevel(t.path)) k(n)
      join public.tenants r on r.path::text = extensions.subpath(t.path, 0, k.n)::text
     where r.id = any ($1)
  $q$ into v_roots, v_tenants using roots;

  return query execute $q$
    select s.root_id, d.period_start, d.metric, sum(d.quantity)
      from unnest($1::uuid[], $2::uuid[]) s(root_id, tenant_id)
      join public.usage_rollups d on d.tenant_id = s.tenant_id and d.grain = 'day'
     where d.period_start >= $3 and d.period_start < $4
     group by s.root_id, d.period_start, d.metric
  $q$ using v_roots, v_tenants, from_day, to_day;
end
$fn$;

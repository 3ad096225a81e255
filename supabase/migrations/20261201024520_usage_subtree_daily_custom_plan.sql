-- usage.subtree_daily (migration 20261201012000) at 1,000 customers (issue 13, point 7: the console's
-- /usage lists every customer's month; npm run bench -- --only=18).
--
-- Why: as analytics.customer_metrics before 20261201024500, a SQL-language function that sets
-- search_path is never inlined and plans its statement without its arguments (`r.id = any (roots)`
-- taken for 10 rows), and through RLS the subtree join compared every pair of paths. Measured at
-- 1,000 customers / 1,617 tenants, this month's totals of every customer: 2.1 s through RLS against
-- 0.26 s as the owner; this version 0.07-0.25 s either way on the shared machine, the same rows (md5
-- of the whole answer compared for the owner, an MSSP admin and a tenant admin).
--
-- What: the same arguments, result and security (invoker: RLS on usage_rollups decides what is
-- summed), in PL/pgSQL through EXECUTE ... USING so each statement is planned with its values known:
-- the roots' subtrees first (each visible tenant's ancestors by path prefix, matched to the roots by
-- hash), then the daily rollups of those tenants summed per root. The rollback puts the SQL-language
-- body back.
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

-- The visible set in id order, always (issue 13, point 7).
--
-- Why: every policy reads the caller's visible tenants as `tenant_id = any(<array>)`,
-- and where Postgres probes a table's index once per outer row (a nested loop),
-- btree prepares that array again at each probe: it sorts it. An array already in
-- order costs a pass that finds it so; one in another order a full sort. Measured on
-- the scale seed for an MSSP admin's 1,610 ids, 1,000 probes: 25 ms in id order,
-- 225-315 ms in random order (`npm run bench -- --only=pages` found such probes in
-- the billing and compare pages). tenants_within's DISTINCT happened to be done by
-- sorting, so the memo was in order; a plan that hashes instead (other sizes, other
-- statistics) would have lost it silently. The ORDER BY keeps it, at no cost when
-- the DISTINCT sorts anyway. Every memo of a visible or role-filtered set comes from
-- here (visible_tenant_ids, tenant_ids_with_role); tests/visible-memo.test.ts checks
-- the order.
create or replace function tenancy.tenants_within(roots extensions.ltree[], scope extensions.ltree[]) returns uuid[]
  language plpgsql stable security definer
  set search_path = ''
  as $$
begin
  return array(
    select distinct t.id
      from unnest(scope) s(path)
      join public.tenants t on t.path operator(extensions.<@) s.path
     where t.path operator(extensions.<@) roots
     order by t.id);
end
$$;

-- The visible-set memo kept as comma-separated ids, read with string_to_array
-- (issue 13, point 7: the per-statement cost of RLS for MSSP staff).
--
-- Why: every statement through a tenant policy reads the caller's visible
-- set (or its role-filtered copy) once, as its InitPlan, from the
-- transaction-local memo of 20261201023600 / 20261201026000. The memo was
-- the array's text ('{id,id,...}') read back with ::uuid[], and array_in
-- parses about 1 us per element: for an MSSP admin's 1,610 tenants, 1.7 ms
-- of the 2.3-3 ms each such statement pays, on Postgres 15 and 17 alike.
-- string_to_array over the same ids without braces, then ::uuid[], gives the
-- same array in about 1.0 ms (measured with 1,617 ids on 15 and 17).
--
-- What: tenancy.visible_tenant_ids() and tenancy.tenant_ids_with_role(roles)
-- write and read their memo ('tenancy.visible_ids', 'tenancy.roles_<md5>_ids')
-- as 'id,id,...' ('' for none). Nothing else reads those settings. The keys,
-- the rule (tenancy.caller_paths, tenancy.tenants_within), signatures,
-- attributes, owners and grants are unchanged (CREATE OR REPLACE keeps them).
-- A memo left in the old form by a transaction that began before this
-- migration cannot exist: the memo is transaction-local.
--
-- Proven by tests/visible-memo.test.ts (a forged memo is ignored; the memo is
-- the answer, and transaction-local), tests/caller-paths.test.ts, and the
-- isolation matrix, unchanged; scripts/bench's page queries for the figures.

create or replace function tenancy.visible_tenant_ids() returns setof uuid
  language plpgsql stable security definer
  set search_path = ''
  as $$
declare
  memo_key text := tenancy.memo_key('visible');
  p record;
  ids uuid[];
begin
  if current_setting('tenancy.visible_key', true) = memo_key then
    return query select unnest(pg_catalog.string_to_array(current_setting('tenancy.visible_ids'), ',')::uuid[]);
    return;
  end if;
  p := tenancy.caller_paths(null);
  ids := tenancy.tenants_within(p.roots, p.scope);
  perform set_config('tenancy.visible_ids', pg_catalog.array_to_string(ids, ','), true), set_config('tenancy.visible_key', memo_key, true);
  return query select unnest(ids);
end
$$;

create or replace function tenancy.tenant_ids_with_role(roles text[]) returns setof uuid
  language plpgsql stable security definer
  set search_path = ''
  as $$
declare
  memo_key text := tenancy.memo_key(roles::text);
  memo_name text := 'tenancy.roles_' || md5(roles::text);
  role_paths record;
  all_paths record;
  ids text;
begin
  if current_setting(memo_name || '_key', true) = memo_key then
    return query select unnest(pg_catalog.string_to_array(current_setting(memo_name || '_ids'), ',')::uuid[]);
    return;
  end if;
  role_paths := tenancy.caller_paths(roles);
  all_paths := tenancy.caller_paths(null);
  if memo_key is not null and all_paths.roots operator(pg_catalog.<@) role_paths.roots then
    -- A person every root of whom holds one of the roles (the scope follows the roots or the active
    -- tenant alike): the answer is the visible set. Its memo's text is copied, not parsed and printed again.
    if current_setting('tenancy.visible_key', true) is distinct from tenancy.memo_key('visible') then
      perform count(*) from tenancy.visible_tenant_ids();
    end if;
    ids := current_setting('tenancy.visible_ids');
  else
    ids := pg_catalog.array_to_string(tenancy.tenants_within(role_paths.roots, role_paths.scope), ',');
  end if;
  perform set_config(memo_name || '_ids', ids, true), set_config(memo_name || '_key', memo_key, true);
  return query select unnest(pg_catalog.string_to_array(ids, ',')::uuid[]);
end
$$;

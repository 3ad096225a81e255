-- Every policy reads the caller's tenant set as one array, not as a set turned
-- back into an array (issue 13, point 7: the fixed cost of RLS per statement).
--
-- Why: a policy's `tenant_id = any (array(select tenancy.visible_tenant_ids()))`
-- runs, once per statement and table (an InitPlan), the set-returning helper:
-- it parses the transaction's memo into an array, hands it back row by row
-- through a tuplestore, and array() collects the rows into an array again.
-- Measured on the scale seed (Postgres 17, EXPLAIN ANALYZE of the InitPlan
-- alone, a warmed connection): a customer admin's 3 ids 14-15 us, an MSSP
-- admin's 1,610 ids 0.77-0.81 ms; the same memo read returned as the array it
-- already is: 8-9 us and 0.63-0.65 ms (whole statements through pgbench moved
-- by about that, within the machine's noise of +-10 us).
--
-- What: tenancy.visible_ids() and tenancy.ids_with_role(roles) (and for the
-- usage tables usage.readable_ids(), the array of usage.readable_tenant_ids())
-- return the caller's set as uuid[]. They take over the bodies of
-- visible_tenant_ids (20261201026300) and tenant_ids_with_role (20261201026600)
-- as they were, the same memo, keys and rule, returning the array instead of
-- unnesting it; those two become the arrays unnested (one definition). The
-- first ask of a role set in a transaction (the memo computed) went from
-- 87-129 us to 59-79 us for a customer admin, the array no longer handed
-- through a set and back. Every policy that read
-- `array(select tenancy.visible_tenant_ids())` or
-- `array(select tenancy.tenant_ids_with_role(<roles>))` now reads
-- `(select tenancy.visible_ids())::uuid[]` or
-- `(select tenancy.ids_with_role(<roles>))::uuid[]`: still one InitPlan per
-- statement and table (the scalar subquery), the same ids, the same index
-- condition. The cast keeps the deparsed policy re-parseable (pg_dump): without
-- it `any ((select …))` reads as ANY over a subquery's rows. The policies'
-- names, commands, roles and other conditions are untouched (ALTER POLICY
-- replaces only the expressions). The set-returning helpers stay, as wrappers:
-- functions and tests call them.
--
-- Proven by tests/policy-arrays.test.ts (no policy left on the old form; each
-- array helper equals the rule computed as the owner for every fixture caller
-- and role set, computed and from the memo; forged memos, other claims and a
-- removed membership in the same transaction), tests/caller-paths.test.ts,
-- tests/visible-memo.test.ts, tests/api-keys.test.ts (a key revoked while a
-- transaction holds it) and the isolation matrix, unchanged.

-- THE answers, as arrays: the bodies of visible_tenant_ids (20261201026300) and
-- tenant_ids_with_role (20261201026600), unchanged but for returning the array
-- they already held instead of unnesting it, and ids_with_role's first check
-- (below: a person whose every root holds one of the roles reads the visible
-- memo, the answer the rest of the body would compute and keep).
create function tenancy.visible_ids() returns uuid[]
  language plpgsql stable security definer
  set search_path = ''
  as $$
declare
  memo_key text := tenancy.memo_key('visible');
  p record;
  ids uuid[];
begin
  if current_setting('tenancy.visible_key', true) = memo_key then
    return pg_catalog.string_to_array(current_setting('tenancy.visible_ids'), ',')::uuid[];
  end if;
  p := tenancy.caller_paths(null);
  ids := tenancy.tenants_within(p.roots, p.scope);
  perform set_config('tenancy.visible_ids', pg_catalog.array_to_string(ids, ','), true), set_config('tenancy.visible_key', memo_key, true);
  return ids;
end
$$;

create function tenancy.ids_with_role(roles text[]) returns uuid[]
  language plpgsql stable security definer
  set search_path = ''
  as $$
declare
  -- caller_paths' key of this person's every-role paths (withTenant's opening keeps them, with each root's role).
  paths_key constant text := coalesce(current_setting('tenancy.memo_generation', true), '') || '|paths||'
      || coalesce(current_setting('request.jwt.claim.sub', true), '') || '|'
      || coalesce(current_setting('request.jwt.claim', true), '') || '|'
      || coalesce(current_setting('request.jwt.claims', true), '');
  root_roles text[];
  memo_key text;
  memo_name text;
  role_paths record;
  all_paths record;
  ids text;
  every_root_holds_a_role boolean;
begin
  -- The usual case, asked at every statement: a person every root of whom holds one of the roles (a
  -- customer's admin and an admin policy, an MSSP analyst and an analyst policy). The answer is the
  -- visible set: read from its memo, with no memo of its own to key, check or keep. The same answer
  -- the path below gives (and keeps), from the same memos, for these claims and this generation.
  -- And a person none of whose roots holds one of the roles (a customer's people and an MSSP-only
  -- policy): no root, no tenant. The path below would filter the kept roots by role to none.
  if current_setting('tenancy.visible_paths_key', true) = paths_key and pg_catalog.strpos(paths_key, '"api_key"') = 0 then
    root_roles := current_setting('tenancy.visible_root_roles')::text[];
    if root_roles operator(pg_catalog.<@) roles and current_setting('tenancy.visible_key', true) = tenancy.memo_key('visible') then
      return pg_catalog.string_to_array(current_setting('tenancy.visible_ids'), ',')::uuid[];
    end if;
    if not root_roles operator(pg_catalog.&&) roles then
      return '{}';
    end if;
  end if;
  memo_key := tenancy.memo_key(roles::text);
  memo_name := 'tenancy.roles_' || md5(roles::text);
  if current_setting(memo_name || '_key', true) = memo_key then
    return pg_catalog.string_to_array(current_setting(memo_name || '_ids'), ',')::uuid[];
  end if;
  -- A person every root of whom holds one of the roles (the scope follows the roots or the active
  -- tenant alike): the answer is the visible set. Asked of the roots' roles caller_paths(null) kept for
  -- these claims in this generation when it did (read above, for a person only), else of the two path lists.
  if root_roles is not null then
    every_root_holds_a_role := root_roles operator(pg_catalog.<@) roles;
  end if;
  if every_root_holds_a_role is null then
    role_paths := tenancy.caller_paths(roles);
    all_paths := tenancy.caller_paths(null);
    every_root_holds_a_role := memo_key is not null and all_paths.roots operator(pg_catalog.<@) role_paths.roots;
  elsif not every_root_holds_a_role then
    role_paths := tenancy.caller_paths(roles);
  end if;
  if every_root_holds_a_role then
    -- The visible set's memo text is copied, not parsed and printed again.
    if current_setting('tenancy.visible_key', true) is distinct from tenancy.memo_key('visible') then
      perform tenancy.visible_ids();
    end if;
    ids := current_setting('tenancy.visible_ids');
  else
    ids := pg_catalog.array_to_string(tenancy.tenants_within(role_paths.roots, role_paths.scope), ',');
  end if;
  perform set_config(memo_name || '_ids', ids, true), set_config(memo_name || '_key', memo_key, true);
  return pg_catalog.string_to_array(ids, ',')::uuid[];
end
$$;

-- The set-returning helpers (called by functions and tests) are now the arrays unnested: one definition.
create or replace function tenancy.visible_tenant_ids() returns setof uuid
  language plpgsql stable security definer
  set search_path = ''
  as $$
begin
  return query select unnest(tenancy.visible_ids());
end
$$;

create or replace function tenancy.tenant_ids_with_role(roles text[]) returns setof uuid
  language plpgsql stable security definer
  set search_path = ''
  as $$
begin
  return query select unnest(tenancy.ids_with_role(roles));
end
$$;

-- The usage tables' readers (usage.readable_tenant_ids, migration 20261201026400): a person's admin
-- scope, or an API key's visible set when the key holds usage:read. A person has no key: the admin set.
create function usage.readable_ids() returns uuid[]
  language plpgsql stable security definer
  set search_path = ''
  as $$
begin
  if tenancy.api_key_id() is null then
    return tenancy.ids_with_role('{mssp_admin,tenant_admin}');
  end if;
  return array(select usage.readable_tenant_ids());
end
$$;

revoke all on function tenancy.visible_ids(), tenancy.ids_with_role(text[]), usage.readable_ids() from public, anon, portal_app;
grant execute on function tenancy.visible_ids(), tenancy.ids_with_role(text[]), usage.readable_ids() to authenticated, service_role;

-- Each policy's expressions, rewritten from their deparsed text.
do $$
declare
  p record;
  qual text;
  chk text;
  n integer := 0;
  stmt text;
begin
  for p in
    select pol.polname, c.oid as relid, n.nspname, c.relname,
           pg_get_expr(pol.polqual, pol.polrelid) as qual,
           pg_get_expr(pol.polwithcheck, pol.polrelid) as chk
      from pg_policy pol
      join pg_class c on c.oid = pol.polrelid
      join pg_namespace n on n.oid = c.relnamespace
     where coalesce(pg_get_expr(pol.polqual, pol.polrelid), '') || coalesce(pg_get_expr(pol.polwithcheck, pol.polrelid), '')
           ~ 'ARRAY\( SELECT (tenancy\.visible_tenant_ids|tenancy\.tenant_ids_with_role|usage\.readable_tenant_ids)\('
  loop
    qual := regexp_replace(p.qual,
      'ARRAY\( SELECT tenancy\.visible_tenant_ids\(\) AS visible_tenant_ids\)',
      '( SELECT tenancy.visible_ids() AS visible_ids)::uuid[]', 'g');
    qual := regexp_replace(qual,
      'ARRAY\( SELECT tenancy\.tenant_ids_with_role\(([^()]*)\) AS tenant_ids_with_role\)',
      '( SELECT tenancy.ids_with_role(\1) AS ids_with_role)::uuid[]', 'g');
    qual := regexp_replace(qual,
      'ARRAY\( SELECT usage\.readable_tenant_ids\(\) AS readable_tenant_ids\)',
      '( SELECT usage.readable_ids() AS readable_ids)::uuid[]', 'g');
    chk := regexp_replace(p.chk,
      'ARRAY\( SELECT tenancy\.visible_tenant_ids\(\) AS visible_tenant_ids\)',
      '( SELECT tenancy.visible_ids() AS visible_ids)::uuid[]', 'g');
    chk := regexp_replace(chk,
      'ARRAY\( SELECT tenancy\.tenant_ids_with_role\(([^()]*)\) AS tenant_ids_with_role\)',
      '( SELECT tenancy.ids_with_role(\1) AS ids_with_role)::uuid[]', 'g');
    chk := regexp_replace(chk,
      'ARRAY\( SELECT usage\.readable_tenant_ids\(\) AS readable_tenant_ids\)',
      '( SELECT usage.readable_ids() AS readable_ids)::uuid[]', 'g');
    if coalesce(qual, '') || coalesce(chk, '') ~ 'ARRAY\( SELECT (tenancy\.visible_tenant_ids|tenancy\.tenant_ids_with_role|usage\.readable_tenant_ids)\(' then
      raise exception 'policy % on %.% keeps a form this migration does not rewrite', p.polname, p.nspname, p.relname;
    end if;
    stmt := format('alter policy %I on %I.%I', p.polname, p.nspname, p.relname);
    if qual is not null then stmt := stmt || format(' using (%s)', qual); end if;
    if chk is not null then stmt := stmt || format(' with check (%s)', chk); end if;
    execute stmt;
    n := n + 1;
  end loop;
  if n = 0 then
    raise exception 'no policy read the tenant sets through array(select …): nothing to rewrite';
  end if;
end
$$;

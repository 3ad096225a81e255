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
-- already is: 8-9 us and 0.63-0.65 ms. Through pgbench, a customer admin's
-- capped alert count and asset count paid 59-65 us more than the owner's
-- statement before, 45-53 us after.
--
-- What: tenancy.visible_ids() and tenancy.ids_with_role(roles) (and for the
-- usage tables usage.readable_ids(), the array of usage.readable_tenant_ids()) return the
-- caller's set as uuid[]: from the memo when its key matches (the same key and
-- settings as visible_tenant_ids / tenant_ids_with_role, through
-- tenancy.memo_key, so an API key never reads a memo), else from those helpers,
-- which compute the set and keep the memo as before. Every policy that read
-- `array(select tenancy.visible_tenant_ids())` or
-- `array(select tenancy.tenant_ids_with_role(<roles>))` now reads
-- `(select tenancy.visible_ids())::uuid[]` or
-- `(select tenancy.ids_with_role(<roles>))::uuid[]`: still one InitPlan per
-- statement and table (the scalar subquery), the same ids, the same index
-- condition. The cast keeps the deparsed policy re-parseable (pg_dump): without
-- it `any ((select …))` reads as ANY over a subquery's rows. The policies'
-- names, commands, roles and other conditions are untouched (ALTER POLICY
-- replaces only the expressions). The set-returning helpers stay: functions
-- and tests call them, and the new ones fall back to them.
--
-- Proven by tests/policy-arrays.test.ts (no policy left on the old form; each
-- new helper equals its set-returning twin for every fixture caller, memo or
-- not; an API key's set is recomputed after a revocation in the same
-- transaction), the isolation matrix (tests/rls-isolation.test.ts), unchanged.

create function tenancy.visible_ids() returns uuid[]
  language plpgsql stable security definer
  set search_path = ''
  as $$
begin
  if current_setting('tenancy.visible_key', true) = tenancy.memo_key('visible') then
    return pg_catalog.string_to_array(current_setting('tenancy.visible_ids'), ',')::uuid[];
  end if;
  return array(select tenancy.visible_tenant_ids());
end
$$;

create function tenancy.ids_with_role(roles text[]) returns uuid[]
  language plpgsql stable security definer
  set search_path = ''
  as $$
declare
  memo_name constant text := 'tenancy.roles_' || md5(roles::text);
begin
  if current_setting(memo_name || '_key', true) = tenancy.memo_key(roles::text) then
    return pg_catalog.string_to_array(current_setting(memo_name || '_ids'), ',')::uuid[];
  end if;
  return array(select tenancy.tenant_ids_with_role(roles));
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

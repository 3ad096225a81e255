-- Rollback of 20261201027000_policy_arrays: every policy reads its tenant set through
-- array(select <set-returning helper>) again, the set-returning helpers hold the rule again
-- (visible_tenant_ids as 20261201026300 made it, tenant_ids_with_role as 20261201026600 did),
-- and the array helpers go.
do $$
declare
  p record;
  qual text;
  chk text;
  stmt text;
begin
  for p in
    select pol.polname, n.nspname, c.relname,
           pg_get_expr(pol.polqual, pol.polrelid) as qual,
           pg_get_expr(pol.polwithcheck, pol.polrelid) as chk
      from pg_policy pol
      join pg_class c on c.oid = pol.polrelid
      join pg_namespace n on n.oid = c.relnamespace
     where coalesce(pg_get_expr(pol.polqual, pol.polrelid), '') || coalesce(pg_get_expr(pol.polwithcheck, pol.polrelid), '')
           ~ '(tenancy\.visible_ids|tenancy\.ids_with_role|usage\.readable_ids)\('
  loop
    qual := regexp_replace(p.qual,
      '\( SELECT tenancy\.visible_ids\(\) AS visible_ids\)::uuid\[\]',
      'ARRAY( SELECT tenancy.visible_tenant_ids() AS visible_tenant_ids)', 'g');
    qual := regexp_replace(qual,
      '\( SELECT tenancy\.ids_with_role\(([^()]*)\) AS ids_with_role\)::uuid\[\]',
      'ARRAY( SELECT tenancy.tenant_ids_with_role(\1) AS tenant_ids_with_role)', 'g');
    qual := regexp_replace(qual,
      '\( SELECT usage\.readable_ids\(\) AS readable_ids\)::uuid\[\]',
      'ARRAY( SELECT usage.readable_tenant_ids() AS readable_tenant_ids)', 'g');
    chk := regexp_replace(p.chk,
      '\( SELECT tenancy\.visible_ids\(\) AS visible_ids\)::uuid\[\]',
      'ARRAY( SELECT tenancy.visible_tenant_ids() AS visible_tenant_ids)', 'g');
    chk := regexp_replace(chk,
      '\( SELECT tenancy\.ids_with_role\(([^()]*)\) AS ids_with_role\)::uuid\[\]',
      'ARRAY( SELECT tenancy.tenant_ids_with_role(\1) AS tenant_ids_with_role)', 'g');
    chk := regexp_replace(chk,
      '\( SELECT usage\.readable_ids\(\) AS readable_ids\)::uuid\[\]',
      'ARRAY( SELECT usage.readable_tenant_ids() AS readable_tenant_ids)', 'g');
    stmt := format('alter policy %I on %I.%I', p.polname, p.nspname, p.relname);
    if qual is not null then stmt := stmt || format(' using (%s)', qual); end if;
    if chk is not null then stmt := stmt || format(' with check (%s)', chk); end if;
    execute stmt;
  end loop;
end
$$;
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
  every_root_holds_a_role boolean;
begin
  if current_setting(memo_name || '_key', true) = memo_key then
    return query select unnest(pg_catalog.string_to_array(current_setting(memo_name || '_ids'), ',')::uuid[]);
    return;
  end if;
  -- A person every root of whom holds one of the roles (the scope follows the roots or the active
  -- tenant alike): the answer is the visible set. Asked of the roots' roles caller_paths(null) kept for
  -- these claims in this generation when it did (withTenant's opening), else of the two path lists.
  if memo_key is not null
     and current_setting('tenancy.visible_paths_key', true) =
           coalesce(current_setting('tenancy.memo_generation', true), '') || '|paths||'
        || coalesce(current_setting('request.jwt.claim.sub', true), '') || '|'
        || coalesce(current_setting('request.jwt.claim', true), '') || '|'
        || coalesce(current_setting('request.jwt.claims', true), '') then
    every_root_holds_a_role := current_setting('tenancy.visible_root_roles')::text[] operator(pg_catalog.<@) roles;
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

drop function usage.readable_ids();
drop function tenancy.visible_ids();
drop function tenancy.ids_with_role(text[]);

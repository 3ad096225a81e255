-- Rollback of 20261201026300_visible_memo_csv: the memo as the array's text again (20261201026000's definitions).

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
    return query select unnest(current_setting('tenancy.visible_ids')::uuid[]);
    return;
  end if;
  p := tenancy.caller_paths(null);
  ids := tenancy.tenants_within(p.roots, p.scope);
  perform set_config('tenancy.visible_ids', ids::text, true), set_config('tenancy.visible_key', memo_key, true);
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
    return query select unnest(current_setting(memo_name || '_ids')::uuid[]);
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
    ids := tenancy.tenants_within(role_paths.roots, role_paths.scope)::text;
  end if;
  perform set_config(memo_name || '_ids', ids, true), set_config(memo_name || '_key', memo_key, true);
  return query select unnest(ids::uuid[]);
end
$$;

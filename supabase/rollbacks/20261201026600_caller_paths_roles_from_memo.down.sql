-- Rollback of 20261201026600_caller_paths_roles_from_memo: caller_paths reads the tables for every role set again (20261201026000's body).

create or replace function tenancy.caller_paths(roles text[], out roots extensions.ltree[], out scope extensions.ltree[])
  language plpgsql stable security definer
  set search_path = ''
  as $$
declare
  -- tenancy.memo_key's parts without its parse of the claims (user_is_visible calls this per row).
  -- An API key's paths are never stored (below), so a key's claims never find a memo.
  prefix constant text := case when roles is null then 'tenancy.visible' else 'tenancy.roles_' || md5(roles::text) end;
  memo constant text := coalesce(current_setting('tenancy.memo_generation', true), '') || '|paths|'
      || coalesce(roles::text, '') || '|'
      || coalesce(current_setting('request.jwt.claim.sub', true), '') || '|'
      || coalesce(current_setting('request.jwt.claim', true), '') || '|'
      || coalesce(current_setting('request.jwt.claims', true), '');
begin
  if current_setting(prefix || '_paths_key', true) = memo then
    roots := current_setting(prefix || '_roots')::extensions.ltree[];
    scope := current_setting(prefix || '_scope')::extensions.ltree[];
    return;
  end if;
  -- THE rule's starting point. Everything that decides which tenants a caller sees derives from here.
  with me as (select auth.uid() as uid, tenancy.active_tenant_id() as active, tenancy.api_key_id() as key),
  r as (
    select mt.path
      from public.memberships m
      join public.tenants mt on mt.id = m.tenant_id
     where m.user_id = (select uid from me)
       and (roles is null or m.role = any (roles))
       and not exists (select 1 from public.tenants s
                        where s.status <> 'active' and mt.path operator(extensions.<@) s.path)
    union all
    select kt.path
      from public.api_keys k
      join public.tenants kt on kt.id = k.tenant_id
     where k.id = (select key from me)
       and k.revoked_at is null and k.expires_at > now()
       and (roles is null or api.key_role(k.scopes, kt.kind) = any (roles))
       and not exists (select 1 from public.tenants s
                        where s.status <> 'active' and kt.path operator(extensions.<@) s.path)
  ),
  s as (
    select a.path from public.tenants a where a.id = (select active from me)
    union all
    select r.path from r where (select active from me) is null
  )
  select array(select path from r), array(select path from s) into roots, scope;
  if tenancy.memo_key('paths') is not null then  -- a person (an API key's are computed at every call)
    perform set_config(prefix || '_roots', roots::text, true),
            set_config(prefix || '_scope', scope::text, true),
            set_config(prefix || '_paths_key', memo, true);
  end if;
end
$$;

-- tenant_ids_with_role as 20261201026300 left it.
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

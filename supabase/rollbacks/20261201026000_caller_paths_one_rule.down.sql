-- Rollback of 20261201026000_caller_paths_one_rule: the three helpers as 20261201023600,
-- 20261201024100 and 20261201025300 left them (each with its own copy of the roots and
-- scope SQL), and no tenancy.caller_paths / tenancy.tenants_within.

CREATE OR REPLACE FUNCTION tenancy.visible_tenant_ids()
 RETURNS SETOF uuid
 LANGUAGE plpgsql
 STABLE SECURITY DEFINER
 SET search_path TO ''
AS $function$#variable_conflict use_column
declare
  memo_key text := tenancy.memo_key('visible');
  ids uuid[];
begin
  if current_setting('tenancy.visible_key', true) = memo_key then
    return query select unnest(current_setting('tenancy.visible_ids')::uuid[]);
    return;
  end if;
  ids := array( -- the SQL body, verbatim:

    with me as (select auth.uid() as uid, tenancy.active_tenant_id() as active, tenancy.api_key_id() as key),
    roots as (
      select mt.path
        from public.memberships m
        join public.tenants mt on mt.id = m.tenant_id
       where m.user_id = (select uid from me)
         and not exists (select 1 from public.tenants s
                          where s.status <> 'active' and mt.path operator(extensions.<@) s.path)
      union all
      select kt.path
        from public.api_keys k
        join public.tenants kt on kt.id = k.tenant_id
       where k.id = (select key from me)
         and k.revoked_at is null and k.expires_at > now()
         and not exists (select 1 from public.tenants s
                          where s.status <> 'active' and kt.path operator(extensions.<@) s.path)
    ),
    scope as (
      select a.path from public.tenants a where a.id = (select active from me)
      union all
      select r.path from roots r where (select active from me) is null
    )
    select distinct t.id
      from scope s
      join public.tenants t on t.path operator(extensions.<@) s.path
     where exists (select 1 from roots r where t.path operator(extensions.<@) r.path)
  
  );
  perform set_config('tenancy.visible_ids', ids::text, true), set_config('tenancy.visible_key', memo_key, true);
  return query select unnest(ids);
end$function$

;

CREATE OR REPLACE FUNCTION tenancy.tenant_ids_with_role(roles text[])
 RETURNS SETOF uuid
 LANGUAGE plpgsql
 STABLE SECURITY DEFINER
 SET search_path TO ''
AS $function$#variable_conflict use_column
declare
  memo_key text := tenancy.memo_key(roles::text);
  memo_name text := 'tenancy.roles_' || md5(roles::text);
  ids uuid[];
begin
  if current_setting(memo_name || '_key', true) = memo_key then
    return query select unnest(current_setting(memo_name || '_ids')::uuid[]);
    return;
  end if;
  ids := array( -- the SQL body, verbatim:

    with me as (select auth.uid() as uid, tenancy.active_tenant_id() as active, tenancy.api_key_id() as key),
    roots as (
      select mt.path
        from public.memberships m
        join public.tenants mt on mt.id = m.tenant_id
       where m.user_id = (select uid from me) and m.role = any (roles)
         and not exists (select 1 from public.tenants s
                          where s.status <> 'active' and mt.path operator(extensions.<@) s.path)
      union all
      select kt.path
        from public.api_keys k
        join public.tenants kt on kt.id = k.tenant_id
       where k.id = (select key from me)
         and k.revoked_at is null and k.expires_at > now()
         and api.key_role(k.scopes, kt.kind) = any (roles)
         and not exists (select 1 from public.tenants s
                          where s.status <> 'active' and kt.path operator(extensions.<@) s.path)
    ),
    scope as (
      select a.path from public.tenants a where a.id = (select active from me)
      union all
      select r.path from roots r where (select active from me) is null
    )
    select distinct t.id
      from scope s
      join public.tenants t on t.path operator(extensions.<@) s.path
     where exists (select 1 from roots r where t.path operator(extensions.<@) r.path)
  
  );
  perform set_config(memo_name || '_ids', ids::text, true), set_config(memo_name || '_key', memo_key, true);
  return query select unnest(ids);
end$function$

;

CREATE OR REPLACE FUNCTION tenancy.user_is_visible(target uuid)
 RETURNS boolean
 LANGUAGE plpgsql
 STABLE SECURITY DEFINER COST 2000
 SET search_path TO ''
AS $function$
declare
  -- tenancy.memo_key's parts, without its parse of the claims (60 us a call, and this runs per row):
  -- an API key's paths are never kept (checked below, when they are computed), so a key's claims,
  -- which are never a person's, never find a memo.
  memo constant text := coalesce(current_setting('tenancy.memo_generation', true), '') || '|visible_paths|'
      || coalesce(current_setting('request.jwt.claim.sub', true), '') || '|'
      || coalesce(current_setting('request.jwt.claim', true), '') || '|'
      || coalesce(current_setting('request.jwt.claims', true), '');
  v_roots extensions.ltree[];
  v_scope extensions.ltree[];
begin
  if current_setting('tenancy.visible_paths_key', true) = memo then
    v_roots := current_setting('tenancy.visible_roots')::extensions.ltree[];
    v_scope := current_setting('tenancy.visible_scope')::extensions.ltree[];
  else
    -- tenancy.visible_tenant_ids()'s roots and scope, verbatim.
    with me as (select auth.uid() as uid, tenancy.active_tenant_id() as active, tenancy.api_key_id() as key),
    roots as (
      select mt.path
        from public.memberships m
        join public.tenants mt on mt.id = m.tenant_id
       where m.user_id = (select uid from me)
         and not exists (select 1 from public.tenants s
                          where s.status <> 'active' and mt.path operator(extensions.<@) s.path)
      union all
      select kt.path
        from public.api_keys k
        join public.tenants kt on kt.id = k.tenant_id
       where k.id = (select key from me)
         and k.revoked_at is null and k.expires_at > now()
         and not exists (select 1 from public.tenants s
                          where s.status <> 'active' and kt.path operator(extensions.<@) s.path)
    ),
    scope as (
      select a.path from public.tenants a where a.id = (select active from me)
      union all
      select r.path from roots r where (select active from me) is null
    )
    select array(select path from roots), array(select path from scope) into v_roots, v_scope;
    if tenancy.memo_key('visible_paths') is not null then  -- a person (an API key's are computed at every call)
      perform set_config('tenancy.visible_roots', v_roots::text, true),
              set_config('tenancy.visible_scope', v_scope::text, true),
              set_config('tenancy.visible_paths_key', memo, true);
    end if;
  end if;
  return exists (select 1
                   from public.memberships m
                   join public.tenants t on t.id = m.tenant_id
                  where m.user_id = target
                    and t.path operator(extensions.<@) v_scope
                    and t.path operator(extensions.<@) v_roots);
end
$function$

;

drop function tenancy.caller_paths(text[]);
drop function tenancy.tenants_within(extensions.ltree[], extensions.ltree[]);

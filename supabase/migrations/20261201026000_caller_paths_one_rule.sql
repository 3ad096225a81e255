-- Who the caller is, in tenant paths, written once (issue 13, point 7).
--
-- Why: the rule "which tenants may this caller see" starts from two small
-- sets of tenant paths: the roots (the tenants of the caller's memberships,
-- or of its live API key, minus those under a suspended or offboarded
-- tenant; with a role filter, only memberships holding one of the roles) and
-- the scope (the active tenant's path when the claims name one, else the
-- roots). Three helpers carried that SQL: tenancy.visible_tenant_ids(),
-- tenancy.tenant_ids_with_role(roles) (the same with the role filter), and
-- tenancy.user_is_visible(target) (20261201025300, "verbatim" from the first).
-- A change to who sees which tenant had to be made in three places.
--
-- What:
--   tenancy.caller_paths(roles) is the one definition (roles null: any role).
--     It keeps its answer for the transaction as the other helpers keep
--     theirs: transaction-local settings keyed by the caller's claims and the
--     generation the statement triggers on memberships, tenants and api_keys
--     bump (20261201023600). An API key's paths are computed at every call,
--     as its visible set is (20261201023800).
--   tenancy.visible_tenant_ids()   = tenants under some scope path and some
--     root path, from caller_paths(null); its memo as before.
--   tenancy.tenant_ids_with_role() = the same from caller_paths(roles). When
--     every root of the caller holds one of the roles (an MSSP admin asking
--     for admin-or-analyst, a customer admin likewise), the answer is the
--     visible set, whose memo is copied instead of computed again: that first
--     computation was 2-5 ms for an MSSP admin on the console's /reports.
--   tenancy.user_is_visible(target) tests a person's memberships against
--     caller_paths(null).
-- Same signatures, attributes, owners and grants (CREATE OR REPLACE keeps
-- them); the memo settings keep their names (tests/visible-memo,
-- tests/visible-users try to forge and to outlive them).
--
-- Proven by tests/caller-paths.test.ts (every fixture caller, with and
-- without an active tenant, an API key, a role filter that drops a root) and
-- by the isolation matrix and tests/visible-users, unchanged.

create function tenancy.caller_paths(roles text[], out roots extensions.ltree[], out scope extensions.ltree[])
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
-- Called only by the security-definer helpers below (as their owner): nobody else may run it.
revoke all on function tenancy.caller_paths(text[]) from public, anon, authenticated, service_role, portal_app;

-- The tenants under some scope path and some root path. Called by the two set
-- helpers only when their memo misses.
create function tenancy.tenants_within(roots extensions.ltree[], scope extensions.ltree[]) returns uuid[]
  language plpgsql stable security definer
  set search_path = ''
  as $$
begin
  return array(
    select distinct t.id
      from unnest(scope) s(path)
      join public.tenants t on t.path operator(extensions.<@) s.path
     where t.path operator(extensions.<@) roots);
end
$$;
revoke all on function tenancy.tenants_within(extensions.ltree[], extensions.ltree[]) from public, anon, authenticated, service_role, portal_app;

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

create or replace function tenancy.user_is_visible(target uuid) returns boolean
  language plpgsql stable security definer cost 2000
  set search_path = ''
  as $$
declare
  -- Per row: the memo tenancy.caller_paths(null) keeps is read here directly when it is this
  -- caller's (its key, as caller_paths writes it), without a nested call (~20 us a row).
  memo constant text := coalesce(current_setting('tenancy.memo_generation', true), '') || '|paths||'
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
    select p.roots, p.scope into v_roots, v_scope from tenancy.caller_paths(null) p;
  end if;
  return exists (select 1
                   from public.memberships m
                   join public.tenants t on t.id = m.tenant_id
                  where m.user_id = target
                    and t.path operator(extensions.<@) v_scope
                    and t.path operator(extensions.<@) v_roots);
end
$$;

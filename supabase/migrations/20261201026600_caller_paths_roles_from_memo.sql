-- A role filter's paths from the transaction's every-role paths, without
-- reading the tables again (issue 13, point 7: the fixed cost of RLS).
--
-- Why: a policy that names roles (tenancy.tenant_ids_with_role(roles): the
-- health, reports, schedules, team and write policies) calls
-- tenancy.caller_paths(roles) on its first statement in a transaction, and
-- that ran THE rule's query again (memberships, tenants, the not-suspended
-- test) although withTenant's opening had just run it without a role filter
-- (tenancy.visible_tenant_ids() -> caller_paths(null)). Measured on Postgres 17
-- (psql, a warmed session, a customer admin with three sites): the first
-- tenant_ids_with_role of a role set 0.24-0.35 ms a round trip, the memo's
-- answer after it 0.10-0.13 ms. In the page bench every sample is a new
-- transaction, as every page is; 16.1 (a customer's health, one such policy)
-- ran at 0.51 ms against the owner's 0.23.
--
-- What: caller_paths(null) also keeps, for a person, the role of each root
-- ('tenancy.visible_root_roles', aligned with 'tenancy.visible_roots').
-- caller_paths(roles) for the same claims and generation then takes the roots
-- whose membership holds one of the roles, and the scope as the rule says
-- (the active tenant's path, kept as the every-role scope, else those roots).
-- That is the query's answer: its role filter is the only difference between
-- the two, and both drop the same suspended subtrees. An API key's paths are
-- still never kept, so a key never reaches the new branch, and a memo of other
-- claims or an older generation never matches its key. Signature, attributes,
-- owner and grants are unchanged (CREATE OR REPLACE keeps them).
--
-- tenancy.tenant_ids_with_role(roles) first asks that kept list directly: when
-- every root's role is one of the roles, its answer is the visible set (as
-- 20261201026000 decided from the two path lists, which it still does when
-- the list is not kept), without calling caller_paths at all. Measured the
-- same way (a loop of 2,000 first asks of a role set, each after clearing its
-- memo; a customer admin): 111-125 us a call before, 54-80 us with
-- caller_paths' new branch alone, 25-43 us with both (see the figures in
-- README.md). Its memo, signature, attributes, owner and grants are unchanged.
--
-- Proven by tests/caller-paths.test.ts (every fixture caller, every role set,
-- both orders of asking: from the every-role memo and from the tables; a
-- forged memo; an API key) and the isolation matrix, unchanged.

create or replace function tenancy.caller_paths(roles text[], out roots extensions.ltree[], out scope extensions.ltree[])
  language plpgsql stable security definer
  set search_path = ''
  as $$
declare
  -- tenancy.memo_key's parts without its parse of the claims (user_is_visible calls this per row).
  -- An API key's paths are never stored (below), so a key's claims never find a memo.
  prefix constant text := case when roles is null then 'tenancy.visible' else 'tenancy.roles_' || md5(roles::text) end;
  caller constant text := coalesce(current_setting('request.jwt.claim.sub', true), '') || '|'
      || coalesce(current_setting('request.jwt.claim', true), '') || '|'
      || coalesce(current_setting('request.jwt.claims', true), '');
  generation constant text := coalesce(current_setting('tenancy.memo_generation', true), '');
  memo constant text := generation || '|paths|' || coalesce(roles::text, '') || '|' || caller;
  root_roles text[];
begin
  if current_setting(prefix || '_paths_key', true) = memo then
    roots := current_setting(prefix || '_roots')::extensions.ltree[];
    scope := current_setting(prefix || '_scope')::extensions.ltree[];
    return;
  end if;
  if roles is not null and current_setting('tenancy.visible_paths_key', true) = generation || '|paths||' || caller then
    -- This person's every-role paths, kept for these claims in this generation: the role filter on them.
    roots := array(
      select r.path
        from unnest(current_setting('tenancy.visible_roots')::extensions.ltree[],
                    current_setting('tenancy.visible_root_roles')::text[]) as r(path, role)
       where r.role = any (roles));
    scope := case when tenancy.active_tenant_id() is null then roots
                  else current_setting('tenancy.visible_scope')::extensions.ltree[] end;
  else
    -- THE rule's starting point. Everything that decides which tenants a caller sees derives from here.
    with me as (select auth.uid() as uid, tenancy.active_tenant_id() as active, tenancy.api_key_id() as key),
    r as (
      select mt.path, m.role
        from public.memberships m
        join public.tenants mt on mt.id = m.tenant_id
       where m.user_id = (select uid from me)
         and (roles is null or m.role = any (roles))
         and not exists (select 1 from public.tenants s
                          where s.status <> 'active' and mt.path operator(extensions.<@) s.path)
      union all
      select kt.path, api.key_role(k.scopes, kt.kind)
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
    -- One pass over r for both arrays, so each root stays beside its role.
    select coalesce(rr.paths, '{}'), coalesce(rr.roles, '{}'), array(select path from s)
      into roots, root_roles, scope
      from (select array_agg(path) as paths, array_agg(role) as roles from r) rr;
  end if;
  if tenancy.memo_key('paths') is not null then  -- a person (an API key's are computed at every call)
    perform set_config(prefix || '_roots', roots::text, true),
            set_config(prefix || '_scope', scope::text, true),
            set_config(prefix || '_paths_key', memo, true);
    if roles is null then
      perform set_config('tenancy.visible_root_roles', root_roles::text, true);
    end if;
  end if;
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

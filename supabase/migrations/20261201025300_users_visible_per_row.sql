-- Who sees a person: the same rule, checked per row for the rows a statement
-- reads (issue 13, point 7: each query through RLS within 1.15x of the owner's).
--
-- The rule (20261123000100, "Users see themselves and the members of tenants
-- they can see"): a user row is visible to the caller when it is the caller,
-- or when the user has a membership in a tenant of tenancy.visible_tenant_ids().
--
-- Why: the policy was an EXISTS over memberships with
-- `tenant_id = any (array(select tenancy.visible_tenant_ids()))`, and
-- memberships has its own policy with the same set. The planner turns the
-- EXISTS into a hashed SubPlan: for an MSSP admin (~1,600 visible tenants)
-- every statement that joins users read every membership of every visible
-- tenant (~2,000 rows), each through a linear `= ANY` over ~1,600 ids, twice,
-- and read the visible set from the transaction's memo three times (~1.3 ms
-- each: the memo is ~60 kB of text parsed into uuid[]). Measured at 1,000
-- customers: the console alert page's timeline 30 ms through RLS against
-- 3.8 ms as owner, its assignee list 31 ms against 9 ms. Statements that join
-- users touch a handful of them (an alert's actors, an assignee list, who
-- created a key or a rule); none lists every user of a large scope.
--
-- What: tenancy.user_is_visible(target) answers the rule for one user, as the
-- owner (it must read memberships and tenants without RLS, as the other
-- helpers do): the user's memberships (memberships_user_id) and their
-- tenants' paths, tested against the caller's roots and scope, the two small
-- path sets tenancy.visible_tenant_ids() is built from, with the same SQL:
--   visible_tenant_ids() = { t : t.path <@ some scope path and t.path <@ some root path }
-- so "a membership in a visible tenant" is "a membership whose tenant's path
-- is under the scope and under a root". The roots and scope are kept for the
-- transaction as tenancy.visible_tenant_ids() keeps its answer (transaction-
-- local settings keyed by tenancy.memo_key, whose generation the statement
-- triggers on memberships, tenants and api_keys bump: a membership removed
-- or a tenant suspended counts from the next statement; an API key's are
-- computed at every call, as its visible set is). A person's paths are one
-- or two ltree values: reading them costs microseconds, not the set's 1.3 ms.
--
-- tests/visible-users.test.ts compares the new rule with the old one for
-- every fixture caller (people, a narrowed active tenant, an API key, a
-- suspension, a membership removed in the same transaction); a change to how
-- tenancy.visible_tenant_ids() finds roots or scope must be made here too,
-- and that test fails until it is.

-- COST: what a call costs against a page read (~30-50 us, a memo check and two index lookups), so the
-- planner looks users up by id for the few rows a statement joins instead of filtering users in id
-- order for a merge join (seen: 255 calls for an alert's 6 events, 42 ms, with the default 100).
create function tenancy.user_is_visible(target uuid) returns boolean
  language plpgsql stable security definer cost 2000
  set search_path = ''
  as $$
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
$$;
revoke all on function tenancy.user_is_visible(uuid) from public, anon, authenticated, service_role, portal_app;
grant execute on function tenancy.user_is_visible(uuid) to authenticated;

alter policy "Users see themselves and the members of tenants they can see" on public.users
  using (id = (select auth.uid()) or tenancy.user_is_visible(id));

-- tenancy.frozen_tenant_ids() answers only tenants the caller can see.
--
-- Why: the restrictive freeze policies (20261130000400) read it on every write, so `authenticated`
-- may execute it, and it answered every suspended or offboarded tenant's id, of every MSSP, to any
-- signed-in SQL caller: a person of one customer could list which tenants of other MSSPs are frozen
-- (and their ids, which nothing else of theirs reveals).
--
-- What: the same frozen set, intersected with the caller's visible set (tenancy.visible_ids(), the
-- transaction's memo). For the policies this changes nothing: every permissive write policy on a
-- table that carries the freeze policies admits only rows of visible tenants (visible_ids,
-- ids_with_role, or caller_admin_rank_on, which requires the target to be visible), so a row of a
-- frozen tenant the caller cannot see is refused by those whether or not it is in this set.
-- tests/lifecycle-suspend.test.ts keeps that true (a guard over the catalog) and checks the answer.
-- Cost: the frozen set is usually empty, and then the visible set is not read at all.
-- The job worker asked jobs_engine.tenant_is_frozen(tenant) as the service role, which has no visible
-- set: it now asks the tenants table itself (the same rule: the tenant or an ancestor is not active).
create or replace function tenancy.frozen_tenant_ids() returns setof uuid
  language plpgsql stable security definer
  set search_path = pg_catalog, pg_temp
  as $$
declare
  frozen uuid[];
  visible uuid[];
begin
  select pg_catalog.array_agg(t.id) into frozen
    from public.tenants s
    join public.tenants t on t.path operator(extensions.<@) s.path
   where s.status operator(pg_catalog.<>) 'active';
  if frozen is null then
    return;
  end if;
  visible := tenancy.visible_ids();
  return query select f.id from pg_catalog.unnest(frozen) as f(id) where f.id operator(pg_catalog.=) any (visible);
end
$$;

create or replace function jobs_engine.tenant_is_frozen(tenant uuid) returns boolean
  language sql stable security definer
  set search_path = pg_catalog, pg_temp
  as $$
    select exists (select 1
                     from public.tenants t
                     join public.tenants s on t.path operator(extensions.<@) s.path
                    where t.id operator(pg_catalog.=) tenant
                      and s.status operator(pg_catalog.<>) 'active')
  $$;

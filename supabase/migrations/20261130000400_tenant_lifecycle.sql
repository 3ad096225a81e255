-- The tenant lifecycle (docs/tenant-lifecycle.md): provisioning, suspension,
-- offboarding with a grace period, and the tombstone an offboarded tenant
-- leaves behind.
--
-- States (public.tenants.status):
--   provisioning    the provisioning workflow is running; its users cannot sign in yet
--   active          normal
--   suspended       its users (and its sites' users) are locked out at their next
--                   request; staff above it read it but nobody writes to it; its jobs pause
--   deprovisioning  offboarding was asked for: suspended during the grace period
--                   (deprovision_after), then exported, crypto-shredded and purged
--   deprovisioned   the tombstone: no tenant-scoped row left but the audit trail,
--                   which the MSSP can still read; the slug stays reserved
--
-- Enforced here, in RLS, not in pages:
--   * a membership at or below a tenant that is not active opens nothing
--     (tenancy.visible_tenant_ids and tenancy.tenant_ids_with_role drop it);
--   * nothing is written to a tenant at or below one that is not active, by
--     anyone under RLS: a restrictive policy on every tenant-scoped table
--     (tests/tenant-lifecycle.test.ts fails if a table lacks it). The
--     lifecycle workflows themselves write through the service role.

alter table public.tenants drop constraint if exists tenants_status_check;
alter table public.tenants add constraint tenants_status_check
  check (status in ('provisioning', 'active', 'suspended', 'deprovisioning', 'deprovisioned'));
-- The MSSP is the root of everything it runs; it is never suspended or offboarded here.
alter table public.tenants add constraint tenants_mssp_stays_active check (kind <> 'mssp' or status = 'active');

alter table public.tenants
  add column plan text not null default 'standard' check (plan in ('starter', 'standard', 'enterprise')),
  -- Why the status last changed (a suspension's reason), shown to staff.
  add column status_reason text check (length(status_reason) <= 500),
  add column status_changed_at timestamptz,
  -- No foreign key: the tombstone outlives the person.
  add column status_changed_by uuid,
  -- When an offboarding's grace period ends.
  add column deprovision_after timestamptz;

-- Tenants that are not active, or below one that is not: frozen for writes.
-- Usually an empty set; evaluated once per statement (initPlan) by the
-- policies below, like the other helpers.
create function tenancy.frozen_tenant_ids() returns setof uuid
  language sql stable security definer
  set search_path = ''
  as $$
    select t.id
      from public.tenants s
      join public.tenants t on t.path operator(extensions.<@) s.path
     where s.status <> 'active'
  $$;

create or replace function tenancy.visible_tenant_ids() returns setof uuid
  language sql stable security definer
  set search_path = ''
  as $$
    with me as (select auth.uid() as uid, tenancy.active_tenant_id() as active),
    roots as (
      select mt.path
        from public.memberships m
        join public.tenants mt on mt.id = m.tenant_id
       where m.user_id = (select uid from me)
         -- A membership at or below a tenant that is not active opens nothing:
         -- its users are locked out; staff above it still see it.
         and not exists (select 1 from public.tenants s
                          where s.status <> 'active' and mt.path operator(extensions.<@) s.path)
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
  $$;

create or replace function tenancy.tenant_ids_with_role(roles text[]) returns setof uuid
  language sql stable security definer
  set search_path = ''
  as $$
    with me as (select auth.uid() as uid, tenancy.active_tenant_id() as active),
    roots as (
      select mt.path
        from public.memberships m
        join public.tenants mt on mt.id = m.tenant_id
       where m.user_id = (select uid from me) and m.role = any (roles)
         and not exists (select 1 from public.tenants s
                          where s.status <> 'active' and mt.path operator(extensions.<@) s.path)
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
  $$;

revoke execute on function tenancy.frozen_tenant_ids() from public;
grant execute on function tenancy.frozen_tenant_ids() to authenticated, service_role;

-- The restrictive write policies, on every tenant-scoped table that has RLS
-- (the audit trail excepted: refusals in a frozen tenant are still recorded).
-- A table added later needs the same three policies; the lifecycle test
-- checks every table in the catalog has them.
create function tenancy.add_frozen_write_policies(tbl regclass, col text) returns void
  language plpgsql
  set search_path = pg_catalog
  as $$
begin
  execute format($p$create policy "Nothing is added to a suspended or offboarded tenant"
    on %s as restrictive for insert to authenticated
    with check (%I <> all (array(select tenancy.frozen_tenant_ids())))$p$, tbl, col);
  execute format($p$create policy "Nothing changes in a suspended or offboarded tenant"
    on %s as restrictive for update to authenticated
    using (%I <> all (array(select tenancy.frozen_tenant_ids())))
    with check (%I <> all (array(select tenancy.frozen_tenant_ids())))$p$, tbl, col, col);
  execute format($p$create policy "Nothing is removed from a suspended or offboarded tenant"
    on %s as restrictive for delete to authenticated
    using (%I <> all (array(select tenancy.frozen_tenant_ids())))$p$, tbl, col);
end
$$;
revoke execute on function tenancy.add_frozen_write_policies(regclass, text) from public;

do $$
declare r record;
begin
  perform tenancy.add_frozen_write_policies('public.tenants', 'id');
  for r in
    select c.oid::regclass as tbl
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where n.nspname = 'public' and c.relkind in ('r', 'p') and c.relrowsecurity
       and c.relname <> 'audit_log'
       and exists (select 1 from pg_attribute a where a.attrelid = c.oid and a.attname = 'tenant_id' and not a.attisdropped)
  loop
    perform tenancy.add_frozen_write_policies(r.tbl, 'tenant_id');
  end loop;
end $$;

-- The jobs of a frozen tenant pause: the worker finds them here (lib/jobs).
create function jobs_engine.tenant_is_frozen(tenant uuid) returns boolean
  language sql stable security definer
  set search_path = ''
  as $$ select tenant = any (array(select tenancy.frozen_tenant_ids())) $$;
revoke execute on function jobs_engine.tenant_is_frozen(uuid) from public;
grant execute on function jobs_engine.tenant_is_frozen(uuid) to service_role;

-- Purging an offboarded tenant removes its last admin too: the last-admin
-- rule (20261123000700_team.sql) exempts tenants being offboarded, as it
-- exempts tenants being deleted.
create or replace function tenancy.keep_last_admin() returns trigger
  language plpgsql security definer
  set search_path = ''
  as $$
begin
  if old.role <> tenancy.admin_role_for(old.tenant_id) then
    return null;
  end if;
  -- A tenant being deleted, or offboarded with its subtree (its rows are
  -- purged), keeps no admin.
  if not exists (select 1 from public.tenants t where t.id = old.tenant_id)
     or exists (select 1 from public.tenants t join public.tenants s on t.path operator(extensions.<@) s.path
                 where t.id = old.tenant_id and s.status in ('deprovisioning', 'deprovisioned')) then
    return null;
  end if;
  if not exists (
    select 1 from public.memberships m
     where m.tenant_id = old.tenant_id and m.role = tenancy.admin_role_for(old.tenant_id)
  ) then
    raise exception 'cannot remove the last admin of this tenant; make someone else admin first'
      using errcode = '23514', hint = 'last_admin';
  end if;
  return null;
end
$$;


-- The last step of crypto-shredding an offboarded tenant: its key rows, whose
-- material destroy_tenant_keys already erased, go with the rest of its rows.
-- Refused for a tenant that is not being offboarded, or while any version
-- still holds wrapped material.
create function keyring.purge_tenant_keys(tenant uuid) returns integer
  language plpgsql security definer
  set search_path = ''
  as $$
declare
  n integer;
begin
  if not exists (select 1 from public.tenants t join public.tenants s on t.path operator(extensions.<@) s.path
                  where t.id = tenant and s.status in ('deprovisioning', 'deprovisioned')) then
    raise exception 'only the keys of a tenant being offboarded are purged' using errcode = '55000';
  end if;
  if exists (select 1 from keyring.tenant_keys k where k.tenant_id = tenant and k.wrapped_dek is not null) then
    raise exception 'crypto-shred the tenant''s keys before purging them' using errcode = '55000';
  end if;
  delete from keyring.tenant_keys k where k.tenant_id = tenant;
  get diagnostics n = row_count;
  return n;
end
$$;
revoke execute on function keyring.purge_tenant_keys(uuid) from public;
grant execute on function keyring.purge_tenant_keys(uuid) to service_role;

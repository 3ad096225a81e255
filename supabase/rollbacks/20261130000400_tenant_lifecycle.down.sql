-- Rollback of 20261130000400_tenant_lifecycle: the tree goes back to
drop function if exists keyring.purge_tenant_keys(uuid);
-- active/suspended only (provisioning, offboarding and tombstoned tenants
-- become suspended, so nobody regains access by the rollback), the helpers
-- to their previous definitions, and the freeze policies go.
do $$
declare r record;
begin
  for r in
    select schemaname, tablename, policyname from pg_policies
     where policyname in ('Nothing is added to a suspended or offboarded tenant',
                          'Nothing changes in a suspended or offboarded tenant',
                          'Nothing is removed from a suspended or offboarded tenant')
  loop
    execute format('drop policy %I on %I.%I', r.policyname, r.schemaname, r.tablename);
  end loop;
end $$;
drop function if exists tenancy.add_frozen_write_policies(regclass, text);
drop function if exists jobs_engine.tenant_is_frozen(uuid);
drop function if exists tenancy.frozen_tenant_ids();

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
    ),
    -- The subtrees to search: the active tenant's when one is active (a GiST
    -- scan of one subtree, not a probe per tenant), else each membership root's.
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

-- Tenants where the caller holds one of `roles` (on the tenant or an
-- ancestor), narrowed by the active tenant like visible_tenant_ids().
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
    ),
    -- The subtrees to search: the active tenant's when one is active (a GiST
    -- scan of one subtree, not a probe per tenant), else each membership root's.
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


alter table public.tenants drop constraint if exists tenants_mssp_stays_active;
alter table public.tenants drop constraint if exists tenants_status_check;
update public.tenants set status = 'suspended' where status not in ('active', 'suspended');
alter table public.tenants add constraint tenants_status_check check (status in ('active', 'suspended'));
alter table public.tenants
  drop column if exists plan,
  drop column if exists status_reason,
  drop column if exists status_changed_at,
  drop column if exists status_changed_by,
  drop column if exists deprovision_after;

create or replace function tenancy.keep_last_admin() returns trigger
  language plpgsql security definer
  set search_path = ''
  as $$
begin
  if old.role <> tenancy.admin_role_for(old.tenant_id) then
    return null;
  end if;
  if not exists (select 1 from public.tenants t where t.id = old.tenant_id) then
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


-- Rollback of 20261201027700_last_admin_serialized: keep_last_admin counts the
-- remaining admins without locking the tenant row first (two concurrent removals
-- can again leave a tenant with none).
create or replace function tenancy.keep_last_admin() returns trigger
  language plpgsql security definer
  set search_path = pg_catalog, pg_temp
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

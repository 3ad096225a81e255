-- The last admin of a tenant stays, also when two admins remove each other at once.
--
-- tenancy.keep_last_admin (a deferred constraint trigger on memberships) counts
-- the tenant's remaining admins at commit. Two transactions, each removing or
-- demoting the other admin, each still saw the other's admin row (its removal
-- not yet committed): both counts found one, both committed, and the tenant was
-- left with none. The trigger now takes the tenant row's lock first (FOR NO KEY
-- UPDATE: it waits for another such removal, not for inserts that merely
-- reference the tenant), so the second count runs after the first commit and
-- sees it. Otherwise unchanged from 20261130000400.
create or replace function tenancy.keep_last_admin() returns trigger
  language plpgsql security definer
  set search_path = pg_catalog, pg_temp
  as $$
begin
  if old.role <> tenancy.admin_role_for(old.tenant_id) then
    return null;
  end if;
  -- Serializes the removals of a tenant's admins: this count sees every one committed before it.
  perform 1 from public.tenants t where t.id = old.tenant_id for no key update;
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

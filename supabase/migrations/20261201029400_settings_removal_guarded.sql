-- Removing or renaming a setting follows the rules of writing it (a security fix).
--
-- Why: the triggers of 20261201001000 (nothing set below a lock; features.*, limits.*,
-- integrations.* written by an MSSP admin only) and of 20261201020000 (branding.hide_mssp_brand, the
-- same) ran on INSERT and UPDATE and looked at NEW only, while the DELETE policy lets a tenant's
-- admin delete any row of their tenant. So a customer's admin, running SQL as `authenticated`,
-- could delete the MSSP's limits.users at their tenant (back to the default), or rename the MSSP's
-- features.reports row into a key of their own (`update … set key = 'locale.language'`).
--
-- How: the three triggers also fire on DELETE, and on UPDATE and DELETE they check OLD's key and
-- tenant as INSERT checks NEW's:
--   settings.refuse_customer_write        a row of an MSSP-only group is deleted, or moved away from
--   settings.refuse_customer_whitelabel   its key, only by an MSSP admin of its tenant;
--   settings.refuse_under_lock            a row below a lock is deleted, or renamed away from the
--                                         locked key, only by an admin of the tenant holding the
--                                         lock (placing a lock removes the values below it,
--                                         lib/settings/write.ts lockSettingValue). Signed-in callers
--                                         only (SET ROLE authenticated): the owner deleting a tenant
--                                         cascades to its rows, and the service role is never asked.
-- What was refused on INSERT and UPDATE of NEW stays refused, with the same messages and hints.

create or replace function settings.refuse_under_lock() returns trigger
language plpgsql security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  holder record;
  gone   boolean := tg_op = 'DELETE';
begin
  if (select auth.role()) = 'service_role' then
    if tg_op = 'DELETE' then return old; end if;
    return new;
  end if;
  if tg_op <> 'DELETE' then
    select a.name as tenant, coalesce(u.name, u.email, 'unknown') as who
      into holder
      from public.tenants t
      join public.tenants a on a.path operator(extensions.@>) t.path and a.id <> t.id
      join public.tenant_settings s on s.tenant_id = a.id and s.key = new.key and s.locked
      left join public.users u on u.id = s.changed_by
     where t.id = new.tenant_id
     order by extensions.nlevel(a.path)
     limit 1;
    if found then
      raise exception '% is locked by % (%)', new.key, holder.tenant, holder.who
        using errcode = '42501', hint = 'setting_locked';
    end if;
  end if;
  -- The value that goes away: a deleted row, or one renamed or moved away from its key and tenant.
  if tg_op = 'UPDATE' then
    gone := old.key <> new.key or old.tenant_id <> new.tenant_id;
  end if;
  if gone then
    if current_setting('role') = 'authenticated' then
      select a.id, a.name as tenant, coalesce(u.name, u.email, 'unknown') as who
        into holder
        from public.tenants t
        join public.tenants a on a.path operator(extensions.@>) t.path and a.id <> t.id
        join public.tenant_settings s on s.tenant_id = a.id and s.key = old.key and s.locked
        left join public.users u on u.id = s.changed_by
       where t.id = old.tenant_id
       order by extensions.nlevel(a.path)
       limit 1;
      if found and not (holder.id = any (array(select tenancy.tenant_ids_with_role('{mssp_admin,tenant_admin}')))) then
        raise exception '% is locked by % (%)', old.key, holder.tenant, holder.who
          using errcode = '42501', hint = 'setting_locked';
      end if;
    end if;
  end if;
  if tg_op = 'DELETE' then return old; end if;
  return new;
end
$$;

create or replace function settings.refuse_customer_write() returns trigger
language plpgsql
set search_path = pg_catalog, pg_temp
as $$
begin
  if current_user::text = 'authenticated' then
    if tg_op <> 'DELETE' then
      if split_part(new.key, '.', 1) in ('features', 'limits', 'integrations')
         and not (new.tenant_id = any (array(select tenancy.tenant_ids_with_role('{mssp_admin}')))) then
        raise exception '% is set by the MSSP only', new.key
          using errcode = '42501', hint = 'setting_mssp_only';
      end if;
    end if;
    -- Nor removed, or renamed away, by anyone else.
    if tg_op <> 'INSERT' then
      if split_part(old.key, '.', 1) in ('features', 'limits', 'integrations')
         and not (old.tenant_id = any (array(select tenancy.tenant_ids_with_role('{mssp_admin}')))) then
        raise exception '% is set by the MSSP only', old.key
          using errcode = '42501', hint = 'setting_mssp_only';
      end if;
    end if;
  end if;
  if tg_op = 'DELETE' then return old; end if;
  return new;
end
$$;

create or replace function settings.refuse_customer_whitelabel() returns trigger
language plpgsql
set search_path = pg_catalog, pg_temp
as $$
begin
  if current_user::text = 'authenticated' then
    if tg_op <> 'DELETE' then
      if new.key = 'branding.hide_mssp_brand'
         and not (new.tenant_id = any (array(select tenancy.tenant_ids_with_role('{mssp_admin}')))) then
        raise exception '% is set by the MSSP only', new.key
          using errcode = '42501', hint = 'setting_mssp_only';
      end if;
    end if;
    if tg_op <> 'INSERT' then
      if old.key = 'branding.hide_mssp_brand'
         and not (old.tenant_id = any (array(select tenancy.tenant_ids_with_role('{mssp_admin}')))) then
        raise exception '% is set by the MSSP only', old.key
          using errcode = '42501', hint = 'setting_mssp_only';
      end if;
    end if;
  end if;
  if tg_op = 'DELETE' then return old; end if;
  return new;
end
$$;

-- The same names, so the order stays: the lock first (its message says more).
drop trigger tenant_settings_1_locked on public.tenant_settings;
drop trigger tenant_settings_2_mssp_only on public.tenant_settings;
drop trigger tenant_settings_3_whitelabel_mssp_only on public.tenant_settings;
create trigger tenant_settings_1_locked
  before insert or update or delete on public.tenant_settings
  for each row execute function settings.refuse_under_lock();
create trigger tenant_settings_2_mssp_only
  before insert or update or delete on public.tenant_settings
  for each row execute function settings.refuse_customer_write();
create trigger tenant_settings_3_whitelabel_mssp_only
  before insert or update or delete on public.tenant_settings
  for each row execute function settings.refuse_customer_whitelabel();

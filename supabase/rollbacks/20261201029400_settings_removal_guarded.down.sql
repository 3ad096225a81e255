-- Rollback of 20261201029400_settings_removal_guarded: the three setting triggers fire on INSERT and
-- UPDATE again and check NEW only (a tenant's admin may again delete or rename away a row of an
-- MSSP-only setting, or one below a lock). The bodies are 20261201001000's and 20261201020000's, byte
-- for byte, with the search_path 20261201027300 gave them.
drop trigger tenant_settings_1_locked on public.tenant_settings;
drop trigger tenant_settings_2_mssp_only on public.tenant_settings;
drop trigger tenant_settings_3_whitelabel_mssp_only on public.tenant_settings;

create or replace function settings.refuse_under_lock() returns trigger
language plpgsql security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  holder record;
begin
  if (select auth.role()) = 'service_role' then
    return new;
  end if;
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
  return new;
end
$$;

create or replace function settings.refuse_customer_write() returns trigger
language plpgsql
set search_path = pg_catalog, pg_temp
as $$
begin
  if split_part(new.key, '.', 1) in ('features', 'limits', 'integrations')
     and current_user::text = 'authenticated'
     and not (new.tenant_id = any (array(select tenancy.tenant_ids_with_role('{mssp_admin}')))) then
    raise exception '% is set by the MSSP only', new.key
      using errcode = '42501', hint = 'setting_mssp_only';
  end if;
  return new;
end
$$;

create or replace function settings.refuse_customer_whitelabel() returns trigger
language plpgsql
set search_path = pg_catalog, pg_temp
as $$
begin
  if new.key = 'branding.hide_mssp_brand'
     and current_user::text = 'authenticated'
     and not (new.tenant_id = any (array(select tenancy.tenant_ids_with_role('{mssp_admin}')))) then
    raise exception '% is set by the MSSP only', new.key
      using errcode = '42501', hint = 'setting_mssp_only';
  end if;
  return new;
end
$$;

create trigger tenant_settings_1_locked
  before insert or update on public.tenant_settings
  for each row execute function settings.refuse_under_lock();
create trigger tenant_settings_2_mssp_only
  before insert or update on public.tenant_settings
  for each row execute function settings.refuse_customer_write();
create trigger tenant_settings_3_whitelabel_mssp_only
  before insert or update on public.tenant_settings
  for each row execute function settings.refuse_customer_whitelabel();

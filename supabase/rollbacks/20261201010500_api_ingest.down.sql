-- Rollback of 20261201010500_api_ingest: collectors and sealed raw events go
-- (a rolled-back database has no API ingestion), so do the external ids;
-- keyring.retire_tenant_key is again as 20261201003000_workflows made it.
drop table if exists public.collectors;
drop table if exists public.alert_raw_events;
drop index if exists public.assets_tenant_external;
alter table public.assets drop column if exists external_id;
drop index if exists public.alerts_tenant_source_external;
alter table public.alerts drop column if exists external_id;

create or replace function keyring.retire_tenant_key(tenant uuid, dek_version integer) returns void
  language plpgsql volatile security definer set search_path = ''
  as $$
begin
  perform 1 from keyring.tenant_keys t
   where t.tenant_id = tenant and t.version = dek_version and t.status = 'retiring' for update;
  if not found then
    raise exception 'key version % of tenant % is not retiring', dek_version, tenant using errcode = '55000';
  end if;
  if exists (select 1 from public.credentials c where c.tenant_id = tenant and c.key_version = dek_version)
     or exists (select 1 from public.notification_channels n where n.tenant_id = tenant and n.key_version = dek_version) then
    raise exception 'key version % of tenant % still seals credentials', dek_version, tenant using errcode = '55000';
  end if;
  update keyring.tenant_keys t set status = 'retired', wrapped_dek = null, retired_at = now()
   where t.tenant_id = tenant and t.version = dek_version;
end
$$;

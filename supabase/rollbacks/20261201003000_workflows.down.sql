-- Rollback of 20261201003000_workflows: rules, their history and runs,
-- channels and their deliveries go (a rolled-back database has no workflows),
-- with their queued jobs; keyring.retire_tenant_key is again as
-- 20261129000100_keyring made it (credentials only).
drop trigger if exists alerts_workflows_evaluate on public.alerts;
do $$
begin
  if to_regprocedure('graphile_worker.remove_job(text)') is not null then
    perform graphile_worker.remove_job(j.key) from graphile_worker.jobs j
     where j.key like 'notify:%' or j.key like 'workflows:%';
  end if;
exception when others then null;
end
$$;
-- The schema first: its functions take the tables' row types.
drop schema if exists workflows cascade;
drop table if exists public.workflow_rule_runs;
drop table if exists public.workflow_rule_versions;
drop table if exists public.workflow_rules;
drop table if exists public.notification_attempts;
drop table if exists public.notification_deliveries;
drop table if exists public.notification_channels;

create or replace function keyring.retire_tenant_key(tenant uuid, dek_version integer) returns void
  language plpgsql volatile security definer set search_path = ''
  as $$
begin
  perform 1 from keyring.tenant_keys t
   where t.tenant_id = tenant and t.version = dek_version and t.status = 'retiring' for update;
  if not found then
    raise exception 'key version % of tenant % is not retiring', dek_version, tenant using errcode = '55000';
  end if;
  if exists (select 1 from public.credentials c where c.tenant_id = tenant and c.key_version = dek_version) then
    raise exception 'key version % of tenant % still seals credentials', dek_version, tenant using errcode = '55000';
  end if;
  update keyring.tenant_keys t set status = 'retired', wrapped_dek = null, retired_at = now()
   where t.tenant_id = tenant and t.version = dek_version;
end
$$;

-- Rollback of 20261201031100_alerts_assets_written_by_keys: analysts and admins insert alerts and
-- insert or update any column of an asset again; no database check of limits.assets or of
-- features.alert_triage.
drop trigger comments_feature_guard on public.alert_events;
drop trigger workflow_feature_guard on public.alerts;
drop function triage.refuse_without_triage_feature();

drop trigger zz_assets_limit on public.assets;
drop function settings.refuse_past_asset_limit();

revoke update (external_id, hostname, ip_address, os, kind, criticality, owner_email, last_seen_at)
  on public.assets from authenticated;
revoke insert (tenant_id, external_id, hostname, ip_address, os, kind, criticality, owner_email, last_seen_at)
  on public.assets from authenticated;
grant insert, update on public.assets to authenticated;

alter policy "API keys with assets:write update assets in their tenants" on public.assets
  using (tenant_id = any ((select tenancy.ids_with_role('{mssp_admin,mssp_analyst,tenant_admin,tenant_analyst}'))::uuid[]))
  with check (tenant_id = any ((select tenancy.ids_with_role('{mssp_admin,mssp_analyst,tenant_admin,tenant_analyst}'))::uuid[]));
alter policy "API keys with assets:write update assets in their tenants" on public.assets
  rename to "Analysts and admins update assets in their tenants";

alter policy "API keys with assets:write register assets in their tenants" on public.assets
  with check (tenant_id = any ((select tenancy.ids_with_role('{mssp_admin,mssp_analyst,tenant_admin,tenant_analyst}'))::uuid[]));
alter policy "API keys with assets:write register assets in their tenants" on public.assets
  rename to "Analysts and admins register assets in their tenants";

alter policy "API keys with alerts:write create alerts in their tenants" on public.alerts
  with check (tenant_id = any ((select tenancy.ids_with_role('{mssp_admin,mssp_analyst,tenant_admin,tenant_analyst}'))::uuid[]));
alter policy "API keys with alerts:write create alerts in their tenants" on public.alerts
  rename to "Analysts and admins create alerts in their tenants";

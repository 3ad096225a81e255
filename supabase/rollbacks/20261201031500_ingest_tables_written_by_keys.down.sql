-- Rollback of 20261201031500_ingest_tables_written_by_keys: analysts and admins insert raw events
-- and insert or update any column of collectors and collector checkpoints again (the policies and
-- table grants as 20261201010500, 20261201011500 and 20261201027000 left them).
revoke update (cursor, alerts_sent, last_sent_at)
  on public.collector_checkpoints from authenticated;
revoke insert (tenant_id, collector_id, credential_id, cursor, alerts_sent, last_sent_at)
  on public.collector_checkpoints from authenticated;
grant insert, update on public.collector_checkpoints to authenticated;

alter policy "API keys with collectors:write advance collector checkpoints" on public.collector_checkpoints
  using (tenant_id = any ((select tenancy.ids_with_role('{mssp_admin,mssp_analyst,tenant_admin,tenant_analyst}'))::uuid[]))
  with check (tenant_id = any ((select tenancy.ids_with_role('{mssp_admin,mssp_analyst,tenant_admin,tenant_analyst}'))::uuid[]));
alter policy "API keys with collectors:write advance collector checkpoints" on public.collector_checkpoints
  rename to "Analysts and admins advance collector checkpoints in their tena";

alter policy "API keys with collectors:write record collector checkpoints" on public.collector_checkpoints
  with check (tenant_id = any ((select tenancy.ids_with_role('{mssp_admin,mssp_analyst,tenant_admin,tenant_analyst}'))::uuid[]));
alter policy "API keys with collectors:write record collector checkpoints" on public.collector_checkpoints
  rename to "Analysts and admins record collector checkpoints in their tenan";

revoke update (version, hostname, last_heartbeat_at, last_pull_at, last_error, last_error_at)
  on public.collectors from authenticated;
revoke insert (tenant_id, name, version, hostname, last_heartbeat_at, last_pull_at, last_error, last_error_at)
  on public.collectors from authenticated;
grant insert, update on public.collectors to authenticated;

alter policy "API keys with collectors:write report collector status" on public.collectors
  using (tenant_id = any ((select tenancy.ids_with_role('{mssp_admin,mssp_analyst,tenant_admin,tenant_analyst}'))::uuid[]))
  with check (tenant_id = any ((select tenancy.ids_with_role('{mssp_admin,mssp_analyst,tenant_admin,tenant_analyst}'))::uuid[]));
alter policy "API keys with collectors:write report collector status" on public.collectors
  rename to "Analysts and admins report collector status in their tenants";

alter policy "API keys with collectors:write register collectors" on public.collectors
  with check (tenant_id = any ((select tenancy.ids_with_role('{mssp_admin,mssp_analyst,tenant_admin,tenant_analyst}'))::uuid[]));
alter policy "API keys with collectors:write register collectors" on public.collectors
  rename to "Analysts and admins register collectors in their tenants";

revoke insert (tenant_id, alert_id, sealed, key_version) on public.alert_raw_events from authenticated;
grant insert on public.alert_raw_events to authenticated;

alter policy "API keys with alerts:write store raw events in their tenants" on public.alert_raw_events
  with check (tenant_id = any ((select tenancy.ids_with_role('{mssp_admin,mssp_analyst,tenant_admin,tenant_analyst}'))::uuid[]));
alter policy "API keys with alerts:write store raw events in their tenants" on public.alert_raw_events
  rename to "Analysts and admins store raw events in their tenants";

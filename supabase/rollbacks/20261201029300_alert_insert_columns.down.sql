-- Rollback of 20261201029300_alert_insert_columns: authenticated inserts any column of an alert again.
revoke insert (tenant_id, title, description, severity, source, external_id, rule_name, hostname, source_ip, asset_id, detected_at)
  on public.alerts from authenticated;
grant insert on public.alerts to authenticated;

-- Rollback of 20261201028100_alert_update_columns: authenticated may update every column again.
revoke update (status, close_reason, assigned_to, assigned_group_tenant_id, assigned_group_id) on public.alerts from authenticated;
grant update on public.alerts to authenticated;

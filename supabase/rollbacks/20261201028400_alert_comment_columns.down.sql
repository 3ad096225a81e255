-- Rollback of 20261201028400_alert_comment_columns: authenticated inserts any column again (the policy still keeps it to comments).
revoke insert (tenant_id, alert_id, kind, actor_id, body) on public.alert_events from authenticated;
grant insert on public.alert_events to authenticated;

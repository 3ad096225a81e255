-- Rollback of 20261201032300_platform_counters_unreadable: members read every column of usage events
-- and health transitions again, their ids included.
revoke select (tenant_id, metric, quantity, occurred_at, recorded_at, idempotency_key, source) on public.usage_events from authenticated;
grant select on public.usage_events to authenticated;

revoke select (tenant_id, from_state, to_state, reasons, occurred_at, notified) on public.tenant_health_transitions from authenticated;
grant select on public.tenant_health_transitions to authenticated;

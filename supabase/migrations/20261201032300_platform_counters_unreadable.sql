-- Platform-wide counters are not a member's to read: the `id` of usage events and of health
-- transitions is not granted to `authenticated`.
--
-- Why: both ids come from one identity sequence shared by every tenant of every MSSP
-- (public.usage_events_id_seq, public.tenant_health_transitions_id_seq). A customer's admin who reads
-- two of its own usage events (SQL as them, a Supabase Data API: `select id, recorded_at from
-- usage_events`) learned from the gap how many usage events (ingested alerts, API requests) every other
-- tenant of the platform recorded in between, and a customer's analyst the same of health changes from
-- two of its health transitions: other tenants' activity, read through rows RLS rightly shows.
--
-- How: SELECT on these two tables becomes SELECT on every column but `id`. Nothing the portal runs as
-- `authenticated` reads the id (the health board orders its latest changes by time and tenant,
-- lib/health/page-data.ts); the service role (metering, rollups, the evaluation, archives) keeps the
-- whole table. A column added to either table later is unreadable by members until granted here.
-- tests/side-channels.test.ts.
revoke select on public.usage_events from authenticated;
grant select (tenant_id, metric, quantity, occurred_at, recorded_at, idempotency_key, source) on public.usage_events to authenticated;

revoke select on public.tenant_health_transitions from authenticated;
grant select (tenant_id, from_state, to_state, reasons, occurred_at, notified) on public.tenant_health_transitions to authenticated;

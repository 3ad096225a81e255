-- What the offboarding's purge reads to find the health-change deliveries about an offboarded
-- subtree held in other tenants' channels (lib/lifecycle/offboard-copies.ts).
--
-- Why: a health delivery (reason 'health', lib/health/notify.ts) is keyed by its channel's tenant
-- (an ancestor's default webhook) and names the tenant whose health changed only in its payload
-- (payload.health.tenant_id): it has no alert, so alert_tenant_id is null and the
-- notification_deliveries_alert index (20261201031200) does not find it. Without this index the
-- purge would read every delivery of every tenant to find the few about the offboarded ones.
-- Partial: only health deliveries carry the key, a small share of all deliveries; the text form is
-- the payload's own (a uuid as lib/health writes it), so no cast can fail on insert.
-- Its cost: one more index entry per health delivery written; payloads never change.
--
-- Built in the migration's transaction like the other indexes (20261201031200): CREATE INDEX holds
-- a SHARE lock on the table while it builds, so new deliveries wait for it (reads do not).
create index notification_deliveries_health on public.notification_deliveries ((payload #>> '{health,tenant_id}'))
  where reason = 'health';

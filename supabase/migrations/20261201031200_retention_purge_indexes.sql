-- What the daily retention purge reads (lib/retention/purge.ts, limits.data_retention_days).
--
-- Why: the purge takes each tenant's expired alerts oldest first, a bounded batch per transaction
-- (where tenant_id = $1 and created_at < $cutoff order by created_at limit $batch), and no alerts
-- index held created_at: every batch read all of the tenant's alerts by tenant_id and sorted them,
-- so a tenant with 2M alerts and nothing to purge still cost a read of all of them every day (the
-- plan test in tests/retention-notifications.test.ts shows it). The retention counts from
-- created_at, when the alert arrived in the portal (docs/configuration.md: "days alerts are kept
-- after they arrive"), not from detected_at, which the source reports and may lie far in the past
-- (a backfill: purged the day it arrived) or ahead (a skewed clock): so a (tenant_id, created_at)
-- index, named like alerts_tenant_detected, rather than a new meaning for the setting.
-- Its cost: one more index entry written per ingested alert; created_at never changes, so the
-- triage's updates are not affected by it.
--
-- The purge also deletes, past the alert tenant's cut-off, the notification deliveries about its
-- alerts (their payload is the alert's summary and no foreign key ties them to the alert), found by
-- (alert_tenant_id, created_at); the deliveries' own mail.outbox messages by id; and the alert
-- mails no delivery tracks (outbox_tenant), each checked for a delivery still holding it by
-- (tenant_id, mail_id): a delivery's message goes with its delivery, never before it.
--
-- Built in the migration's transaction like the other indexes (20261201023700, 20261201026200):
-- CREATE INDEX holds a SHARE lock on the table while it builds, so ingestion waits for it (reads
-- do not); on a very large installation apply this migration in a quiet hour.
create index alerts_tenant_created on public.alerts (tenant_id, created_at);
create index notification_deliveries_alert on public.notification_deliveries (alert_tenant_id, created_at)
  where alert_tenant_id is not null;
create index notification_deliveries_mail on public.notification_deliveries (tenant_id, mail_id)
  where mail_id is not null;

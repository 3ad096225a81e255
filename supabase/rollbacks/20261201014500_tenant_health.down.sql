-- Rollback of 20261201014500_tenant_health: health states and their history
-- go (a rolled-back portal evaluates no health); the webhook deliveries that
-- announced health changes go with them, since the older reason check does
-- not admit them.
drop table if exists public.tenant_health_transitions;
drop table if exists public.tenant_health;
delete from public.notification_deliveries where reason = 'health';
alter table public.notification_deliveries drop constraint if exists notification_deliveries_reason_check;
alter table public.notification_deliveries add constraint notification_deliveries_reason_check
  check (reason in ('test', 'rule', 'escalation'));

-- Rollback of 20261201002000_alert_triage: the timeline, comments and saved
-- filters go; acknowledged and in-progress alerts become 'investigating'
-- again (the one open status after 'new' before this migration), and the
-- close reasons and acknowledgement times are dropped with their columns.
drop table if exists public.alert_saved_filters;
drop table if exists public.alert_events;
drop trigger if exists workflow_timeline on public.alerts;
drop trigger if exists workflow_guard on public.alerts;
drop schema if exists triage cascade;
drop index if exists public.alerts_tenant_assignee;
drop index if exists public.alerts_search;
alter table public.alerts
  drop column if exists search,
  drop column if exists close_reason,
  drop column if exists acknowledged_at;
alter table public.alerts drop constraint if exists alerts_status_check;
update public.alerts set status = 'investigating' where status in ('acknowledged', 'in_progress');
alter table public.alerts add constraint alerts_status_check
  check (status in ('new', 'investigating', 'resolved', 'false_positive'));

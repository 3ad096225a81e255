-- Rollback of 20261201011000_assignee_groups: groups, their members and every
-- alert's group go (a rolled-back database has no groups); the timeline's
-- group entries are removed with their columns, and the kind check is again
-- as 20261201002000_alert_triage made it.
drop trigger if exists tenants_prune_groups on public.tenants;
drop trigger if exists memberships_prune_groups on public.memberships;
drop trigger if exists workflow_group_timeline on public.alerts;
drop trigger if exists workflow_group_guard on public.alerts;
drop function if exists triage.prune_groups_after_move();
drop function if exists triage.prune_group_members_of_user();
drop function if exists triage.record_alert_group_change();
drop function if exists triage.check_alert_group();
drop function if exists triage.check_group_member() cascade;
drop function if exists workflows.groups_for(uuid);

delete from public.alert_events where kind = 'group';
alter table public.alert_events
  drop constraint if exists alert_events_kind_check,
  drop column if exists from_group,
  drop column if exists to_group;
alter table public.alert_events add constraint alert_events_kind_check check (kind in ('status', 'assignment', 'comment'));

drop index if exists public.alerts_assigned_group;
drop index if exists public.alerts_tenant_group;
alter table public.alerts
  drop constraint if exists alerts_assigned_group_fkey,
  drop constraint if exists alerts_assigned_group_pair,
  drop column if exists assigned_group_id,
  drop column if exists assigned_group_tenant_id;

drop table if exists public.assignee_group_members;
drop table if exists public.assignee_groups;

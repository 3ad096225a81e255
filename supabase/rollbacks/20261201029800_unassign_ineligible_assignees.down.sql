-- Rollback of 20261201029800_unassign_ineligible_assignees: assignees are kept after their eligibility
-- ends again. The alerts that migration and its triggers unassigned stay unassigned (their timelines
-- say so); nothing here reassigns them to someone who may not be assigned them.
drop function workflows.people_standing(uuid[], uuid[], boolean);
drop trigger workflow_reopen_unassign on public.alerts;
drop trigger tenants_unassign_alerts on public.tenants;
drop trigger memberships_unassign_alerts_on_downgrade on public.memberships;
drop trigger memberships_unassign_alerts on public.memberships;
drop function triage.unassign_reopened_alert();
drop function triage.unassign_alerts_after_move();
drop function triage.unassign_alerts_of_member();

-- Rollback of 20261201028200_group_delete_timeline_name: the foreign key clears deleted groups' alerts again.
drop trigger assignee_groups_ungroup_alerts on public.assignee_groups;
drop function triage.ungroup_alerts_of_deleted_group();

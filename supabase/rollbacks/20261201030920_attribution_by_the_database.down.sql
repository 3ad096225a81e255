-- Rollback of 20261201030920_attribution_by_the_database: changed_by / changed_at, created_by /
-- created_at / updated_at and added_by / added_at are again whatever the writer says.
drop trigger if exists assignee_group_members_attributed on public.assignee_group_members;
drop function if exists triage.attribute_group_member();
drop trigger if exists assignee_groups_attributed on public.assignee_groups;
drop function if exists triage.attribute_group();
drop trigger if exists tenant_settings_0_attributed on public.tenant_settings;
drop function if exists settings.attribute_change();

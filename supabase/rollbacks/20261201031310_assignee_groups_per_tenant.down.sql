-- Rollback of 20261201031310_assignee_groups_per_tenant: a tenant may hold any number of assignee groups again.
drop trigger assignee_groups_limit on public.assignee_groups;
drop function workflows.refuse_past_group_limit();

-- Rollback of 20261201029420_workflow_rules_per_tenant: a tenant may hold any number of rules again.
drop trigger workflow_rules_limit on public.workflow_rules;
drop function workflows.refuse_past_rule_limit();

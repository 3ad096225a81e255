-- Rollback of 20261201028300_escalation_delay_lowered: a lowered delay keeps the queued jobs' times again.
drop trigger workflow_rules_escalation_lowered on public.workflow_rules;
drop function workflows.escalations_follow_lowered_delay();

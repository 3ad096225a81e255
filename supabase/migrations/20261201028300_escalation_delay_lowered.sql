-- A rule whose escalation delay is lowered escalates its pending alerts at the new time (docs/workflows.md).
--
-- Why: each matching alert's escalation is a graphile-worker job queued at arrival + N minutes. A job run
-- before its time (the delay was raised) queues itself again for the new time, but a lowered delay kept
-- the job's original time: an admin who cut a critical rule's escalation from 60 to 15 minutes still saw
-- the alerts already waiting escalate after an hour.
--
-- How: when a rule's delay goes down, its waiting escalation jobs (job key
-- workflows:escalate:<alert>:<rule>) are made due now. Each then runs, finds its new due time from the
-- rule as it is, and either escalates (past it) or queues itself again for that time (lib/rules/engine.ts
-- escalateAlert). Without graphile-worker's schema (a database migrated by the Supabase CLI alone) there
-- is nothing to move.
create function workflows.escalations_follow_lowered_delay() returns trigger
  language plpgsql security definer
  set search_path = pg_catalog, pg_temp
  as $$
begin
  if to_regclass('graphile_worker._private_jobs') is null then
    return null;
  end if;
  update graphile_worker._private_jobs j set run_at = now()
   where j.key like 'workflows:escalate:%:' || new.id::text
     and j.locked_at is null
     and j.run_at > now();
  return null;
end
$$;
revoke all on function workflows.escalations_follow_lowered_delay() from public, anon, authenticated, service_role, portal_app;
create trigger workflow_rules_escalation_lowered after update of definition on public.workflow_rules
  for each row
  when ((new.definition #>> '{escalation,afterMinutes}')::numeric < (old.definition #>> '{escalation,afterMinutes}')::numeric)
  execute function workflows.escalations_follow_lowered_delay();

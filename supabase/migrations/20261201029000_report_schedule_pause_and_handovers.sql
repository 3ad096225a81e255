-- Report schedules that pause, and queued reports handed over again while the app runs (lib/reports,
-- docs/reports.md).
--
-- Why: a schedule whose author lost access (membership removed, role lowered, the PDP's
-- reports:export no longer allowed) made a report that failed at every run, for ever; and a queued
-- report whose graphile-worker job was used up (attempts exhausted) or gone before the report started
-- waited until the next install (reports.dispatch_pending() runs only there).
--
-- public.report_schedules.paused_at / paused_reason: set by the worker (service role) when a run shows
--   the author lacks access; a paused schedule is not due. People with reports:export resume it (as
--   themselves: created_by becomes theirs, next_run_at the next Monday / 1st): the update below, only
--   to clear the pause, and only these columns.
-- public.reports.handovers: how many times reports.hand_over_stranded() gave the report a new job.
--   People insert it as 0; past the bound the hourly task fails the report instead.

alter table public.report_schedules
  add column paused_at timestamptz,
  add column paused_reason text check (length(paused_reason) <= 500),
  add constraint report_schedules_paused_has_reason check ((paused_at is null) = (paused_reason is null));

-- The due schedules, without the paused ones (whose next_run_at stays in the past).
create index report_schedules_due_unpaused on public.report_schedules (next_run_at) where paused_at is null;
drop index public.report_schedules_due;

grant update (paused_at, paused_reason, created_by, next_run_at) on public.report_schedules to authenticated;
create policy "Admins and analysts resume paused report schedules of their tenants, as themselves"
  on public.report_schedules for update to authenticated
  using (tenant_id = any ((select tenancy.ids_with_role('{mssp_admin,mssp_analyst,tenant_admin,tenant_analyst}'))::uuid[])
         and paused_at is not null)
  with check (tenant_id = any ((select tenancy.ids_with_role('{mssp_admin,mssp_analyst,tenant_admin,tenant_analyst}'))::uuid[])
              and created_by = (select auth.uid()) and paused_at is null and paused_reason is null);

alter table public.reports
  add column handovers smallint not null default 0 check (handovers between 0 and 100);

drop policy "Admins and analysts ask for reports of their tenants, as themselves, queued" on public.reports;
create policy "Admins and analysts ask for reports of their tenants, as themselves, queued"
  on public.reports for insert to authenticated
  with check (tenant_id = any ((select tenancy.ids_with_role('{mssp_admin,mssp_analyst,tenant_admin,tenant_analyst}'))::uuid[])
              and created_by = (select auth.uid()) and status = 'queued' and content is null and progress = 0 and handovers = 0);

-- Every queued report no graphile-worker job will start: its job is gone, or used up (no attempt
-- left) and not locked within graphile-worker's own 4 hours. A report with a job that may still run
-- (attempts left, or locked now) is left alone, so no second job is made. Each one found gets a new
-- job (reports.dispatch, after removing the spent one) and its handovers counted, or, once it has had
-- `max_handovers`, fails with `give_up`. Rows another run holds are skipped (for update skip locked).
-- Run by the hourly task reports:schedules (lib/reports/stranded.ts).
create function reports.hand_over_stranded(max_handovers integer, give_up text)
  returns table (report_tenant_id uuid, report_id uuid, handed_over boolean)
  language plpgsql security definer
  set search_path = pg_catalog, pg_temp
  as $$
declare
  r record;
begin
  if to_regclass('graphile_worker._private_jobs') is null
     or to_regprocedure('graphile_worker.remove_job(text)') is null then
    return;
  end if;
  for r in select p.tenant_id, p.id, p.handovers from public.reports p
            where p.status = 'queued'
              and not exists (select 1 from graphile_worker._private_jobs j
                               where j.key = 'reports:' || p.id::text
                                 and (j.attempts < j.max_attempts or j.locked_at > now() - interval '4 hours'))
            order by p.created_at, p.id
            for update of p skip locked loop
    perform graphile_worker.remove_job('reports:' || r.id::text);
    report_tenant_id := r.tenant_id;
    report_id := r.id;
    if r.handovers >= max_handovers then
      update public.reports p set status = 'failed', error = left(give_up, 500), finished_at = now()
       where p.tenant_id = r.tenant_id and p.id = r.id;
      handed_over := false;
    else
      update public.reports p set handovers = p.handovers + 1 where p.tenant_id = r.tenant_id and p.id = r.id;
      perform reports.dispatch(r.tenant_id, r.id);
      handed_over := true;
    end if;
    return next;
  end loop;
end
$$;

revoke all on function reports.hand_over_stranded(integer, text) from public, anon, authenticated, service_role;
-- The schema's one function service_role calls (the others stay the owner's and the trigger's).
grant usage on schema reports to service_role;
grant execute on function reports.hand_over_stranded(integer, text) to service_role;

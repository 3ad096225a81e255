-- Rollback of 20261201029000_report_schedule_pause_and_handovers: schedules no longer pause (a
-- paused one is due again at its next_run_at) and queued reports are handed over only at install.
drop function if exists reports.hand_over_stranded(integer, text);
revoke usage on schema reports from service_role;

drop policy if exists "Admins and analysts ask for reports of their tenants, as themselves, queued" on public.reports;
create policy "Admins and analysts ask for reports of their tenants, as themselves, queued"
  on public.reports for insert to authenticated
  with check (tenant_id = any ((select tenancy.ids_with_role('{mssp_admin,mssp_analyst,tenant_admin,tenant_analyst}'))::uuid[])
              and created_by = (select auth.uid()) and status = 'queued' and content is null and progress = 0);
alter table public.reports drop column if exists handovers;

drop policy if exists "Admins and analysts resume paused report schedules of their tenants, as themselves" on public.report_schedules;
revoke update (paused_at, paused_reason, created_by, next_run_at) on public.report_schedules from authenticated;
create index if not exists report_schedules_due on public.report_schedules (next_run_at);
drop index if exists public.report_schedules_due_unpaused;
alter table public.report_schedules
  drop constraint if exists report_schedules_paused_has_reason,
  drop column if exists paused_at,
  drop column if exists paused_reason;

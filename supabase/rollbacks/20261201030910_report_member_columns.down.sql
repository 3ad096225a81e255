-- Rollback of 20261201030910_report_member_columns: authenticated may insert every column of
-- public.reports and public.report_schedules again, and set next_run_at when resuming a schedule
-- (20261201017000, 20261201029000); the database no longer sets a schedule's first run.
drop trigger if exists report_schedules_first_run on public.report_schedules;
drop function if exists reports.set_first_run();
grant update (next_run_at) on public.report_schedules to authenticated;
revoke insert (tenant_id, kind, format, cadence, recipients, created_by) on public.report_schedules from authenticated;
grant insert on public.report_schedules to authenticated;
revoke insert (tenant_id, kind, format, period_start, period_end, include_usage, created_by) on public.reports from authenticated;
grant insert on public.reports to authenticated;

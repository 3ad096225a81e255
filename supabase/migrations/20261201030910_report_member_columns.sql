-- What a signed-in person may write in public.reports and public.report_schedules
-- (lib/reports/store.ts, lib/reports/resume.ts; docs/reports.md "Who may").
--
-- Why: `authenticated` held INSERT on every column of both tables. Through SQL as an analyst (a
-- Supabase Data API) one could queue a report with a schedule_id, so that the worker mailed it to
-- that schedule's recipients as if the schedule had run, and with its created_at, finished_at,
-- error and size_bytes made up; and add a schedule with any next_run_at (due at once, or never),
-- a last_run_at or a pause of one's own, or resume one (UPDATE next_run_at) to run whenever one
-- liked, instead of from its next Monday / 1st at 06:00 UTC.
--
-- Now, for `authenticated`:
--   reports           INSERT only what generateReport writes: tenant_id, kind, format,
--                     period_start, period_end, include_usage, created_by. A scheduled report is
--                     queued by the worker (service role, lib/reports/tasks.ts), never by a person,
--                     so a person's report has no schedule_id. Status, progress, content, size,
--                     error and times are the defaults' and the worker's.
--   report_schedules  INSERT only what createSchedule writes: tenant_id, kind, format, cadence,
--                     recipients, created_by; UPDATE only what resumeSchedule writes: paused_at,
--                     paused_reason, created_by (the policy of 20261201029000 makes it a resume,
--                     as oneself). next_run_at is the database's: reports.set_first_run, for
--                     `authenticated` on every insert and update (a resume), sets it to the
--                     schedule's next run after now() (the next Monday / 1st of the month, 06:00
--                     UTC: lib/reports/period.ts nextRun, which tests/report-member-columns.test.ts
--                     compares it with), and for anyone else on an insert that gives none. The
--                     worker (service role) moves it on after each run, as before.
-- features.reports is not re-checked here: the worker refuses to generate a report, and a due
-- schedule makes none, for a tenant whose report exports are off (lib/reports/generate.ts, tasks.ts).

revoke insert on public.reports from authenticated;
grant insert (tenant_id, kind, format, period_start, period_end, include_usage, created_by)
  on public.reports to authenticated;

revoke insert on public.report_schedules from authenticated;
grant insert (tenant_id, kind, format, cadence, recipients, created_by) on public.report_schedules to authenticated;
revoke update (next_run_at) on public.report_schedules from authenticated;

create function reports.set_first_run() returns trigger
  language plpgsql
  set search_path = pg_catalog, pg_temp
  as $$
declare
  at_utc timestamp := pg_catalog.timezone('UTC', pg_catalog.now());
  first timestamp;
begin
  if current_user::text <> 'authenticated' and (tg_op = 'UPDATE' or new.next_run_at is not null) then
    return new;
  end if;
  if new.cadence = 'monthly' then
    first := pg_catalog.date_trunc('month', at_utc) + interval '6 hours';
    if first <= at_utc then
      first := pg_catalog.date_trunc('month', at_utc) + interval '1 month' + interval '6 hours';
    end if;
  else
    first := pg_catalog.date_trunc('week', at_utc) + interval '6 hours';
    if first <= at_utc then
      first := first + interval '7 days';
    end if;
  end if;
  new.next_run_at := pg_catalog.timezone('UTC', first);
  return new;
end
$$;
revoke all on function reports.set_first_run() from public, anon, authenticated, service_role, portal_app;
create trigger report_schedules_first_run
  before insert or update on public.report_schedules
  for each row execute function reports.set_first_run();

-- Customer reports (issue 13, point 4; lib/reports, docs/reports.md).
--
-- public.reports (tenant_id = the customer the report is about): one row per
--   generated report, executive or operational, over [period_start,
--   period_end), as PDF or CSV. A person asks for one (the row is inserted
--   'queued' under their RLS, after the PDP allowed reports:export); the
--   insert hands it to graphile-worker in the tenant's queue (task
--   reports:generate); the worker (service role, purpose reports.generate)
--   computes the figures, renders the file and stores its bytes here
--   ('ready'), or the reason it could not ('failed').
-- public.report_schedules (tenant_id = the customer): a weekly or monthly
--   report with its recipients. The hourly task reports:schedules inserts the
--   due ones' report rows (created_by = the schedule's author) and moves
--   next_run_at on, in one transaction.
-- Who reads and writes: the roles the PDP lets export reports (admins and
-- analysts of the tenant or an ancestor; never viewers). The PDP is asked
-- first by every page, action and download (a Globex analyst is denied there).
-- People only insert reports ('queued', as themselves); the worker alone
-- changes them.

create table public.reports (
  tenant_id     uuid not null references public.tenants (id) on delete cascade,
  id            uuid not null default gen_random_uuid(),
  kind          text not null check (kind in ('executive', 'operational')),
  format        text not null check (format in ('pdf', 'csv')),
  period_start  timestamptz not null,
  period_end    timestamptz not null,
  status        text not null default 'queued' check (status in ('queued', 'running', 'ready', 'failed')),
  progress      smallint not null default 0 check (progress between 0 and 100),
  -- Whether the usage section is included (the requester could read the tenant's usage).
  include_usage boolean not null default false,
  schedule_id   uuid,
  size_bytes    integer check (size_bytes >= 0),
  content       bytea,
  error         text check (length(error) <= 500),
  created_by    uuid references public.users (id) on delete set null,
  created_at    timestamptz not null default now(),
  finished_at   timestamptz,
  primary key (tenant_id, id),
  constraint reports_period check (period_end > period_start and period_end - period_start <= interval '366 days'),
  constraint reports_ready_has_content check ((status = 'ready') = (content is not null))
);
create index reports_tenant_created on public.reports (tenant_id, created_at desc);
create index reports_unfinished on public.reports (status) where status in ('queued', 'running');

create table public.report_schedules (
  tenant_id    uuid not null references public.tenants (id) on delete cascade,
  id           uuid not null default gen_random_uuid(),
  kind         text not null check (kind in ('executive', 'operational')),
  format       text not null check (format in ('pdf', 'csv')),
  cadence      text not null check (cadence in ('weekly', 'monthly')),
  recipients   text[] not null default '{}' check (cardinality(recipients) <= 20),
  next_run_at  timestamptz not null,
  last_run_at  timestamptz,
  created_by   uuid references public.users (id) on delete set null,
  created_at   timestamptz not null default now(),
  primary key (tenant_id, id)
);
create index report_schedules_due on public.report_schedules (next_run_at);

alter table public.reports
  add constraint reports_schedule_fk foreign key (tenant_id, schedule_id)
  references public.report_schedules (tenant_id, id) on delete set null (schedule_id);

alter table public.reports enable row level security;
alter table public.reports force row level security;
alter table public.report_schedules enable row level security;
alter table public.report_schedules force row level security;

create policy "Reports are visible to admins and analysts of the tenant or an ancestor"
  on public.reports for select to authenticated
  using (tenant_id = any (array(select tenancy.tenant_ids_with_role('{mssp_admin,mssp_analyst,tenant_admin,tenant_analyst}'))));
create policy "Admins and analysts ask for reports of their tenants, as themselves, queued"
  on public.reports for insert to authenticated
  with check (tenant_id = any (array(select tenancy.tenant_ids_with_role('{mssp_admin,mssp_analyst,tenant_admin,tenant_analyst}')))
              and created_by = (select auth.uid()) and status = 'queued' and content is null and progress = 0);

create policy "Report schedules are visible to admins and analysts of the tenant or an ancestor"
  on public.report_schedules for select to authenticated
  using (tenant_id = any (array(select tenancy.tenant_ids_with_role('{mssp_admin,mssp_analyst,tenant_admin,tenant_analyst}'))));
create policy "Admins and analysts schedule reports of their tenants, as themselves"
  on public.report_schedules for insert to authenticated
  with check (tenant_id = any (array(select tenancy.tenant_ids_with_role('{mssp_admin,mssp_analyst,tenant_admin,tenant_analyst}')))
              and created_by = (select auth.uid()));
create policy "Admins and analysts remove report schedules of their tenants"
  on public.report_schedules for delete to authenticated
  using (tenant_id = any (array(select tenancy.tenant_ids_with_role('{mssp_admin,mssp_analyst,tenant_admin,tenant_analyst}'))));

revoke all on table public.reports, public.report_schedules from public, anon, authenticated, service_role, portal_app;
grant select, insert on public.reports to authenticated;
grant select, insert, delete on public.report_schedules to authenticated;
grant select, insert, update, delete on public.reports, public.report_schedules to service_role;

select tenancy.add_frozen_write_policies('public.reports', 'tenant_id');
select tenancy.add_frozen_write_policies('public.report_schedules', 'tenant_id');
select tenancy.add_tenant_id_guard('public.reports');
select tenancy.add_tenant_id_guard('public.report_schedules');

-- A queued report goes to graphile-worker in the tenant's queue (fairness
-- between tenants, docs/jobs.md), in the inserting transaction: it runs once
-- that commits. Skipped while graphile-worker's schema is not installed;
-- reports.dispatch_pending() hands over what waited.
create schema reports;
revoke all on schema reports from public, anon, authenticated, service_role, portal_app;

create function reports.dispatch(tenant uuid, report uuid) returns void
  language plpgsql security definer
  set search_path = pg_catalog
  as $$
declare
  queue text := jobs_engine.tenant_queue(tenant);
begin
  if to_regprocedure('graphile_worker.add_job(text,json,text,timestamp with time zone,integer,text,integer,text[],text)') is null then
    return;
  end if;
  perform graphile_worker.add_job(
    identifier => 'reports:generate',
    payload => json_build_object('tenantId', tenant, 'reportId', report),
    queue_name => queue,
    max_attempts => 5,
    job_key => 'reports:' || report,
    priority => jobs_engine.waiting_in(queue),
    job_key_mode => 'replace');
end
$$;

create function reports.on_report_inserted() returns trigger
  language plpgsql security definer
  set search_path = pg_catalog
  as $$
begin
  perform reports.dispatch(new.tenant_id, new.id);
  return null;
end
$$;

create trigger reports_dispatch
  after insert on public.reports
  for each row when (new.status = 'queued')
  execute function reports.on_report_inserted();

create function reports.dispatch_pending() returns integer
  language plpgsql security definer
  set search_path = pg_catalog
  as $$
declare
  r record;
  n integer := 0;
begin
  for r in select tenant_id, id from public.reports where status = 'queued' loop
    perform reports.dispatch(r.tenant_id, r.id);
    n := n + 1;
  end loop;
  return n;
end
$$;

revoke all on all functions in schema reports from public, anon, authenticated, service_role;
grant execute on function reports.dispatch_pending() to service_role;

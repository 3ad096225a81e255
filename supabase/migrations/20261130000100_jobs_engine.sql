-- The job engine moves onto graphile-worker (docs/jobs.md says why).
--
-- public.jobs stays what users and pages read (RLS, progress, scrubbed
-- errors, results); graphile-worker's own tables (schema graphile_worker,
-- installed by `npm run db:migrate` after these SQL files: lib/db/migrate.ts)
-- decide when a job runs, retry it with backoff and wake a worker at once by
-- LISTEN/NOTIFY. A row inserted into public.jobs is handed to graphile-worker
-- in the same transaction by a trigger, so a job can never be queued without
-- being scheduled, or scheduled without its visible row.
--
-- What this migration changes:
--   * the hand-written lease (locked_until) goes; locked_by now names the
--     graphile-worker worker running the attempt;
--   * status 'cancelled' (a scheduled offboarding can be called off);
--   * public.job_steps: the named steps of a workflow with their own status,
--     so a crash at any step resumes at that step and pages show a timeline;
--   * jobs_engine.workers: each worker process's heartbeat. graphile-worker
--     (node, 0.17) frees a dead worker's jobs only after four hours; the
--     sweeper in lib/jobs/liveness.ts frees them as soon as the heartbeat stops.

drop index if exists public.jobs_claimable;
alter table public.jobs drop column if exists locked_until;
alter table public.jobs drop constraint if exists jobs_status_check;
alter table public.jobs add constraint jobs_status_check
  check (status in ('queued', 'running', 'succeeded', 'failed', 'cancelled'));

create table public.job_steps (
  tenant_id    uuid not null,
  job_id       uuid not null,
  position     integer not null check (position >= 0),
  name         text not null check (name ~ '^[a-z][a-z0-9-]{0,62}$'),
  status       text not null default 'pending'
               check (status in ('pending', 'running', 'succeeded', 'failed', 'skipped')),
  attempts     integer not null default 0,
  -- Scrubbed message of the last failure (lib/log safeError), safe to show.
  last_error   text,
  -- What the step produced that later steps (and the page) need; never secrets.
  output       jsonb not null default '{}' check (jsonb_typeof(output) = 'object'),
  started_at   timestamptz,
  finished_at  timestamptz,
  primary key (tenant_id, job_id, position),
  unique (tenant_id, job_id, name),
  foreign key (tenant_id, job_id) references public.jobs (tenant_id, id) on delete cascade
);

alter table public.job_steps enable row level security;
alter table public.job_steps force row level security;
revoke all on public.job_steps from public, anon, authenticated, service_role;
grant select on public.job_steps to authenticated;
grant select, insert, update, delete on public.job_steps to service_role;

create policy "Job steps are visible to members of the tenant or an ancestor"
  on public.job_steps for select to authenticated
  using (tenant_id = any (array(select tenancy.visible_tenant_ids())));

create schema jobs_engine;
revoke all on schema jobs_engine from public;
grant usage on schema jobs_engine to service_role;

create table jobs_engine.workers (
  worker_id  text primary key,
  process    text not null,
  last_seen  timestamptz not null default now()
);
grant select, insert, update, delete on jobs_engine.workers to service_role;

-- Hands one job row to graphile-worker: the task identifier is the job's
-- kind, the payload only points at the row (the row is the truth), the job
-- key makes handing it over twice harmless. Skipped (with the job left
-- queued) while graphile-worker's schema is not installed yet; the worker
-- hands over every such job when it starts (dispatch_pending).
create function jobs_engine.dispatch(j public.jobs) returns void
  language plpgsql security definer
  set search_path = pg_catalog
  as $$
begin
  if to_regprocedure('graphile_worker.add_job(text,json,text,timestamp with time zone,integer,text,integer,text[],text)') is null then
    return;
  end if;
  perform graphile_worker.add_job(
    identifier => j.kind,
    payload => json_build_object('tenant_id', j.tenant_id, 'job_id', j.id),
    run_at => greatest(j.run_after, now()),
    -- public.jobs counts attempts and decides when one is the last (lib/jobs);
    -- graphile-worker only needs room for retries, releases and crashes.
    max_attempts => 25,
    job_key => 'portal-job:' || j.tenant_id || ':' || j.id,
    job_key_mode => 'replace');
end
$$;

create function jobs_engine.on_job_change() returns trigger
  language plpgsql security definer
  set search_path = pg_catalog
  as $$
begin
  if tg_op = 'INSERT' and new.status = 'queued' then
    perform jobs_engine.dispatch(new);
  elsif tg_op = 'UPDATE' and new.status = 'queued' and old.status in ('failed', 'cancelled') then
    -- A retry of a failed job (or a cancelled one asked for again).
    perform jobs_engine.dispatch(new);
  elsif tg_op = 'UPDATE' and new.status = 'cancelled' and old.status <> 'cancelled'
        and to_regprocedure('graphile_worker.remove_job(text)') is not null then
    perform graphile_worker.remove_job('portal-job:' || new.tenant_id || ':' || new.id);
  end if;
  return null;
end
$$;

create trigger jobs_dispatch
  after insert or update of status on public.jobs
  for each row execute function jobs_engine.on_job_change();

-- Every unfinished job without a graphile-worker job (queued before the
-- schema existed, or on a database migrated by SQL alone). Idempotent.
create function jobs_engine.dispatch_pending() returns integer
  language plpgsql security definer
  set search_path = pg_catalog
  as $$
declare
  j public.jobs;
  n integer := 0;
begin
  if to_regclass('graphile_worker._private_jobs') is null then
    return 0;
  end if;
  for j in
    select * from public.jobs pj
     where pj.status in ('queued', 'running')
       and not exists (select 1 from graphile_worker._private_jobs g
                        where g.key = 'portal-job:' || pj.tenant_id || ':' || pj.id)
  loop
    perform jobs_engine.dispatch(j);
    n := n + 1;
  end loop;
  return n;
end
$$;

revoke execute on all functions in schema jobs_engine from public;
grant execute on function jobs_engine.dispatch_pending() to service_role;

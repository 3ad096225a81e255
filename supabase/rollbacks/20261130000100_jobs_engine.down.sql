-- Rollback of 20261130000100_jobs_engine: back to the hand-written queue's
-- table. graphile-worker's schema goes too (it only ever held copies of what
-- public.jobs says). Jobs cancelled under the engine are shown as failed.
drop trigger if exists jobs_dispatch on public.jobs;
drop schema if exists jobs_engine cascade;
drop schema if exists graphile_worker cascade;
drop table if exists public.job_steps;
update public.jobs set status = 'failed', last_error = coalesce(last_error, 'Cancelled.') where status = 'cancelled';
alter table public.jobs drop constraint if exists jobs_status_check;
alter table public.jobs add constraint jobs_status_check
  check (status in ('queued', 'running', 'succeeded', 'failed'));
alter table public.jobs add column if not exists locked_until timestamptz;
create index if not exists jobs_claimable on public.jobs (run_after) where status in ('queued', 'running');

-- Durable background jobs in Postgres (DESIGN.md, "Work in the background").
--
-- A worker claims a job with FOR UPDATE SKIP LOCKED and holds a lease
-- (locked_until) that it extends as it makes progress. A worker that dies
-- stops extending it; once the lease lapses any worker may claim the job again
-- and the handler resumes from what is already done (handlers are written to
-- be re-run). Users see jobs of their tenants under RLS; only the worker
-- (service role, lib/jobs) changes them.

create table public.jobs (
  tenant_id       uuid not null references public.tenants (id) on delete cascade,
  id              uuid not null default gen_random_uuid(),
  kind            text not null check (kind ~ '^[a-z]+(\.[a-z-]+)+$'),
  payload         jsonb not null default '{}' check (jsonb_typeof(payload) = 'object'),
  status          text not null default 'queued' check (status in ('queued', 'running', 'succeeded', 'failed')),
  progress_done   integer not null default 0 check (progress_done >= 0),
  progress_total  integer check (progress_total >= 0),
  attempts        integer not null default 0,
  max_attempts    integer not null default 5 check (max_attempts > 0),
  run_after       timestamptz not null default now(),
  locked_by       text,
  locked_until    timestamptz,
  -- Scrubbed, human-readable reason of the last failure (lib/log safeError).
  last_error      text,
  result          jsonb,
  created_by      uuid references public.users (id) on delete set null,
  created_at      timestamptz not null default now(),
  started_at      timestamptz,
  finished_at     timestamptz,
  primary key (tenant_id, id)
);

-- One unfinished job of a kind per tenant: a second "rotate" click joins the
-- first instead of racing it.
create unique index jobs_one_unfinished on public.jobs (tenant_id, kind) where status in ('queued', 'running');
create index jobs_claimable on public.jobs (run_after) where status in ('queued', 'running');
create index jobs_recent on public.jobs (tenant_id, created_at desc);

alter table public.jobs enable row level security;
alter table public.jobs force row level security;
grant select, insert on public.jobs to authenticated;
grant select, insert, update, delete on public.jobs to service_role;

create policy "Jobs are visible to members of the tenant or an ancestor"
  on public.jobs for select to authenticated
  using (tenant_id = any (array(select tenancy.visible_tenant_ids())));
-- What a job may do is the PDP's call (lib/jobs/enqueue.ts checks the action);
-- the database adds that only admins queue work at all.
create policy "Admins queue jobs for their tenants"
  on public.jobs for insert to authenticated
  with check (tenant_id = any (array(select tenancy.tenant_ids_with_role('{mssp_admin,tenant_admin}')))
              and status = 'queued' and attempts = 0 and created_by = (select auth.uid()));

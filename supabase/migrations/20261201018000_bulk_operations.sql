-- Bulk operations (issue 13, point 5; lib/bulk, docs/bulk-operations.md).
--
-- public.bulk_runs (tenant_id = the tenant the run was started on, the MSSP
--   in the console): one operation (a setting change, a plan, a key
--   rotation, suspend or resume) over a selection of tenants below it. A run
--   is created by its dry run ('planned'), started after an explicit
--   confirmation ('running'), paused by its canary or by the operator
--   ('paused'), 'finished' once every item is done; an undo walks the done
--   items back ('undoing' → 'undone'). A planned run may be discarded.
-- public.bulk_run_items (tenant_id = the run's tenant): one row per selected
--   tenant (target_tenant_id): what the dry run planned, then what happened
--   (done / skipped with the reason / failed with the error / undone), with
--   the exact previous value the undo restores. The target is a fact, not a
--   reference (like an invoice's mssp_id): the history outlives a purged
--   customer and an archive restores elsewhere.
--
-- Each item is applied in its own transaction, as the person who started the
-- run (withTenant: RLS and the PDP decide per tenant), together with the
-- change, its audit row in the target tenant and the item's new status: a
-- crash leaves every tenant either done or untouched.
--
-- Who: the MSSP's admins (of the run's tenant or an ancestor) read, create
-- and update runs and items through `authenticated`; nobody deletes them
-- (history). The worker updates them under the same person's claims.

create table public.bulk_runs (
  tenant_id      uuid not null references public.tenants (id) on delete cascade,
  id             uuid not null default gen_random_uuid(),
  operation      text not null check (operation in ('setting', 'plan', 'rotate_keys', 'suspend', 'resume', 'report')),
  -- The operation's parameters as validated by lib/bulk (setting key and value, plan and month, reason).
  params         jsonb not null default '{}' check (jsonb_typeof(params) = 'object' and octet_length(params::text) <= 8192),
  -- How the tenants were chosen, in words and as the filter (shown on the run's page).
  selection      jsonb not null default '{}' check (jsonb_typeof(selection) = 'object' and octet_length(selection::text) <= 4096),
  status         text not null default 'planned'
                 check (status in ('planned', 'running', 'paused', 'finished', 'undoing', 'undone', 'discarded')),
  total          integer not null check (total between 1 and 10000),
  -- Canary: the first N items run, then the run pauses for the operator.
  canary         integer check (canary is null or canary >= 1),
  canary_passed  boolean not null default false,
  -- Why it is paused or how it ended, for the page (no input echoed).
  note           text check (note is null or length(note) <= 500),
  created_by     uuid references public.users (id) on delete set null,
  created_at     timestamptz not null default now(),
  started_by     uuid references public.users (id) on delete set null,
  started_at     timestamptz,
  finished_at    timestamptz,
  undo_by        uuid references public.users (id) on delete set null,
  undo_at        timestamptz,
  updated_at     timestamptz not null default now(),
  primary key (tenant_id, id)
);
create index bulk_runs_recent on public.bulk_runs (tenant_id, created_at desc);
create index bulk_runs_active on public.bulk_runs (tenant_id, status) where status in ('running', 'undoing');
create trigger bulk_runs_touch before update on public.bulk_runs
  for each row execute function tenancy.touch_updated_at();

create table public.bulk_run_items (
  tenant_id         uuid not null references public.tenants (id) on delete cascade,
  run_id            uuid not null,
  target_tenant_id  uuid not null,
  position          integer not null check (position >= 0),
  target_name       text not null check (length(target_name) between 1 and 200),
  status            text not null default 'pending'
                    check (status in ('pending', 'done', 'skipped', 'failed', 'undone', 'undo_failed', 'undo_skipped')),
  -- The dry run's line: "30 min (inherited) → 60 min", "would rotate key v3 → v4", or why it will be skipped.
  planned           text not null check (length(planned) <= 500),
  -- Skipped already at the dry run (the PDP said no, nothing to change): never applied.
  plan_skip         boolean not null default false,
  -- Exactly what was there before the change (the undo restores it) and what was written.
  before            jsonb,
  after             jsonb,
  message           text check (message is null or length(message) <= 500),
  finished_at       timestamptz,
  primary key (tenant_id, run_id, target_tenant_id),
  foreign key (tenant_id, run_id) references public.bulk_runs (tenant_id, id) on delete cascade
);
create unique index bulk_run_items_order on public.bulk_run_items (tenant_id, run_id, position);
create index bulk_run_items_pending on public.bulk_run_items (tenant_id, run_id, status, position);

alter table public.bulk_runs enable row level security;
alter table public.bulk_runs force row level security;
alter table public.bulk_run_items enable row level security;
alter table public.bulk_run_items force row level security;

create policy "Bulk runs are visible to the MSSP's admins"
  on public.bulk_runs for select to authenticated
  using (tenant_id = any (array(select tenancy.tenant_ids_with_role('{mssp_admin}'))));
create policy "MSSP admins plan bulk runs"
  on public.bulk_runs for insert to authenticated
  with check (tenant_id = any (array(select tenancy.tenant_ids_with_role('{mssp_admin}'))) and created_by = (select auth.uid()));
create policy "MSSP admins start, stop and undo bulk runs"
  on public.bulk_runs for update to authenticated
  using (tenant_id = any (array(select tenancy.tenant_ids_with_role('{mssp_admin}'))))
  with check (tenant_id = any (array(select tenancy.tenant_ids_with_role('{mssp_admin}'))));

create policy "Bulk run items are visible to the MSSP's admins"
  on public.bulk_run_items for select to authenticated
  using (tenant_id = any (array(select tenancy.tenant_ids_with_role('{mssp_admin}'))));
create policy "MSSP admins plan bulk run items"
  on public.bulk_run_items for insert to authenticated
  with check (tenant_id = any (array(select tenancy.tenant_ids_with_role('{mssp_admin}'))));
create policy "MSSP admins record bulk run items"
  on public.bulk_run_items for update to authenticated
  using (tenant_id = any (array(select tenancy.tenant_ids_with_role('{mssp_admin}'))))
  with check (tenant_id = any (array(select tenancy.tenant_ids_with_role('{mssp_admin}'))));

select tenancy.add_frozen_write_policies('public.bulk_runs', 'tenant_id');
select tenancy.add_frozen_write_policies('public.bulk_run_items', 'tenant_id');
select tenancy.add_tenant_id_guard('public.bulk_runs');
select tenancy.add_tenant_id_guard('public.bulk_run_items');

revoke all on public.bulk_runs, public.bulk_run_items from public, anon, authenticated, service_role, portal_app;
grant select, insert, update on public.bulk_runs, public.bulk_run_items to authenticated;
grant select, insert, update, delete on public.bulk_runs, public.bulk_run_items to service_role;

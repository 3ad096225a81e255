-- Tenant health monitoring (issue 12, point 3; lib/health, docs/health.md).
--
-- public.tenant_health: each tenant's current state (healthy / degraded /
--   down), the signals that made it (kind, level, reason) and since when it
--   holds. One row per tenant, rewritten by every evaluation.
-- public.tenant_health_transitions: the history: one row each time a tenant's
--   state changed (the first evaluation of a tenant records where it starts,
--   from_state null). The evaluation writes the new state, the transition and
--   the notifications of the change in one transaction, so a change is
--   recorded and announced exactly once however often the job runs.
--
-- Writers: the evaluation job only, as the service role (purpose
-- health.evaluate): it crosses tenants by design. Nobody writes through
-- authenticated (no grant).
--
-- Who reads: MSSP staff of an ancestor and the tenant's own admins and
-- analysts (the roles the PDP's alerts:triage names, which the health pages
-- ask for). Viewers do not.

create table public.tenant_health (
  tenant_id     uuid not null references public.tenants (id) on delete cascade,
  state         text not null check (state in ('healthy', 'degraded', 'down')),
  -- [{kind, level, reason}], every signal of the last evaluation.
  signals       jsonb not null default '[]' check (jsonb_typeof(signals) = 'array' and octet_length(signals::text) <= 16384),
  -- When the current state began.
  since         timestamptz not null,
  evaluated_at  timestamptz not null,
  primary key (tenant_id)
);
create index tenant_health_state on public.tenant_health (state);

create table public.tenant_health_transitions (
  tenant_id    uuid not null references public.tenants (id) on delete cascade,
  id           bigint generated always as identity,
  from_state   text check (from_state in ('healthy', 'degraded', 'down')),
  to_state     text not null check (to_state in ('healthy', 'degraded', 'down')),
  -- The signals that were not ok when it changed: [{kind, level, reason}].
  reasons      jsonb not null default '[]' check (jsonb_typeof(reasons) = 'array' and octet_length(reasons::text) <= 16384),
  occurred_at  timestamptz not null,
  -- Webhook deliveries and emails queued for it (0 for a first evaluation: nothing changed).
  notified     integer not null default 0 check (notified >= 0),
  primary key (tenant_id, id),
  check (from_state is distinct from to_state)
);
create index tenant_health_transitions_time on public.tenant_health_transitions (tenant_id, occurred_at desc);
create index tenant_health_transitions_recent on public.tenant_health_transitions (occurred_at desc);

alter table public.tenant_health enable row level security;
alter table public.tenant_health force row level security;
alter table public.tenant_health_transitions enable row level security;
alter table public.tenant_health_transitions force row level security;

create policy "Health is visible to staff of an ancestor and the tenant's admins and analysts"
  on public.tenant_health for select to authenticated
  using (tenant_id = any (array(select tenancy.tenant_ids_with_role('{mssp_admin,mssp_analyst,tenant_admin,tenant_analyst}'))));
create policy "Health history is visible to staff of an ancestor and the tenant's admins and analysts"
  on public.tenant_health_transitions for select to authenticated
  using (tenant_id = any (array(select tenancy.tenant_ids_with_role('{mssp_admin,mssp_analyst,tenant_admin,tenant_analyst}'))));

revoke all on table public.tenant_health, public.tenant_health_transitions from public, anon, authenticated, service_role, portal_app;
grant select on public.tenant_health, public.tenant_health_transitions to authenticated;
grant select, insert, update, delete on public.tenant_health to service_role;
-- History: appended, deleted only with its tenant (cascade) or a restore.
grant select, insert, delete on public.tenant_health_transitions to service_role;
-- Only the count of notifications queued for it, set in the transaction that wrote it.
grant update (notified) on public.tenant_health_transitions to service_role;

-- A health change is announced through the same deliveries as a rule's
-- notification (lib/notify), with its own reason.
alter table public.notification_deliveries drop constraint notification_deliveries_reason_check;
alter table public.notification_deliveries add constraint notification_deliveries_reason_check
  check (reason in ('test', 'rule', 'escalation', 'health'));

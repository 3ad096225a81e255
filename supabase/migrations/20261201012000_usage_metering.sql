-- Usage metering (issue 12, point 1; lib/usage, docs/usage.md).
--
-- public.usage_events: an append-only stream per tenant. Each event is one
--   quantity of one metric at one time, with an idempotency key unique per
--   tenant: a writer that retries (a re-sent batch, a snapshot job run twice)
--   inserts with ON CONFLICT DO NOTHING, so the event is counted once.
--   Nobody updates or deletes an event through authenticated (no grant);
--   writers are the named service-role purposes of lib/usage (usage.meter
--   inside the ingestion transaction, usage.rollup / usage.snapshot for the
--   jobs), not a security-definer function: such a function would be callable
--   by every signed-in user (and over PostgREST on Supabase), letting a tenant
--   inflate or forge its own usage.
-- public.usage_rollups: hourly and daily totals per (tenant, metric, period),
--   recomputed from the events by the rollup job (delete + insert of a whole
--   (tenants, day) batch in one transaction: a job killed half-way leaves the
--   old totals or the new ones). Counters are summed, snapshots take the
--   period's maximum (order-independent, so a late or repeated snapshot gives
--   the same total). Roll-ups up the tree are computed when read
--   (usage.subtree_daily), from the current tree.
-- usage.api_request_counts: API requests per tenant and minute, counted by the
--   gateway in the rate-limit transaction it already runs (one upsert); the
--   rollup job moves closed minutes into usage_events. Service role only.
-- usage.rollup_state: how far the rollup has scanned events by recorded_at
--   (late events re-roll the days they belong to).
--
-- Who reads usage: admins of the tenant or an ancestor (mssp_admin,
-- tenant_admin: the PDP's billing:view holders), and API keys holding
-- usage:read. Not analysts: api.key_role makes every MSSP key with a write
-- scope an mssp_analyst for the table policies, and usage is billing data.

create schema usage;
revoke all on schema usage from public, anon, authenticated, service_role, portal_app;
grant usage on schema usage to authenticated, service_role;

-- The metrics and their kind (lib/usage/metrics.ts holds the same list; a test compares them).
create function usage.metric_kind(metric text) returns text
  language sql immutable
  set search_path = ''
  as $$
    select case metric
      when 'alerts_ingested' then 'counter'
      when 'api_requests' then 'counter'
      when 'connector_pulls' then 'counter'
      when 'assets_managed' then 'snapshot'
      when 'active_seats' then 'snapshot'
      when 'storage_bytes' then 'snapshot'
    end
  $$;

-- ---------------------------------------------------------------------------
-- Events
-- ---------------------------------------------------------------------------
create table public.usage_events (
  tenant_id        uuid not null references public.tenants (id) on delete cascade,
  id               bigint generated always as identity,
  metric           text not null check (usage.metric_kind(metric) is not null),
  quantity         bigint not null check (quantity >= 0),
  occurred_at      timestamptz not null,
  recorded_at      timestamptz not null default now(),
  idempotency_key  text not null check (length(idempotency_key) between 1 and 200),
  source           text not null check (length(source) between 1 and 100),
  primary key (tenant_id, id),
  constraint usage_events_idempotent unique (tenant_id, idempotency_key)
);
-- The rollup reads a (tenants, day) slice; the dirty scan reads by recorded_at.
create index usage_events_period on public.usage_events (tenant_id, occurred_at);
create index usage_events_recorded on public.usage_events (recorded_at);

alter table public.usage_events enable row level security;
alter table public.usage_events force row level security;

-- ---------------------------------------------------------------------------
-- Rollups
-- ---------------------------------------------------------------------------
create table public.usage_rollups (
  tenant_id     uuid not null references public.tenants (id) on delete cascade,
  grain         text not null check (grain in ('hour', 'day')),
  period_start  timestamptz not null,
  metric        text not null check (usage.metric_kind(metric) is not null),
  quantity      bigint not null check (quantity >= 0),
  -- How many events made the total (a snapshot's max is one of them).
  events        integer not null check (events > 0),
  computed_at   timestamptz not null default now(),
  primary key (tenant_id, grain, metric, period_start),
  -- Periods are UTC hours and UTC days.
  constraint usage_rollups_period_aligned
    check ((period_start at time zone 'UTC') = date_trunc(grain, period_start at time zone 'UTC'))
);
create index usage_rollups_day on public.usage_rollups (grain, period_start);

alter table public.usage_rollups enable row level security;
alter table public.usage_rollups force row level security;

-- ---------------------------------------------------------------------------
-- Who reads
-- ---------------------------------------------------------------------------
-- Tenants whose usage the caller may read: where it is an admin (on the
-- tenant or an ancestor), and, for an API key holding usage:read, the
-- tenants the key sees. Security definer because a key may not read its own
-- api_keys row; it answers nothing the caller could not already see.
create function usage.readable_tenant_ids() returns setof uuid
  language sql stable security definer
  set search_path = ''
  as $$
    select t from tenancy.tenant_ids_with_role('{mssp_admin,tenant_admin}') t
    union
    select v from tenancy.visible_tenant_ids() v
     where exists (select 1 from public.api_keys k
                    where k.id = tenancy.api_key_id() and 'usage:read' = any (k.scopes))
  $$;

create policy "Usage is visible to admins of the tenant or an ancestor and to keys with usage:read"
  on public.usage_events for select to authenticated
  using (tenant_id = any (array(select usage.readable_tenant_ids())));
create policy "Usage totals are visible to admins of the tenant or an ancestor and to keys with usage:read"
  on public.usage_rollups for select to authenticated
  using (tenant_id = any (array(select usage.readable_tenant_ids())));

-- Daily totals of each root's subtree (the root included), from the current
-- tree: a customer's totals include its sites. Per day, counters and
-- snapshots alike are summed over the subtree's tenants (each tenant's daily
-- snapshot being its own maximum that day). Security invoker: RLS on the
-- rollups decides what is summed, and every tenant below a readable one is
-- readable (roles apply to the subtree).
create function usage.subtree_daily(roots uuid[], from_day timestamptz, to_day timestamptz)
  returns table (root_id uuid, day timestamptz, metric text, quantity numeric)
  language sql stable
  set search_path = ''
  as $$
    select r.id, d.period_start, d.metric, sum(d.quantity)
      from public.tenants r
      join public.tenants t on t.path operator(extensions.<@) r.path
      join public.usage_rollups d on d.tenant_id = t.id and d.grain = 'day'
     where r.id = any (roots) and d.period_start >= from_day and d.period_start < to_day
     group by r.id, d.period_start, d.metric
  $$;

-- ---------------------------------------------------------------------------
-- API requests per minute (the gateway's counter) and the rollup's scan state
-- ---------------------------------------------------------------------------
create table usage.api_request_counts (
  tenant_id  uuid not null references public.tenants (id) on delete cascade,
  minute     timestamptz not null,
  requests   bigint not null check (requests > 0),
  primary key (tenant_id, minute)
);
alter table usage.api_request_counts enable row level security;
alter table usage.api_request_counts force row level security;

create table usage.rollup_state (
  singleton   boolean primary key default true check (singleton),
  -- Events recorded before this (less a safety margin) have been rolled up.
  scanned_to  timestamptz not null,
  updated_at  timestamptz not null default now()
);
alter table usage.rollup_state enable row level security;
alter table usage.rollup_state force row level security;

-- ---------------------------------------------------------------------------
-- Grants
-- ---------------------------------------------------------------------------
revoke all on table public.usage_events, public.usage_rollups from public, anon, authenticated, service_role, portal_app;
revoke all on table usage.api_request_counts, usage.rollup_state from public, anon, authenticated, service_role, portal_app;
grant select on public.usage_events, public.usage_rollups to authenticated;
-- Events: inserted, never updated; deleted only with their tenant (cascade) or by a purge.
grant select, insert, delete on public.usage_events to service_role;
grant select, insert, delete on public.usage_rollups to service_role;
grant select, insert, update, delete on usage.api_request_counts, usage.rollup_state to service_role;

revoke execute on all functions in schema usage from public, anon, authenticated, service_role, portal_app;
grant execute on function usage.metric_kind(text) to authenticated, service_role;
grant execute on function usage.readable_tenant_ids() to authenticated, service_role;
grant execute on function usage.subtree_daily(uuid[], timestamptz, timestamptz) to authenticated, service_role;

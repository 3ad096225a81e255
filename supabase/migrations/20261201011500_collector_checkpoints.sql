-- Collector checkpoints (issue 11, point 6): where each collector stands in
-- each connector's feed, so a collector that restarts (a new pod, a crash, a
-- deploy) resumes from there instead of from the beginning or from "now".
--
-- One row per (collector, credential). `cursor` is opaque to the portal: the
-- collector's vendor module writes what it needs to resume (a vendor cursor,
-- a high-water timestamp). `alerts_sent` counts the alerts the API accepted
-- for this connector (created or duplicate), advanced in the same statement
-- as the cursor, so the count and the position cannot drift apart.
--
-- Written through POST /api/v1/collectors/{name}/checkpoints by the
-- collector's API key (a key with collectors:write holds an analyst's role
-- for table policies: migration 20261201010000), never by the collector
-- writing the database. A checkpoint goes with its collector and with its
-- credential (a credential deleted and added again starts afresh).
create table public.collector_checkpoints (
  tenant_id      uuid not null references public.tenants (id) on delete cascade,
  collector_id   uuid not null,
  credential_id  uuid not null,
  cursor         text check (length(cursor) between 1 and 2000),
  alerts_sent    bigint not null default 0 check (alerts_sent >= 0),
  last_sent_at   timestamptz,
  created_at     timestamptz not null default now(),
  updated_at     timestamptz not null default now(),
  primary key (tenant_id, collector_id, credential_id),
  foreign key (tenant_id, collector_id) references public.collectors (tenant_id, id) on delete cascade,
  foreign key (tenant_id, credential_id) references public.credentials (tenant_id, id) on delete cascade
);
comment on table public.collector_checkpoints is
  'Where each collector stands in each connector''s feed (lib/collector): an opaque cursor and the alerts sent.';
create index collector_checkpoints_credential on public.collector_checkpoints (tenant_id, credential_id);

create trigger collector_checkpoints_touch before update on public.collector_checkpoints
  for each row execute function tenancy.touch_updated_at();

alter table public.collector_checkpoints enable row level security;
alter table public.collector_checkpoints force row level security;

create policy "Collector checkpoints are visible to members of the tenant or an ancestor"
  on public.collector_checkpoints for select to authenticated
  using (tenant_id = any (array(select tenancy.visible_tenant_ids())));
create policy "Analysts and admins record collector checkpoints in their tenants"
  on public.collector_checkpoints for insert to authenticated
  with check (tenant_id = any (array(select tenancy.tenant_ids_with_role(
    '{mssp_admin,mssp_analyst,tenant_admin,tenant_analyst}'))));
create policy "Analysts and admins advance collector checkpoints in their tenants"
  on public.collector_checkpoints for update to authenticated
  using (tenant_id = any (array(select tenancy.tenant_ids_with_role(
    '{mssp_admin,mssp_analyst,tenant_admin,tenant_analyst}'))))
  with check (tenant_id = any (array(select tenancy.tenant_ids_with_role(
    '{mssp_admin,mssp_analyst,tenant_admin,tenant_analyst}'))));
create policy "Admins reset collector checkpoints of their tenants"
  on public.collector_checkpoints for delete to authenticated
  using (tenant_id = any (array(select tenancy.tenant_ids_with_role('{mssp_admin,tenant_admin}'))));
select tenancy.add_frozen_write_policies('public.collector_checkpoints', 'tenant_id');
select tenancy.add_tenant_id_guard('public.collector_checkpoints');

revoke all on table public.collector_checkpoints from public, anon, authenticated, service_role, portal_app;
grant select, insert, update, delete on public.collector_checkpoints to authenticated;
grant select, insert, update, delete on public.collector_checkpoints to service_role;

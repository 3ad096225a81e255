-- Machine ingestion through the tenant API (issue 11, point 5): what
-- lib/ingest writes for POST /alerts, POST /assets and POST /collectors/heartbeat.
--
-- alerts.external_id: the sender's own id for an alert. (tenant_id, source,
--   external_id) is unique, so a batch sent twice (a retry after a timeout, a
--   collector restarting from an older checkpoint) creates nothing the second
--   time: lib/ingest inserts with ON CONFLICT DO NOTHING. Alerts made by people
--   or the demo seed have none (NULLs are distinct, so they never conflict).
-- assets.external_id: the same for assets, upserted by it.
-- public.alert_raw_events: the vendor's payload of an ingested alert, sealed by
--   the application under the tenant's DEK (lib/crypto/aead via lib/ingest/raw.ts;
--   AAD binds tenant, alert and key version) before it reaches SQL, so the
--   database, its logs and its backups only ever hold ciphertext; destroying
--   the tenant's keys (offboarding) makes every one of them noise. Same
--   seal-key trigger as credentials and webhook secrets, and a DEK version is
--   retired only once no raw event is sealed under it (lib/vault/rotation.ts
--   re-seals them).
-- public.collectors: each collector's last heartbeat, pull, error and version.
--
-- Workflow rules: API-ingested alerts are plain inserts with status 'new', so
-- the statement trigger of 20261201003000/004000 queues their evaluation like
-- any other arrival; nothing to add here.

-- ---------------------------------------------------------------------------
-- External ids
-- ---------------------------------------------------------------------------
alter table public.alerts
  add column external_id text check (length(external_id) between 1 and 200);
create unique index alerts_tenant_source_external on public.alerts (tenant_id, source, external_id);

alter table public.assets
  add column external_id text check (length(external_id) between 1 and 200);
create unique index assets_tenant_external on public.assets (tenant_id, external_id);

-- ---------------------------------------------------------------------------
-- Raw events, sealed
-- ---------------------------------------------------------------------------
create table public.alert_raw_events (
  tenant_id    uuid not null references public.tenants (id) on delete cascade,
  alert_id     uuid not null,
  -- 0x01 || nonce || ciphertext || tag under the tenant DEK of key_version.
  sealed       bytea not null check (length(sealed) between 30 and 1048576),
  key_version  integer not null,
  created_at   timestamptz not null default now(),
  primary key (tenant_id, alert_id),
  foreign key (tenant_id, alert_id) references public.alerts (tenant_id, id) on delete cascade,
  foreign key (tenant_id, key_version) references keyring.tenant_keys (tenant_id, version)
);
create index alert_raw_events_key_version on public.alert_raw_events (tenant_id, key_version);

create trigger alert_raw_events_check_seal_key
  before insert or update of sealed, key_version on public.alert_raw_events
  for each row execute function keyring.check_seal_key();

alter table public.alert_raw_events enable row level security;
alter table public.alert_raw_events force row level security;

create policy "Raw events are visible to members of the tenant or an ancestor"
  on public.alert_raw_events for select to authenticated
  using (tenant_id = any (array(select tenancy.visible_tenant_ids())));
create policy "Analysts and admins store raw events in their tenants"
  on public.alert_raw_events for insert to authenticated
  with check (tenant_id = any (array(select tenancy.tenant_ids_with_role(
    '{mssp_admin,mssp_analyst,tenant_admin,tenant_analyst}'))));
select tenancy.add_frozen_write_policies('public.alert_raw_events', 'tenant_id');
select tenancy.add_tenant_id_guard('public.alert_raw_events');

-- ---------------------------------------------------------------------------
-- Collectors
-- ---------------------------------------------------------------------------
create table public.collectors (
  tenant_id          uuid not null references public.tenants (id) on delete cascade,
  id                 uuid not null default gen_random_uuid(),
  name               text not null check (length(name) between 1 and 100),
  version            text check (length(version) between 1 and 50),
  hostname           text check (length(hostname) between 1 and 253),
  last_heartbeat_at  timestamptz not null default now(),
  last_pull_at       timestamptz,
  last_error         text check (length(last_error) between 1 and 1000),
  last_error_at      timestamptz,
  created_at         timestamptz not null default now(),
  updated_at         timestamptz not null default now(),
  primary key (tenant_id, id),
  constraint collectors_name_unique unique (tenant_id, name)
);
create trigger collectors_touch before update on public.collectors
  for each row execute function tenancy.touch_updated_at();

alter table public.collectors enable row level security;
alter table public.collectors force row level security;

create policy "Collectors are visible to members of the tenant or an ancestor"
  on public.collectors for select to authenticated
  using (tenant_id = any (array(select tenancy.visible_tenant_ids())));
create policy "Analysts and admins register collectors in their tenants"
  on public.collectors for insert to authenticated
  with check (tenant_id = any (array(select tenancy.tenant_ids_with_role(
    '{mssp_admin,mssp_analyst,tenant_admin,tenant_analyst}'))));
create policy "Analysts and admins report collector status in their tenants"
  on public.collectors for update to authenticated
  using (tenant_id = any (array(select tenancy.tenant_ids_with_role(
    '{mssp_admin,mssp_analyst,tenant_admin,tenant_analyst}'))))
  with check (tenant_id = any (array(select tenancy.tenant_ids_with_role(
    '{mssp_admin,mssp_analyst,tenant_admin,tenant_analyst}'))));
create policy "Admins remove collectors of their tenants"
  on public.collectors for delete to authenticated
  using (tenant_id = any (array(select tenancy.tenant_ids_with_role('{mssp_admin,tenant_admin}'))));
select tenancy.add_frozen_write_policies('public.collectors', 'tenant_id');
select tenancy.add_tenant_id_guard('public.collectors');

revoke all on table public.alert_raw_events, public.collectors from public, anon, authenticated, service_role, portal_app;
-- Raw events are written once by ingestion and never edited by people; the
-- rotation (service role) re-seals them.
grant select, insert on public.alert_raw_events to authenticated;
grant select, insert, update, delete on public.collectors to authenticated;
grant select, insert, update, delete on public.alert_raw_events, public.collectors to service_role;

-- ---------------------------------------------------------------------------
-- A DEK version is retired only when nothing sealed under it is left: raw
-- events count as much as credentials and channel secrets.
-- ---------------------------------------------------------------------------
create or replace function keyring.retire_tenant_key(tenant uuid, dek_version integer) returns void
  language plpgsql volatile security definer set search_path = ''
  as $$
begin
  perform 1 from keyring.tenant_keys t
   where t.tenant_id = tenant and t.version = dek_version and t.status = 'retiring' for update;
  if not found then
    raise exception 'key version % of tenant % is not retiring', dek_version, tenant using errcode = '55000';
  end if;
  if exists (select 1 from public.credentials c where c.tenant_id = tenant and c.key_version = dek_version)
     or exists (select 1 from public.notification_channels n where n.tenant_id = tenant and n.key_version = dek_version)
     or exists (select 1 from public.alert_raw_events r where r.tenant_id = tenant and r.key_version = dek_version) then
    raise exception 'key version % of tenant % still seals credentials', dek_version, tenant using errcode = '55000';
  end if;
  update keyring.tenant_keys t set status = 'retired', wrapped_dek = null, retired_at = now()
   where t.tenant_id = tenant and t.version = dek_version;
end
$$;

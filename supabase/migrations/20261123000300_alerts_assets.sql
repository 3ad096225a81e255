-- First domain tables. Every tenant-scoped table: tenant_id leads the primary
-- key and every foreign key to another tenant-scoped table (Citus-ready, and
-- the index RLS needs), RLS enabled and forced, nothing granted to anon.

create table public.assets (
  tenant_id     uuid not null references public.tenants (id) on delete cascade,
  id            uuid not null default gen_random_uuid(),
  hostname      text not null check (length(hostname) between 1 and 253),
  ip_address    inet,
  os            text not null default 'unknown',
  kind          text not null default 'workstation'
                check (kind in ('workstation', 'server', 'network', 'cloud', 'mobile')),
  criticality   text not null default 'medium'
                check (criticality in ('critical', 'high', 'medium', 'low')),
  owner_email   text,
  last_seen_at  timestamptz,
  created_at    timestamptz not null default now(),
  updated_at    timestamptz not null default now(),
  primary key (tenant_id, id),
  unique (tenant_id, hostname)
);

create table public.alerts (
  tenant_id     uuid not null references public.tenants (id) on delete cascade,
  id            uuid not null default gen_random_uuid(),
  title         text not null check (length(title) between 1 and 300),
  description   text not null default '',
  severity      text not null check (severity in ('critical', 'high', 'medium', 'low', 'info')),
  status        text not null default 'new'
                check (status in ('new', 'investigating', 'resolved', 'false_positive')),
  source        text not null,
  rule_name     text,
  asset_id      uuid,
  hostname      text,
  source_ip     inet,
  assigned_to   uuid references public.users (id) on delete set null,
  detected_at   timestamptz not null default now(),
  created_at    timestamptz not null default now(),
  updated_at    timestamptz not null default now(),
  resolved_at   timestamptz,
  primary key (tenant_id, id),
  foreign key (tenant_id, asset_id) references public.assets (tenant_id, id) on delete set null (asset_id)
);

-- The alert list pages by detected_at within a tenant, filtered by status and
-- severity; the console counts open alerts per tenant and severity.
create index alerts_tenant_detected on public.alerts (tenant_id, detected_at desc, id);
create index alerts_tenant_status_severity on public.alerts (tenant_id, status, severity);
create index alerts_tenant_asset on public.alerts (tenant_id, asset_id) where asset_id is not null;
create index assets_tenant_last_seen on public.assets (tenant_id, last_seen_at desc);

create function tenancy.touch_updated_at() returns trigger
  language plpgsql set search_path = pg_catalog
  as $$ begin new.updated_at := now(); return new; end $$;

create trigger alerts_touch before update on public.alerts
  for each row execute function tenancy.touch_updated_at();
create trigger assets_touch before update on public.assets
  for each row execute function tenancy.touch_updated_at();

alter table public.assets enable row level security;
alter table public.assets force row level security;
alter table public.alerts enable row level security;
alter table public.alerts force row level security;

grant select, insert, update, delete on public.assets, public.alerts to authenticated, service_role;

-- One permissive policy per command, each calling its helper once per statement.
create policy "Alerts are visible to members of the tenant or an ancestor"
  on public.alerts for select to authenticated
  using (tenant_id = any (array(select tenancy.visible_tenant_ids())));
create policy "Analysts and admins create alerts in their tenants"
  on public.alerts for insert to authenticated
  with check (tenant_id = any (array(select tenancy.tenant_ids_with_role(
    '{mssp_admin,mssp_analyst,tenant_admin,tenant_analyst}'))));
create policy "Analysts and admins triage alerts in their tenants"
  on public.alerts for update to authenticated
  using (tenant_id = any (array(select tenancy.tenant_ids_with_role(
    '{mssp_admin,mssp_analyst,tenant_admin,tenant_analyst}'))))
  with check (tenant_id = any (array(select tenancy.tenant_ids_with_role(
    '{mssp_admin,mssp_analyst,tenant_admin,tenant_analyst}'))));
create policy "Admins delete alerts in their tenants"
  on public.alerts for delete to authenticated
  using (tenant_id = any (array(select tenancy.tenant_ids_with_role('{mssp_admin,tenant_admin}'))));

create policy "Assets are visible to members of the tenant or an ancestor"
  on public.assets for select to authenticated
  using (tenant_id = any (array(select tenancy.visible_tenant_ids())));
create policy "Analysts and admins register assets in their tenants"
  on public.assets for insert to authenticated
  with check (tenant_id = any (array(select tenancy.tenant_ids_with_role(
    '{mssp_admin,mssp_analyst,tenant_admin,tenant_analyst}'))));
create policy "Analysts and admins update assets in their tenants"
  on public.assets for update to authenticated
  using (tenant_id = any (array(select tenancy.tenant_ids_with_role(
    '{mssp_admin,mssp_analyst,tenant_admin,tenant_analyst}'))))
  with check (tenant_id = any (array(select tenancy.tenant_ids_with_role(
    '{mssp_admin,mssp_analyst,tenant_admin,tenant_analyst}'))));
create policy "Admins delete assets in their tenants"
  on public.assets for delete to authenticated
  using (tenant_id = any (array(select tenancy.tenant_ids_with_role('{mssp_admin,tenant_admin}'))));

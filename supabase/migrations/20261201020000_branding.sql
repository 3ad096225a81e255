-- White-label branding (issue 14; lib/branding, docs/white-label.md).
--
-- The brand's values are settings (branding.* in the settings registry,
-- public.tenant_settings): inherited down the tree with override and lock.
-- This migration adds what settings cannot hold:
--
-- public.brand_assets: uploaded logos and favicons, content-addressed
--   (sha-256 of the stored bytes), checked and sanitised before they get here
--   (lib/branding/image.ts, svg.ts). A setting refers to one by its hash.
-- public.brand_drafts: the brand being edited, not yet published: the brand
--   page previews it; publishing writes its values into the settings.
--
-- Who reads and writes: the tenant's admins and the MSSP's admins above it
-- (the PDP's branding:manage says the same). The asset route serves an asset
-- before anyone signs in (the sign-in page shows the logo) through the named
-- service-role purpose branding.assets, only to the host of the tenant whose
-- effective brand uses it.
--
-- branding.hide_mssp_brand ("hide the MSSP's brand", a reseller flag) is the
-- MSSP's to set, like the settings it sells: the trigger below refuses it to
-- a signed-in caller who is not mssp_admin on the tenant.
--
-- Every change to a branding setting, and every tenant rename or move (the
-- brand of a host depends on its ancestors), notifies the cache channel in the
-- same transaction (lib/cache): each app process drops its brand-per-host cache.

create table public.brand_assets (
  tenant_id     uuid not null references public.tenants (id) on delete cascade,
  sha256        text not null check (sha256 ~ '^[0-9a-f]{64}$'),
  content_type  text not null check (content_type in ('image/png', 'image/jpeg', 'image/svg+xml')),
  bytes         bytea not null check (octet_length(bytes) between 1 and 524288),
  width         integer not null check (width between 1 and 4096),
  height        integer not null check (height between 1 and 4096),
  created_by    uuid references public.users (id) on delete set null,
  created_at    timestamptz not null default now(),
  primary key (tenant_id, sha256),
  check (encode(extensions.digest(bytes, 'sha256'), 'hex') = sha256)
);

create table public.brand_drafts (
  tenant_id   uuid not null references public.tenants (id) on delete cascade,
  -- {field: value} of the brand page's fields (lib/branding/draft.ts validates it).
  draft       jsonb not null check (jsonb_typeof(draft) = 'object' and octet_length(draft::text) <= 16384),
  updated_by  uuid references public.users (id) on delete set null,
  updated_at  timestamptz not null default now(),
  primary key (tenant_id)
);

alter table public.brand_assets enable row level security;
alter table public.brand_assets force row level security;
alter table public.brand_drafts enable row level security;
alter table public.brand_drafts force row level security;

create policy "Brand assets are read by the tenant's admins and the MSSP's admins"
  on public.brand_assets for select to authenticated
  using (tenant_id = any (array(select tenancy.tenant_ids_with_role('{mssp_admin,tenant_admin}'))));
create policy "Brand assets are uploaded by the tenant's admins and the MSSP's admins"
  on public.brand_assets for insert to authenticated
  with check (tenant_id = any (array(select tenancy.tenant_ids_with_role('{mssp_admin,tenant_admin}'))));
create policy "Brand drafts are read by the tenant's admins and the MSSP's admins"
  on public.brand_drafts for select to authenticated
  using (tenant_id = any (array(select tenancy.tenant_ids_with_role('{mssp_admin,tenant_admin}'))));
create policy "Brand drafts are written by the tenant's admins and the MSSP's admins"
  on public.brand_drafts for insert to authenticated
  with check (tenant_id = any (array(select tenancy.tenant_ids_with_role('{mssp_admin,tenant_admin}'))));
create policy "Brand drafts are changed by the tenant's admins and the MSSP's admins"
  on public.brand_drafts for update to authenticated
  using (tenant_id = any (array(select tenancy.tenant_ids_with_role('{mssp_admin,tenant_admin}'))))
  with check (tenant_id = any (array(select tenancy.tenant_ids_with_role('{mssp_admin,tenant_admin}'))));
create policy "Brand drafts are discarded by the tenant's admins and the MSSP's admins"
  on public.brand_drafts for delete to authenticated
  using (tenant_id = any (array(select tenancy.tenant_ids_with_role('{mssp_admin,tenant_admin}'))));

revoke all on table public.brand_assets, public.brand_drafts from public, anon, authenticated, service_role, portal_app;
-- Assets are immutable (content-addressed): inserted, never updated.
grant select, insert on public.brand_assets to authenticated;
grant select, insert, update, delete on public.brand_drafts to authenticated;
grant select, insert, delete on public.brand_assets to service_role;
grant select, insert, update, delete on public.brand_drafts to service_role;

select tenancy.add_frozen_write_policies(t::regclass, 'tenant_id')
  from unnest(array['public.brand_assets', 'public.brand_drafts']) t;
select tenancy.add_tenant_id_guard(t::regclass)
  from unnest(array['public.brand_assets', 'public.brand_drafts']) t;

-- "Hide the MSSP's brand" is the MSSP's: like features/limits/integrations.
create function settings.refuse_customer_whitelabel() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if new.key = 'branding.hide_mssp_brand'
     and current_user::text = 'authenticated'
     and not (new.tenant_id = any (array(select tenancy.tenant_ids_with_role('{mssp_admin}')))) then
    raise exception '% is set by the MSSP only', new.key
      using errcode = '42501', hint = 'setting_mssp_only';
  end if;
  return new;
end
$$;
create trigger tenant_settings_3_whitelabel_mssp_only
  before insert or update on public.tenant_settings
  for each row execute function settings.refuse_customer_whitelabel();

-- Cross-process eviction of the brand-per-host cache (lib/cache, lib/branding/resolve.ts).
create function settings.notify_brand_changed() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  perform pg_notify('mssp_portal_cache', '{"cache":"brand-by-host","key":"*"}');
  return null;
end
$$;
create trigger tenant_settings_brand_changed
  after insert or update on public.tenant_settings
  for each row when (split_part(new.key, '.', 1) = 'branding')
  execute function settings.notify_brand_changed();
create trigger tenant_settings_brand_removed
  after delete on public.tenant_settings
  for each row when (split_part(old.key, '.', 1) = 'branding')
  execute function settings.notify_brand_changed();
create trigger tenants_brand_changed
  after update of name, slug, path, parent_id, status on public.tenants
  for each row execute function settings.notify_brand_changed();

revoke all on function settings.refuse_customer_whitelabel(), settings.notify_brand_changed()
  from public, anon, authenticated, service_role, portal_app;

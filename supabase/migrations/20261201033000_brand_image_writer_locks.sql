-- A write naming a brand image takes the brand image locks in the database too, whoever writes
-- (docs/white-label.md "How many, and how long").
--
-- Why: the brand page's writes (lib/branding/draft.ts, the settings actions) call
-- lockBrandImageWriters before writing a draft or a logo/dark logo/favicon setting: the brand image
-- lock (advisory, until commit) of the tenant written and of each tenant at or above it that keeps
-- a named image, deepest first. A prune and the daily sweep take the lock of the tenant whose
-- images they delete, so an image is never deleted between the check that nothing names it and the
-- commit of a write naming it. A tenant admin may also write public.brand_drafts and
-- public.tenant_settings through the Data API (grants to authenticated, under RLS), and such a
-- write took no lock: a draft or setting written there naming an unused image older than an hour
-- could lose the image to a sweep running at that moment.
--
-- Now a trigger on each table takes the same locks, in the same order, for any writer: the brand
-- page's writes find them held already (an advisory lock taken again by its holder does not wait).
-- Only the hashes a row names are looked up, so a write naming no image takes no lock.

create function settings.lock_named_brand_images(tenant uuid, names text[]) returns void
  language plpgsql security definer
  set search_path = pg_catalog, pg_temp
  as $$
declare
  wanted text[] := array(select n from pg_catalog.unnest(names) n where n ~ '^[0-9a-f]{64}$');
  owner_id uuid;
begin
  if pg_catalog.cardinality(wanted) = 0 then
    return;
  end if;
  perform pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('brand_assets'), pg_catalog.hashtext(tenant::text));
  -- The tenants above it keeping one of the images (a site may name its customer's logo), deepest first.
  for owner_id in
    select o.id
      from public.tenants t
      join public.tenants o on t.path operator(extensions.<@) o.path
     where t.id = tenant and o.id <> tenant
       and exists (select 1 from public.brand_assets a where a.tenant_id = o.id and a.sha256 = any (wanted))
     order by extensions.nlevel(o.path) desc, o.id
  loop
    perform pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('brand_assets'), pg_catalog.hashtext(owner_id::text));
  end loop;
end
$$;
revoke all on function settings.lock_named_brand_images(uuid, text[]) from public, anon, authenticated, service_role, portal_app;

create function settings.lock_brand_images_of_draft() returns trigger
  language plpgsql security definer
  set search_path = pg_catalog, pg_temp
  as $$
begin
  perform settings.lock_named_brand_images(new.tenant_id, array[new.draft ->> 'logoLight', new.draft ->> 'logoDark', new.draft ->> 'favicon']);
  return new;
end
$$;
revoke all on function settings.lock_brand_images_of_draft() from public, anon, authenticated, service_role, portal_app;

create function settings.lock_brand_images_of_setting() returns trigger
  language plpgsql security definer
  set search_path = pg_catalog, pg_temp
  as $$
begin
  if new.key in ('branding.logo_light', 'branding.logo_dark', 'branding.favicon') then
    perform settings.lock_named_brand_images(new.tenant_id, array[new.value #>> '{}']);
  end if;
  return new;
end
$$;
revoke all on function settings.lock_brand_images_of_setting() from public, anon, authenticated, service_role, portal_app;

create trigger brand_drafts_lock_named_images before insert or update on public.brand_drafts
  for each row execute function settings.lock_brand_images_of_draft();
create trigger tenant_settings_lock_named_images before insert or update on public.tenant_settings
  for each row execute function settings.lock_brand_images_of_setting();

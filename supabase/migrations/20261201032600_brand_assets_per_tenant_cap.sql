-- At most 50 uploaded brand images (logos, dark logos, favicons) per tenant, in the database
-- (lib/branding/assets.ts MAX_BRAND_ASSETS; docs/white-label.md "Logos and favicons").
--
-- Why: public.brand_assets (20261201020000) had no quota and nothing deleted from it. The brand page
-- now deletes the images no brand uses any more as it uploads, publishes and discards, and a daily
-- task sweeps the rest (lib/branding/assets.ts), but a tenant admin holds `insert` on the table
-- through the Data API (grant ... to authenticated, policy "Brand assets are uploaded by the tenant's
-- admins and the MSSP's admins"): without a cap in the database, one could store any number of
-- 512 KiB images between two sweeps.
--
-- Now: a signed-in caller's insert of a new image into a tenant that already holds 50 is refused
-- (54000, hint brand_asset_limit). The same image again (the upload's `on conflict do nothing`) is
-- not a new one and passes. Writers of one tenant's images take turns (an advisory lock until
-- commit), so two cannot both take the last place. The service role (a restored tenant archive,
-- lib/lifecycle/archive) is not counted, as the other limits' triggers do.

create function settings.refuse_past_brand_asset_cap() returns trigger
  language plpgsql security definer
  set search_path = pg_catalog, pg_temp
  as $$
begin
  -- The caller's role, not the owner's this function runs as.
  if current_setting('role') <> 'authenticated' then
    return new;
  end if;
  perform pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('brand_assets'), pg_catalog.hashtext(new.tenant_id::text));
  if exists (select 1 from public.brand_assets a where a.tenant_id = new.tenant_id and a.sha256 = new.sha256) then
    return new;
  end if;
  if (select pg_catalog.count(*) from public.brand_assets a where a.tenant_id = new.tenant_id) >= 50 then
    raise exception 'this tenant may keep at most 50 uploaded brand images; publish or discard its brand draft to delete the ones no brand uses, then upload again'
      using errcode = '54000', hint = 'brand_asset_limit';
  end if;
  return new;
end
$$;
revoke all on function settings.refuse_past_brand_asset_cap() from public, anon, authenticated, service_role, portal_app;

create trigger brand_assets_cap before insert on public.brand_assets
  for each row execute function settings.refuse_past_brand_asset_cap();

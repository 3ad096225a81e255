-- Rollback of 20261201033000_brand_image_writer_locks: only the brand page's own writes take the
-- brand image locks again (lib/branding/assets.ts lockBrandImageWriters).
drop trigger tenant_settings_lock_named_images on public.tenant_settings;
drop trigger brand_drafts_lock_named_images on public.brand_drafts;
drop function settings.lock_brand_images_of_setting();
drop function settings.lock_brand_images_of_draft();
drop function settings.lock_named_brand_images(uuid, text[]);

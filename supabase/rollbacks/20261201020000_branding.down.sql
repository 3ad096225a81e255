-- Rollback of 20261201020000_branding: uploaded brand assets and drafts go;
-- the branding.* settings stay in tenant_settings (a rolled-back registry
-- ignores keys it does not know) and nothing announces brand changes.
drop trigger if exists tenants_brand_changed on public.tenants;
drop trigger if exists tenant_settings_brand_changed on public.tenant_settings;
drop trigger if exists tenant_settings_brand_removed on public.tenant_settings;
drop trigger if exists tenant_settings_3_whitelabel_mssp_only on public.tenant_settings;
drop function if exists settings.notify_brand_changed();
drop function if exists settings.refuse_customer_whitelabel();
drop table if exists public.brand_drafts;
drop table if exists public.brand_assets;

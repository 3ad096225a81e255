-- Rollback of 20261201032600_brand_assets_per_tenant_cap: no cap on public.brand_assets again.
drop trigger brand_assets_cap on public.brand_assets;
drop function settings.refuse_past_brand_asset_cap();

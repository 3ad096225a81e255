-- Rollback of 20261201029510_brand_cache_on_tenants_and_memberships: the brand
-- cache is dropped on branding settings and tenant updates only, as before.
drop trigger if exists memberships_brand_changed on public.memberships;
drop trigger if exists tenants_brand_added_or_removed on public.tenants;

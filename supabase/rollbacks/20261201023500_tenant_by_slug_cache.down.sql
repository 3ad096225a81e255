-- Rollback of 20261201023500_tenant_by_slug_cache: nothing announces tenant
-- changes to the host-tenant cache any more (lib/tenancy/resolve-host.ts then
-- serves entries until their TTL ends: roll the application back first).
drop trigger if exists tenants_by_slug_added_or_removed on public.tenants;
drop trigger if exists tenants_by_slug_changed on public.tenants;
drop function if exists tenancy.notify_tenant_by_slug_changed();

-- Rollback of 20261201031300_custom_domain_cache_eviction: only lib/domains/store.ts evicts the custom-domain caches again.
drop trigger tenants_domain_cache_slug_changed on public.tenants;
drop trigger custom_domains_cache_changed on public.custom_domains;
drop trigger custom_domains_cache_removed on public.custom_domains;
drop trigger custom_domains_cache_added on public.custom_domains;
drop function tenancy.notify_custom_domains_changed();

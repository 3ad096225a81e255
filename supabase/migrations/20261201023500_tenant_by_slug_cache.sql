-- Cross-process eviction of the host-tenant cache "tenant-by-slug" (lib/cache,
-- lib/tenancy/resolve-host.ts): every tenant page resolved its host's tenant
-- through a service-role transaction of its own; it is now cached per process
-- and dropped in every process at the commit of any statement that creates or
-- deletes a tenant or changes what the cache holds (slug, name, place in the
-- tree, status: a suspension above a tenant changes its lockedAs, a move its
-- provider). Statement-level: a bulk insert of a thousand tenants sends one
-- notification, and Postgres folds identical ones in a transaction.
create function tenancy.notify_tenant_by_slug_changed() returns trigger
  language plpgsql
  set search_path = ''
  as $$
begin
  perform pg_notify('mssp_portal_cache', '{"cache":"tenant-by-slug","key":"*"}');
  return null;
end
$$;
revoke all on function tenancy.notify_tenant_by_slug_changed() from public, anon, authenticated, service_role, portal_app;

create trigger tenants_by_slug_changed
  after update of slug, name, path, parent_id, status on public.tenants
  for each statement execute function tenancy.notify_tenant_by_slug_changed();
create trigger tenants_by_slug_added_or_removed
  after insert or delete on public.tenants
  for each statement execute function tenancy.notify_tenant_by_slug_changed();

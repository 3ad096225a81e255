-- Every writer of custom domains evicts the custom-domain caches (lib/domains/resolve.ts).
--
-- Why: the per-process caches "domain-routed" (every routed domain → its tenant's slug, one entry)
-- and "domain-primary" (a tenant's primary custom domain, keyed by its slug) were evicted only by
-- lib/domains/store.ts (Remove, a check that starts or stops routing). Offboarding's purge deletes a
-- tenant's custom_domains rows (lib/lifecycle/catalog.ts deleteTenantRows) and an archive restore
-- deletes and writes them back (lib/lifecycle/archive/restore.ts), neither through the store: the
-- domain kept routing to the tombstoned tenant, or answered 404 after the restore, until the 60 s
-- TTL. And "domain-primary" is keyed by slug, which the tenants triggers of 20261201023500 do not
-- evict: a slug renamed or reused kept serving the old holder's domain as the new one's.
--
-- How: after any statement that inserts, deletes or updates custom_domains, and after a tenant's
-- slug changes, notify both caches with key '*' (every entry) on the channel lib/cache listens on;
-- Postgres delivers at commit, never for a rolled-back change, and folds identical notifications of
-- a transaction into one. Statement-level with transition tables: a notification only when what
-- the caches hold changed (a routed, i.e. verified or in grace, row's name, tenant or verification
-- time), so the scheduled re-check, which writes every domain's status and last check every 10
-- minutes, does not clear every replica's caches once per domain. A slug change is a row trigger
-- that fires only when the slug really changes.

create function tenancy.notify_custom_domains_changed() returns trigger
  language plpgsql
  set search_path = pg_catalog, pg_temp
  as $$
declare
  changed boolean;
begin
  if tg_table_name = 'tenants' then
    changed := true;
  elsif tg_op = 'INSERT' then
    changed := exists (select 1 from new_domains n where n.status in ('verified', 'grace'));
  elsif tg_op = 'DELETE' then
    changed := exists (select 1 from old_domains o where o.status in ('verified', 'grace'));
  else
    changed := exists (
      (select o.tenant_id, o.domain, o.verified_at from old_domains o where o.status in ('verified', 'grace')
       except
       select n.tenant_id, n.domain, n.verified_at from new_domains n where n.status in ('verified', 'grace'))
      union all
      (select n.tenant_id, n.domain, n.verified_at from new_domains n where n.status in ('verified', 'grace')
       except
       select o.tenant_id, o.domain, o.verified_at from old_domains o where o.status in ('verified', 'grace')));
  end if;
  if changed then
    perform pg_notify('mssp_portal_cache', '{"cache":"domain-routed","key":"*"}');
    perform pg_notify('mssp_portal_cache', '{"cache":"domain-primary","key":"*"}');
  end if;
  return null;
end
$$;
revoke all on function tenancy.notify_custom_domains_changed() from public, anon, authenticated, service_role, portal_app;

create trigger custom_domains_cache_added
  after insert on public.custom_domains
  referencing new table as new_domains
  for each statement execute function tenancy.notify_custom_domains_changed();
create trigger custom_domains_cache_removed
  after delete on public.custom_domains
  referencing old table as old_domains
  for each statement execute function tenancy.notify_custom_domains_changed();
create trigger custom_domains_cache_changed
  after update on public.custom_domains
  referencing old table as old_domains new table as new_domains
  for each statement execute function tenancy.notify_custom_domains_changed();
create trigger tenants_domain_cache_slug_changed
  after update of slug on public.tenants
  for each row when (old.slug is distinct from new.slug)
  execute function tenancy.notify_custom_domains_changed();

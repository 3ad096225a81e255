-- The console's brand depends on who is signed in and on how many MSSPs the
-- portal runs (lib/branding/resolve.ts): signed in, the brand of the user's
-- MSSP membership (cached per user); signed out, the only MSSP's, or a brand of
-- no one when there are several. The per-process cache "brand-by-host" was
-- dropped everywhere only on branding settings and on updates of a tenant's
-- name, slug, place or status (20261201020000), so a new MSSP, a deleted
-- tenant or a membership added or removed kept a stale brand for up to the
-- cache's 5 minutes. Now those drop it too: one notification per statement,
-- with the function of 20261201020000 (Postgres folds repeated identical
-- notifications of a transaction into one).
create trigger tenants_brand_added_or_removed
  after insert or delete on public.tenants
  for each statement execute function settings.notify_brand_changed();
create trigger memberships_brand_changed
  after insert or delete or update of tenant_id, user_id on public.memberships
  for each statement execute function settings.notify_brand_changed();

-- What a signed-in admin's new API key may say (docs/api.md "Keys", lib/api/keys/store.ts createApiKey).
--
-- Why: `authenticated` held INSERT on every column of public.api_keys, and the lifetime bound
-- (api_keys_expiry_bounded: expires_at <= created_at + 366 days) trusts created_at. Through SQL as a
-- customer's admin (a Supabase Data API) a key written with created_at = now() + 10 years and
-- expires_at a day later passed the check: a decade-long key (collectors:write opens the tenant's
-- saved secrets), listed as created in the future; last use and revocation could be forged too.
--
-- Now `authenticated` inserts the columns createApiKey writes only (tenant_id, id, name, secret_hash,
-- scopes, expires_at, created_by): created_at is the time of the insert, so a key lives at most 366
-- days from its creation, unused and unrevoked. Revoking stays the only change (column grants on
-- revoked_at, revoked_by and api.guard_key_update); the service role and the owner are not affected.
revoke insert on public.api_keys from authenticated;
grant insert (tenant_id, id, name, secret_hash, scopes, expires_at, created_by) on public.api_keys to authenticated;

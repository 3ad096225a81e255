-- Rollback of 20261201030820_api_key_insert_columns: admins insert any column of an API key again.
revoke insert (tenant_id, id, name, secret_hash, scopes, expires_at, created_by) on public.api_keys from authenticated;
grant insert on public.api_keys to authenticated;

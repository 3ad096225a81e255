-- Supabase Vault, the API the portal's key hierarchy is built on.
--
-- On a Supabase project the `supabase_vault` extension already provides
-- vault.secrets, vault.create_secret(), vault.update_secret() and the
-- vault.decrypted_secrets view; this migration then does nothing. On plain
-- Postgres it creates the same API with the same signatures, so one code path
-- (supabase/migrations/20261129000100_keyring.sql) serves both.
--
-- Difference that matters (docs/security-model.md, "Key hierarchy"): Supabase
-- encrypts secrets under a root key held outside the database. The compat
-- schema keeps its root key in vault._root_key, a table no API role can read;
-- a full dump of a plain-Postgres database therefore carries it. Production
-- on plain Postgres should keep vault._root_key out of backups (or use
-- Supabase / a KMS); the embedded dev database does not care.

do $outer$
begin
  if to_regprocedure('vault.create_secret(text,text,text,uuid)') is not null then
    raise notice 'vault API present (Supabase Vault); compat vault skipped';
    return;
  end if;

  create schema vault;
  comment on schema vault is 'mssp-portal compat Supabase Vault';
  revoke all on schema vault from public;

  create table vault._root_key (
    id   boolean primary key default true check (id),
    key  bytea not null default extensions.gen_random_bytes(32)
  );
  insert into vault._root_key default values;
  revoke all on vault._root_key from public;

  create table vault.secrets (
    id          uuid primary key default gen_random_uuid(),
    name        text,
    description text not null default '',
    secret      text not null,
    key_id      uuid,
    nonce       bytea,
    created_at  timestamptz not null default current_timestamp,
    updated_at  timestamptz not null default current_timestamp
  );
  create unique index secrets_name_idx on vault.secrets (name) where name is not null;
  revoke all on vault.secrets from public;

  -- The root key as the passphrase of an OpenPGP symmetric message (AES-256,
  -- with pgcrypto's integrity check), base64 in `secret` like Supabase's.
  create function vault._encrypt(plain text) returns text
    language sql volatile security definer set search_path = ''
    as $fn$
      select encode(extensions.pgp_sym_encrypt(plain, encode(k.key, 'hex'), 'cipher-algo=aes256'), 'base64')
        from vault._root_key k
    $fn$;

  create function vault._decrypt(sealed text) returns text
    language sql stable security definer set search_path = ''
    as $fn$
      select extensions.pgp_sym_decrypt(decode(sealed, 'base64'), encode(k.key, 'hex'))
        from vault._root_key k
    $fn$;

  create function vault.create_secret(
    new_secret text, new_name text default null, new_description text default '', new_key_id uuid default null
  ) returns uuid
    language plpgsql volatile security definer set search_path = ''
    as $fn$
    declare
      rec_id uuid;
    begin
      insert into vault.secrets (secret, name, description, key_id)
      values (vault._encrypt(new_secret), new_name, coalesce(new_description, ''), new_key_id)
      returning id into rec_id;
      return rec_id;
    end
    $fn$;

  create function vault.update_secret(
    secret_id uuid, new_secret text default null, new_name text default null,
    new_description text default null, new_key_id uuid default null
  ) returns void
    language plpgsql volatile security definer set search_path = ''
    as $fn$
    begin
      update vault.secrets s
         set secret      = case when new_secret is null then s.secret else vault._encrypt(new_secret) end,
             name        = coalesce(new_name, s.name),
             description = coalesce(new_description, s.description),
             key_id      = coalesce(new_key_id, s.key_id),
             updated_at  = now()
       where s.id = secret_id;
    end
    $fn$;

  create view vault.decrypted_secrets as
    select s.id, s.name, s.description, s.secret,
           vault._decrypt(s.secret) as decrypted_secret,
           s.key_id, s.nonce, s.created_at, s.updated_at
      from vault.secrets s;

  revoke all on all functions in schema vault from public;
  revoke all on vault.decrypted_secrets from public;
  -- Supabase grants the Vault API to postgres and service_role; so do we.
  grant usage on schema vault to service_role;
  grant select, delete on vault.secrets to service_role;
  grant select on vault.decrypted_secrets to service_role;
  grant execute on function vault.create_secret(text, text, text, uuid),
    vault.update_secret(uuid, text, text, text, uuid) to service_role;
end
$outer$;

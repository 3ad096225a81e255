-- The key hierarchy: Vault secret (KEK, one per MSSP) -> tenant DEK -> credential.
--
-- * A KEK is 32 random bytes generated inside Postgres and stored through the
--   Vault API (vault.create_secret); it never leaves the database, and never
--   appears in a statement's text or parameters (FIELD-NOTES: statement logs
--   leak what is passed to vault.create_secret).
-- * Each tenant has versioned DEKs, 32 random bytes generated here, stored only
--   wrapped by its MSSP's KEK. The application receives a DEK as a query result
--   of keyring.unwrap_dek() (service role only) and seals credentials with it.
-- * Wrapping is encrypt-then-MAC, which pgcrypto can do (it has no GCM):
--   AES-256-CBC under HMAC(kek, 'enc') and HMAC-SHA256 under HMAC(kek, 'mac')
--   over (tenant, DEK version, KEK root, KEK version) || iv || ciphertext, so a
--   wrapped DEK copied to another tenant or version does not unwrap.
-- Nothing here is reachable by anon or authenticated.

create schema keyring;
revoke all on schema keyring from public;
grant usage on schema keyring to service_role;

create table keyring.keks (
  root_tenant_id  uuid not null references public.tenants (id) on delete cascade,
  version         integer not null check (version > 0),
  vault_secret_id uuid not null,
  -- retired: no DEK is wrapped by it any more and its Vault secret was overwritten.
  status          text not null default 'active' check (status in ('active', 'retired')),
  created_at      timestamptz not null default now(),
  retired_at      timestamptz,
  primary key (root_tenant_id, version)
);
create unique index keks_one_active on keyring.keks (root_tenant_id) where status = 'active';

create table keyring.tenant_keys (
  tenant_id    uuid not null references public.tenants (id) on delete cascade,
  version      integer not null check (version > 0),
  -- active: seals new credentials; retiring: still opens credentials a DEK
  -- rotation has not re-sealed yet; retired: rotated out, erased;
  -- destroyed: crypto-shredded with the tenant's other keys.
  status       text not null check (status in ('active', 'retiring', 'retired', 'destroyed')),
  wrapped_dek  bytea,
  kek_root_id  uuid,
  kek_version  integer,
  created_at   timestamptz not null default now(),
  retired_at   timestamptz,
  primary key (tenant_id, version),
  foreign key (kek_root_id, kek_version) references keyring.keks (root_tenant_id, version),
  -- A key that can still open something is wrapped; a key that cannot is erased.
  constraint tenant_keys_material check (
    (status in ('active', 'retiring')) = (wrapped_dek is not null and kek_version is not null))
);
create unique index tenant_keys_one_active on keyring.tenant_keys (tenant_id) where status = 'active';
create index tenant_keys_kek on keyring.tenant_keys (kek_root_id, kek_version) where wrapped_dek is not null;

alter table keyring.keks enable row level security;
alter table keyring.keks force row level security;
alter table keyring.tenant_keys enable row level security;
alter table keyring.tenant_keys force row level security;
-- No policies and no grants: only the definer functions below touch these.

-- ---------------------------------------------------------------------------
-- Wrapping (private)
-- ---------------------------------------------------------------------------
create function keyring.wrap_aad(tenant uuid, version integer, kek_root uuid, kek_version integer)
  returns bytea language sql immutable set search_path = ''
  as $$ select convert_to(format('mssp-portal/dek/v1|%s|%s|%s|%s', tenant, version, kek_root, kek_version), 'UTF8') $$;

create function keyring.wrap(dek bytea, kek bytea, aad bytea) returns bytea
  language plpgsql volatile set search_path = ''
  as $$
declare
  iv bytea := extensions.gen_random_bytes(16);
  body bytea;
begin
  if length(dek) <> 32 or length(kek) <> 32 then
    raise exception 'keyring.wrap: keys must be 32 bytes';
  end if;
  body := '\x01'::bytea || iv || extensions.encrypt_iv(dek,
            extensions.hmac('mssp-portal/kek/enc'::bytea, kek, 'sha256'), iv, 'aes-cbc/pad:none');
  return body || extensions.hmac(aad || body, extensions.hmac('mssp-portal/kek/mac'::bytea, kek, 'sha256'), 'sha256');
end
$$;

create function keyring.unwrap(wrapped bytea, kek bytea, aad bytea) returns bytea
  language plpgsql stable set search_path = ''
  as $$
declare
  body bytea;
begin
  if wrapped is null or length(wrapped) <> 81 or get_byte(wrapped, 0) <> 1 then
    raise exception 'tenant key failed its integrity check (malformed)' using errcode = 'XX001';
  end if;
  body := substring(wrapped from 1 for 49);
  if extensions.hmac(aad || body, extensions.hmac('mssp-portal/kek/mac'::bytea, kek, 'sha256'), 'sha256')
       <> substring(wrapped from 50 for 32) then
    raise exception 'tenant key failed its integrity check: it was not wrapped for this tenant, version and KEK'
      using errcode = 'XX001';
  end if;
  return extensions.decrypt_iv(substring(wrapped from 18 for 32),
           extensions.hmac('mssp-portal/kek/enc'::bytea, kek, 'sha256'), substring(wrapped from 2 for 16),
           'aes-cbc/pad:none');
end
$$;

-- The MSSP (root) above a tenant.
create function keyring.root_of(tenant uuid) returns uuid
  language sql stable security definer set search_path = ''
  as $$
    select r.id from public.tenants t
      join public.tenants r on r.path operator(extensions.=) extensions.subpath(t.path, 0, 1)
     where t.id = tenant
  $$;

create function keyring.kek_material(root uuid, kek_version integer) returns bytea
  language plpgsql stable security definer set search_path = ''
  as $$
declare
  material bytea;
begin
  select decode(ds.decrypted_secret, 'hex') into material
    from keyring.keks k join vault.decrypted_secrets ds on ds.id = k.vault_secret_id
   where k.root_tenant_id = root and k.version = kek_version and k.status = 'active';
  if material is null or length(material) <> 32 then
    raise exception 'KEK v% of MSSP % is not available', kek_version, root using errcode = 'XX001';
  end if;
  return material;
end
$$;

-- The MSSP's active KEK version, creating version 1 (in Vault) on first use.
create function keyring.ensure_kek(root uuid) returns integer
  language plpgsql volatile security definer set search_path = ''
  as $$
declare
  v integer;
  secret_id uuid;
begin
  select k.version into v from keyring.keks k
   where k.root_tenant_id = root and k.status = 'active' for share;
  if v is not null then
    return v;
  end if;
  -- Generated here: the key is never part of a statement's text.
  secret_id := vault.create_secret(encode(extensions.gen_random_bytes(32), 'hex'),
                 format('mssp-portal/kek/%s/v1', root), format('Key-encryption key v1 of MSSP %s', root));
  insert into keyring.keks (root_tenant_id, version, vault_secret_id) values (root, 1, secret_id);
  return 1;
end
$$;

-- ---------------------------------------------------------------------------
-- Tenant keys (the service role's API; lib/vault/keys.ts)
-- ---------------------------------------------------------------------------

-- A new DEK version for the tenant becomes active; the previous active one
-- becomes 'retiring' (it still opens what it sealed until a rotation
-- re-seals it). Returns the new version.
create function keyring.create_tenant_key(tenant uuid) returns integer
  language plpgsql volatile security definer set search_path = ''
  as $$
declare
  root uuid := keyring.root_of(tenant);
  kv integer;
  next_version integer;
begin
  if root is null then
    raise exception 'no tenant %', tenant using errcode = '23503';
  end if;
  kv := keyring.ensure_kek(root);
  -- Serializes with writers sealing under the active key (check_seal_key).
  perform 1 from keyring.tenant_keys k where k.tenant_id = tenant and k.status = 'active' for update;
  select coalesce(max(k.version), 0) + 1 into next_version from keyring.tenant_keys k where k.tenant_id = tenant;
  if exists (select 1 from keyring.tenant_keys k where k.tenant_id = tenant and k.status = 'destroyed') then
    raise exception 'the keys of tenant % were destroyed; it cannot get new ones', tenant using errcode = '55000';
  end if;
  update keyring.tenant_keys k set status = 'retiring' where k.tenant_id = tenant and k.status = 'active';
  insert into keyring.tenant_keys (tenant_id, version, status, wrapped_dek, kek_root_id, kek_version)
  values (tenant, next_version, 'active',
          keyring.wrap(extensions.gen_random_bytes(32), keyring.kek_material(root, kv),
                       keyring.wrap_aad(tenant, next_version, root, kv)),
          root, kv);
  return next_version;
end
$$;

-- The plaintext DEK of one version, for the application's key cache.
create function keyring.unwrap_dek(tenant uuid, dek_version integer) returns bytea
  language plpgsql stable security definer set search_path = ''
  as $$
declare
  k record;
begin
  select * into k from keyring.tenant_keys t where t.tenant_id = tenant and t.version = dek_version;
  if not found then
    raise exception 'tenant % has no key version %', tenant, dek_version using errcode = 'P0002';
  end if;
  if k.wrapped_dek is null then
    raise exception 'key version % of tenant % is %: what it sealed can no longer be opened',
      dek_version, tenant, k.status using errcode = '55000';
  end if;
  return keyring.unwrap(k.wrapped_dek, keyring.kek_material(k.kek_root_id, k.kek_version),
                        keyring.wrap_aad(tenant, dek_version, k.kek_root_id, k.kek_version));
end
$$;

-- The active version and its DEK, for sealing.
create function keyring.active_dek(tenant uuid, out version integer, out dek bytea)
  language plpgsql stable security definer set search_path = ''
  as $$
begin
  select t.version into version from keyring.tenant_keys t where t.tenant_id = tenant and t.status = 'active';
  if version is null then
    raise exception 'tenant % has no active key', tenant using errcode = '55000';
  end if;
  dek := keyring.unwrap_dek(tenant, version);
end
$$;

-- Erase a rotated-out version. Refuses while anything is still sealed under it,
-- so a rotation can never leave a credential unreadable.
create function keyring.retire_tenant_key(tenant uuid, dek_version integer) returns void
  language plpgsql volatile security definer set search_path = ''
  as $$
begin
  perform 1 from keyring.tenant_keys t
   where t.tenant_id = tenant and t.version = dek_version and t.status = 'retiring' for update;
  if not found then
    raise exception 'key version % of tenant % is not retiring', dek_version, tenant using errcode = '55000';
  end if;
  if exists (select 1 from public.credentials c where c.tenant_id = tenant and c.key_version = dek_version) then
    raise exception 'key version % of tenant % still seals credentials', dek_version, tenant using errcode = '55000';
  end if;
  update keyring.tenant_keys t set status = 'retired', wrapped_dek = null, retired_at = now()
   where t.tenant_id = tenant and t.version = dek_version;
end
$$;

-- Crypto-shredding: erase every version of the tenant's DEK. What they sealed
-- stays in the table (and in backups) as noise. Deprovisioning calls this.
create function keyring.destroy_tenant_keys(tenant uuid) returns integer
  language plpgsql volatile security definer set search_path = ''
  as $$
declare
  n integer;
begin
  update keyring.tenant_keys t set status = 'destroyed', wrapped_dek = null, retired_at = coalesce(t.retired_at, now())
   where t.tenant_id = tenant and t.status <> 'destroyed';
  get diagnostics n = row_count;
  return n;
end
$$;

-- KEK rotation for one MSSP: a new KEK in Vault, every DEK under the MSSP
-- re-wrapped with it in this one transaction (all or nothing), and each KEK
-- no longer wrapping anything overwritten in Vault (vault.update_secret) and
-- marked retired.
create function keyring.rotate_kek(root uuid, out new_version integer, out rewrapped integer)
  language plpgsql volatile security definer set search_path = ''
  as $$
declare
  old_version integer;
  secret_id uuid;
  new_kek bytea;
  k record;
  dek bytea;
begin
  if exists (select 1 from public.tenants t where t.id = root and t.parent_id is not null) then
    raise exception 'KEKs belong to an MSSP (a root tenant)' using errcode = '22023';
  end if;
  perform keyring.ensure_kek(root);
  -- Blocks new DEKs under this MSSP until the rotation commits.
  select kk.version into old_version from keyring.keks kk
   where kk.root_tenant_id = root and kk.status = 'active' for update;
  new_version := old_version + 1;
  secret_id := vault.create_secret(encode(extensions.gen_random_bytes(32), 'hex'),
                 format('mssp-portal/kek/%s/v%s', root, new_version),
                 format('Key-encryption key v%s of MSSP %s', new_version, root));
  update keyring.keks kk set status = 'retired', retired_at = now()
   where kk.root_tenant_id = root and kk.version = old_version;
  insert into keyring.keks (root_tenant_id, version, vault_secret_id) values (root, new_version, secret_id);
  -- kek_material() reads only active KEKs; the old one is read here directly.
  new_kek := keyring.kek_material(root, new_version);
  rewrapped := 0;
  for k in
    select t.tenant_id, t.version, t.wrapped_dek, t.kek_root_id, t.kek_version
      from keyring.tenant_keys t
      join public.tenants tt on tt.id = t.tenant_id
      join public.tenants r on r.id = root
     where t.wrapped_dek is not null and tt.path operator(extensions.<@) r.path
       for update of t
  loop
    dek := keyring.unwrap(k.wrapped_dek,
             (select decode(ds.decrypted_secret, 'hex') from keyring.keks kk
                join vault.decrypted_secrets ds on ds.id = kk.vault_secret_id
               where kk.root_tenant_id = k.kek_root_id and kk.version = k.kek_version),
             keyring.wrap_aad(k.tenant_id, k.version, k.kek_root_id, k.kek_version));
    update keyring.tenant_keys t
       set wrapped_dek = keyring.wrap(dek, new_kek, keyring.wrap_aad(k.tenant_id, k.version, root, new_version)),
           kek_root_id = root, kek_version = new_version
     where t.tenant_id = k.tenant_id and t.version = k.version;
    rewrapped := rewrapped + 1;
  end loop;
  -- Destroy the material of every retired KEK that wraps nothing any more.
  for k in
    select kk.vault_secret_id from keyring.keks kk
     where kk.root_tenant_id = root and kk.status = 'retired'
       and not exists (select 1 from keyring.tenant_keys t
                        where t.kek_root_id = kk.root_tenant_id and t.kek_version = kk.version
                          and t.wrapped_dek is not null)
  loop
    perform vault.update_secret(k.vault_secret_id, encode(extensions.gen_random_bytes(32), 'hex'),
                                null, 'retired: material overwritten');
  end loop;
end
$$;

-- A summary the console shows (no key material).
create function keyring.key_status(tenant uuid)
  returns table (version integer, status text, kek_version integer, created_at timestamptz, retired_at timestamptz)
  language sql stable security definer set search_path = ''
  as $$
    select t.version, t.status, t.kek_version, t.created_at, t.retired_at
      from keyring.tenant_keys t where t.tenant_id = tenant order by t.version desc
  $$;

create function keyring.kek_status(root uuid)
  returns table (version integer, status text, created_at timestamptz, retired_at timestamptz, wraps bigint)
  language sql stable security definer set search_path = ''
  as $$
    select kk.version, kk.status, kk.created_at, kk.retired_at,
           (select count(*) from keyring.tenant_keys t
             where t.kek_root_id = kk.root_tenant_id and t.kek_version = kk.version and t.wrapped_dek is not null)
      from keyring.keks kk where kk.root_tenant_id = root order by kk.version desc
  $$;

-- Every tenant gets its first DEK when it is created.
create function keyring.on_tenant_created() returns trigger
  language plpgsql security definer set search_path = ''
  as $$
begin
  perform keyring.create_tenant_key(new.id);
  return null;
end
$$;

create trigger tenants_create_key
  after insert on public.tenants
  for each row execute function keyring.on_tenant_created();

-- A KEK's Vault secret goes with it (a deleted MSSP leaves no key behind).
create function keyring.on_kek_deleted() returns trigger
  language plpgsql security definer set search_path = ''
  as $$
begin
  delete from vault.secrets s where s.id = old.vault_secret_id;
  return null;
end
$$;

create trigger keks_delete_vault_secret
  after delete on keyring.keks
  for each row execute function keyring.on_kek_deleted();

revoke execute on all functions in schema keyring from public;
grant execute on function keyring.create_tenant_key(uuid), keyring.unwrap_dek(uuid, integer),
  keyring.active_dek(uuid), keyring.retire_tenant_key(uuid, integer), keyring.destroy_tenant_keys(uuid),
  keyring.rotate_kek(uuid), keyring.key_status(uuid), keyring.kek_status(uuid), keyring.root_of(uuid)
  to service_role;

-- Existing tenants get theirs now, parents first (an MSSP's KEK is created
-- with its first DEK).
do $$
declare
  t record;
begin
  for t in select id from public.tenants order by extensions.nlevel(path), created_at loop
    perform keyring.create_tenant_key(t.id);
  end loop;
end
$$;

-- Keys follow a tenant when it moves to another MSSP (issue 8, point 5).
--
-- Before: a tenant's DEKs stayed wrapped by the KEK of the MSSP it was created
-- under (keyring.tenant_keys.kek_root_id) when it moved to another MSSP, while
-- keyring.rotate_kek picked the DEKs to re-wrap by the current tree. The old
-- MSSP's rotation skipped the moved keys, retired its KEK anyway (leaving its
-- Vault secret in place, since something still used it), and from then on
-- kek_material() refused the retired KEK: every credential of the moved tenant
-- failed to open, status said the retired KEK's material was overwritten, and
-- a DEK rotation of the tenant failed on each attempt.
--
-- Now:
--   * a tenant whose root MSSP changes (its path's first label changes and
--     root_of() names another MSSP; the cascade trigger updates each
--     descendant, so a moved subtree follows tenant by tenant) has every DEK
--     version that still opens something re-wrapped under the new MSSP's
--     active KEK, in the moving transaction (trigger tenants_keys_follow_root);
--   * rotate_kek re-wraps by what each KEK version wraps (kek_root_id and
--     kek_version), never by the tree; keys left on the wrong side of a move
--     made before this migration are re-wrapped under their tenant's own
--     MSSP's KEK by the next rotation of either MSSP (returned as `repaired`);
--   * a KEK version that still wraps a DEK cannot be retired (checked by the
--     rotation before it overwrites anything, and at commit for any other
--     path), and keks.material_overwritten_at records that a retired
--     version's Vault secret really was overwritten, in the same transaction;
--   * key_status / kek_status report which KEK wraps each key, keys wrapped
--     under a foreign MSSP's KEK, and whether a retired KEK was overwritten.
-- Key material stays inside these functions: statements carry tenant ids only.

-- ---------------------------------------------------------------------------
-- Was a retired KEK's Vault secret really overwritten?
-- ---------------------------------------------------------------------------
alter table keyring.keks add column material_overwritten_at timestamptz;
alter table keyring.keks add constraint keks_overwritten_only_retired
  check (material_overwritten_at is null or status = 'retired');

-- The old rotation described each secret it overwrote this way, and only
-- those: a retired version it skipped (it still wrapped a moved tenant's keys)
-- keeps its material and stays null, so status can say so.
update keyring.keks k set material_overwritten_at = coalesce(k.retired_at, now())
  from vault.secrets s
 where s.id = k.vault_secret_id and k.status = 'retired' and s.description = 'retired: material overwritten';

-- Any KEK version whose material is still there opens what it wraps. Only
-- versions retired before this migration can be retired and intact (a
-- rotation now retires and overwrites in one transaction); reading them lets
-- the keys they still wrap open until a rotation moves those keys off.
create or replace function keyring.kek_material(root uuid, kek_version integer) returns bytea
  language plpgsql stable security definer set search_path = ''
  as $$
declare
  material bytea;
begin
  select decode(ds.decrypted_secret, 'hex') into material
    from keyring.keks k join vault.decrypted_secrets ds on ds.id = k.vault_secret_id
   where k.root_tenant_id = root and k.version = kek_version and k.material_overwritten_at is null;
  if material is null or length(material) <> 32 then
    raise exception 'KEK v% of MSSP % is not available', kek_version, root using errcode = 'XX001';
  end if;
  return material;
end
$$;

-- As before, plus: a rotation of this MSSP that commits while this waits for
-- its lock leaves the version this statement saw retired, and the new one is
-- invisible to it; the next statement (a new snapshot) sees the new one. A
-- tenant moving in during a rotation of its new MSSP needs this.
create or replace function keyring.ensure_kek(root uuid) returns integer
  language plpgsql volatile security definer set search_path = ''
  as $$
declare
  v integer;
  secret_id uuid;
begin
  for attempt in 1..2 loop
    select k.version into v from keyring.keks k
     where k.root_tenant_id = root and k.status = 'active' for share;
    if v is not null then
      return v;
    end if;
    exit when not exists (select 1 from keyring.keks k where k.root_tenant_id = root);
  end loop;
  if exists (select 1 from keyring.keks k where k.root_tenant_id = root) then
    raise exception 'MSSP % has no active KEK (a rotation changed it meanwhile); retry', root using errcode = '40001';
  end if;
  -- Generated here: the key is never part of a statement's text.
  secret_id := vault.create_secret(encode(extensions.gen_random_bytes(32), 'hex'),
                 format('mssp-portal/kek/%s/v1', root), format('Key-encryption key v1 of MSSP %s', root));
  insert into keyring.keks (root_tenant_id, version, vault_secret_id) values (root, 1, secret_id);
  return 1;
end
$$;

-- ---------------------------------------------------------------------------
-- Re-wrapping (private: called by the definer functions below)
-- ---------------------------------------------------------------------------

-- One DEK version, from the KEK its row names to (to_root, to_version), whose
-- material the caller read once. A key that fails its integrity check raises,
-- so the caller's whole transaction changes nothing.
create function keyring.rewrap(tenant uuid, dek_version integer, to_root uuid, to_version integer, to_kek bytea)
  returns void language plpgsql volatile set search_path = ''
  as $$
declare
  k record;
begin
  select t.wrapped_dek, t.kek_root_id, t.kek_version into strict k
    from keyring.tenant_keys t where t.tenant_id = tenant and t.version = dek_version and t.wrapped_dek is not null;
  update keyring.tenant_keys t
     set wrapped_dek = keyring.wrap(
           keyring.unwrap(k.wrapped_dek, keyring.kek_material(k.kek_root_id, k.kek_version),
                          keyring.wrap_aad(tenant, dek_version, k.kek_root_id, k.kek_version)),
           to_kek, keyring.wrap_aad(tenant, dek_version, to_root, to_version)),
         kek_root_id = to_root, kek_version = to_version
   where t.tenant_id = tenant and t.version = dek_version;
end
$$;

-- Every DEK version of `tenant` that still opens something (active, retiring)
-- and is wrapped by another MSSP's KEK than its own goes under its own MSSP's
-- active KEK. Returns how many. A no-op (one index probe) when nothing is
-- foreign: a move within one MSSP, or an MSSP renamed.
create function keyring.follow_root(tenant uuid) returns integer
  language plpgsql volatile security definer set search_path = ''
  as $$
declare
  home uuid := keyring.root_of(tenant);
  home_version integer;
  home_kek bytea;
  k record;
  n integer := 0;
begin
  for k in
    select t.version from keyring.tenant_keys t
     where t.tenant_id = tenant and t.wrapped_dek is not null and t.kek_root_id is distinct from home
     order by t.version
       for update
  loop
    if home_kek is null then
      home_version := keyring.ensure_kek(home);
      home_kek := keyring.kek_material(home, home_version);
    end if;
    perform keyring.rewrap(tenant, k.version, home, home_version, home_kek);
    n := n + 1;
  end loop;
  return n;
end
$$;

-- Keys on the wrong side of a move (made before keys followed moves): those
-- this MSSP's KEK wraps for tenants now under another MSSP, and those of
-- tenants now under this MSSP that another MSSP's KEK wraps. Each goes under
-- its tenant's own MSSP's active KEK. Returns how many.
create function keyring.repair_foreign_keys(root uuid) returns integer
  language plpgsql volatile security definer set search_path = ''
  as $$
declare
  tenant uuid;
  n integer := 0;
begin
  for tenant in
    select t.tenant_id from keyring.tenant_keys t
      join public.tenants tt on tt.id = t.tenant_id
      join public.tenants r on r.id = root
     where t.kek_root_id = root and t.wrapped_dek is not null
       and extensions.subpath(tt.path, 0, 1) operator(extensions.<>) r.path
    union
    select tt.id from public.tenants r
      join public.tenants tt on tt.path operator(extensions.<@) r.path
      join keyring.tenant_keys t on t.tenant_id = tt.id
     where r.id = root and t.wrapped_dek is not null and t.kek_root_id <> root
  loop
    n := n + keyring.follow_root(tenant);
  end loop;
  return n;
end
$$;

-- Raises unless nothing is wrapped by this KEK version any more: a retired
-- KEK must open nothing, or overwriting it would destroy keys.
create function keyring.assert_kek_unused(root uuid, v integer) returns void
  language plpgsql stable security definer set search_path = ''
  as $$
declare
  n bigint;
begin
  select count(*) into n from keyring.tenant_keys t
   where t.kek_root_id = root and t.kek_version = v and t.wrapped_dek is not null;
  if n > 0 then
    raise exception 'KEK v% of MSSP % still wraps % tenant key(s); it cannot be retired', v, root, n
      using errcode = '55000';
  end if;
end
$$;

-- Overwrites the Vault secret of every retired version of the MSSP's KEK
-- whose material is still there, once it wraps nothing, and records it. A
-- version retired before this migration with material left (it still wrapped
-- a moved tenant's keys) is caught up by the MSSP's next rotation.
create function keyring.overwrite_retired_keks(root uuid) returns void
  language plpgsql volatile security definer set search_path = ''
  as $$
declare
  k record;
begin
  for k in
    select kk.version, kk.vault_secret_id from keyring.keks kk
     where kk.root_tenant_id = root and kk.status = 'retired' and kk.material_overwritten_at is null
       for update
  loop
    perform keyring.assert_kek_unused(root, k.version);
    perform vault.update_secret(k.vault_secret_id, encode(extensions.gen_random_bytes(32), 'hex'),
                                null, 'retired: material overwritten');
    update keyring.keks kk set material_overwritten_at = now()
     where kk.root_tenant_id = root and kk.version = k.version;
  end loop;
end
$$;

-- ---------------------------------------------------------------------------
-- KEK rotation, by what each KEK wraps
-- ---------------------------------------------------------------------------

-- One MSSP, one transaction (all or nothing): a new KEK in Vault; foreign keys
-- repaired (`repaired`, counted in `rewrapped` too); every DEK that any older
-- version of this KEK wraps re-wrapped with the new one, found by its row, not
-- by the tree; then each retired version checked to wrap nothing and its Vault
-- secret overwritten.
drop function keyring.rotate_kek(uuid);
create function keyring.rotate_kek(root uuid, out new_version integer, out rewrapped integer, out repaired integer)
  language plpgsql volatile security definer set search_path = ''
  as $$
declare
  old_version integer;
  secret_id uuid;
  new_kek bytea;
  k record;
begin
  if exists (select 1 from public.tenants t where t.id = root and t.parent_id is not null) then
    raise exception 'KEKs belong to an MSSP (a root tenant)' using errcode = '22023';
  end if;
  perform keyring.ensure_kek(root);
  -- Blocks new DEKs under this MSSP, and tenants moving in, until the rotation commits.
  select kk.version into old_version from keyring.keks kk
   where kk.root_tenant_id = root and kk.status = 'active' for update;
  new_version := old_version + 1;
  secret_id := vault.create_secret(encode(extensions.gen_random_bytes(32), 'hex'),
                 format('mssp-portal/kek/%s/v%s', root, new_version),
                 format('Key-encryption key v%s of MSSP %s', new_version, root));
  update keyring.keks kk set status = 'retired', retired_at = now()
   where kk.root_tenant_id = root and kk.version = old_version;
  insert into keyring.keks (root_tenant_id, version, vault_secret_id) values (root, new_version, secret_id);
  new_kek := keyring.kek_material(root, new_version);

  -- After the new version exists, so keys repaired into this MSSP land on it.
  repaired := keyring.repair_foreign_keys(root);
  rewrapped := repaired;
  for k in
    select t.tenant_id, t.version from keyring.tenant_keys t
     where t.kek_root_id = root and t.kek_version <> new_version and t.wrapped_dek is not null
     order by t.tenant_id, t.version
       for update
  loop
    perform keyring.rewrap(k.tenant_id, k.version, root, new_version, new_kek);
    rewrapped := rewrapped + 1;
  end loop;
  perform keyring.overwrite_retired_keks(root);
end
$$;

-- Whatever retires a KEK version (a rotation, or someone by hand), it must
-- wrap nothing by the time the transaction commits.
create function keyring.check_kek_retirement() returns trigger
  -- Definer: a deferred trigger runs at commit, outside the definer function
  -- that retired the KEK, as a caller who cannot read keyring.tenant_keys.
  language plpgsql security definer set search_path = ''
  as $$
begin
  perform keyring.assert_kek_unused(new.root_tenant_id, new.version);
  return null;
end
$$;

create constraint trigger keks_retire_only_unused
  after update of status on keyring.keks
  deferrable initially deferred
  for each row when (new.status = 'retired')
  execute function keyring.check_kek_retirement();

-- ---------------------------------------------------------------------------
-- Moves
-- ---------------------------------------------------------------------------
create function keyring.on_tenant_root_changed() returns trigger
  language plpgsql security definer set search_path = ''
  as $$
begin
  perform keyring.follow_root(new.id);
  return null;
end
$$;

-- Not `after update of path`: a column-specific trigger does not fire when
-- only a BEFORE trigger changed the column (tenancy.cascade_tenant_path). The
-- WHEN clause skips every update that keeps the first label (settings, a move
-- within the MSSP); a renamed MSSP passes it and finds nothing to re-wrap.
create trigger tenants_keys_follow_root
  after update on public.tenants
  for each row
  when (extensions.subpath(old.path, 0, 1) operator(extensions.<>) extensions.subpath(new.path, 0, 1))
  execute function keyring.on_tenant_root_changed();

-- ---------------------------------------------------------------------------
-- Status (no key material)
-- ---------------------------------------------------------------------------

-- Also: the MSSP whose KEK wraps each version, and whether that is another
-- MSSP than the tenant's own while the key still opens something.
drop function keyring.key_status(uuid);
create function keyring.key_status(tenant uuid)
  returns table (version integer, status text, kek_version integer, created_at timestamptz, retired_at timestamptz,
                 kek_root_id uuid, foreign_root boolean)
  language sql stable security definer set search_path = ''
  as $$
    select t.version, t.status, t.kek_version, t.created_at, t.retired_at, t.kek_root_id,
           t.wrapped_dek is not null and t.kek_root_id is distinct from (select keyring.root_of(tenant))
      from keyring.tenant_keys t where t.tenant_id = tenant order by t.version desc
  $$;

-- Also: of the DEKs a version wraps, how many belong to tenants now under
-- another MSSP; and when a retired version's Vault secret was overwritten
-- (null: its material is still there).
drop function keyring.kek_status(uuid);
create function keyring.kek_status(root uuid)
  returns table (version integer, status text, created_at timestamptz, retired_at timestamptz, wraps bigint,
                 foreign_wraps bigint, material_overwritten_at timestamptz)
  language sql stable security definer set search_path = ''
  as $$
    select kk.version, kk.status, kk.created_at, kk.retired_at, w.wraps, w.foreign_wraps, kk.material_overwritten_at
      from keyring.keks kk
      join public.tenants r on r.id = kk.root_tenant_id
      cross join lateral (
        select count(*) as wraps,
               count(*) filter (where extensions.subpath(tt.path, 0, 1) operator(extensions.<>) r.path) as foreign_wraps
          from keyring.tenant_keys t join public.tenants tt on tt.id = t.tenant_id
         where t.kek_root_id = kk.root_tenant_id and t.kek_version = kk.version and t.wrapped_dek is not null
      ) w
     where kk.root_tenant_id = root order by kk.version desc
  $$;

revoke execute on function keyring.rewrap(uuid, integer, uuid, integer, bytea), keyring.follow_root(uuid),
  keyring.repair_foreign_keys(uuid), keyring.assert_kek_unused(uuid, integer), keyring.overwrite_retired_keks(uuid),
  keyring.rotate_kek(uuid), keyring.check_kek_retirement(), keyring.on_tenant_root_changed(),
  keyring.key_status(uuid), keyring.kek_status(uuid) from public;
grant execute on function keyring.rotate_kek(uuid), keyring.key_status(uuid), keyring.kek_status(uuid) to service_role;

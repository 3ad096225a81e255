-- Rollback of 20261130000200_keyring_follows_moves: the functions as
-- 20261129000100_keyring defined them. Keys stay where they are (each wrapped
-- by the KEK its row names), and nothing is erased. After it, a move to another
-- MSSP leaves the tenant's keys under the old MSSP's KEK again, and the old
-- kek_material() refuses a retired KEK that still wraps something. Run
-- `npm run keys -- status` first: if it reports problems, rotate the KEKs it
-- names until it reports none, then roll back.
drop trigger if exists tenants_keys_follow_root on public.tenants;
drop trigger if exists keks_retire_only_unused on keyring.keks;
drop function if exists keyring.on_tenant_root_changed();
drop function if exists keyring.check_kek_retirement();
drop function if exists keyring.rotate_kek(uuid);
drop function if exists keyring.overwrite_retired_keks(uuid);
drop function if exists keyring.assert_kek_unused(uuid, integer);
drop function if exists keyring.repair_foreign_keys(uuid);
drop function if exists keyring.follow_root(uuid);
drop function if exists keyring.rewrap(uuid, integer, uuid, integer, bytea);
drop function if exists keyring.key_status(uuid);
drop function if exists keyring.kek_status(uuid);

create or replace function keyring.kek_material(root uuid, kek_version integer) returns bytea
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

create or replace function keyring.ensure_kek(root uuid) returns integer
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

alter table keyring.keks drop constraint if exists keks_overwritten_only_retired;
alter table keyring.keks drop column if exists material_overwritten_at;

revoke execute on function keyring.rotate_kek(uuid), keyring.key_status(uuid), keyring.kek_status(uuid) from public;
grant execute on function keyring.rotate_kek(uuid), keyring.key_status(uuid), keyring.kek_status(uuid) to service_role;

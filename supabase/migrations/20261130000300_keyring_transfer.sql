-- Moving one tenant between deployments (lib/lifecycle/archive): its data keys
-- and its audit trail come back exactly, and no key ever appears in a
-- statement's text or parameters (a server with log_statement=all logs both).
--
-- * keyring.deployment_id(): a random id per database, recorded in every
--   archive so an operator can tell "restore beside the live copy" from
--   "restore into another deployment". (A pg_dump copy carries the same id.)
-- * A restore declares itself: keyring.begin_restore(tenants) records the
--   tenants it restores against this backend and this transaction id. Only
--   while that row exists, and only for those tenants, may the restore
--   (a) insert credentials sealed under a 'retiring' key version (a DEK
--       rotation was half-way when the archive was taken; check_seal_key
--       otherwise allows only the active version), and
--   (b) insert audit rows with their original seq, time and hashes, into a
--       tenant whose chain was EMPTY when the restore began; each row must
--       continue the chain (seq, prev_hash, hash recomputed here), so a
--       restored trail is exactly as tamper-evident as the original. A tenant
--       with live audit rows keeps its chain: the app appends tenant.restored.
--   The row is keyed by transaction id, which never recurs, so a forgotten
--   end_restore cannot widen a later transaction.
-- * Getting a DEK back in: keyring.begin_key_import() generates a one-time
--   key in Postgres and returns it as a query RESULT (kept in a temp table,
--   dropped at commit; temp tables are not WAL-logged). The app seals each DEK
--   under it and keyring.import_tenant_key() opens it here and wraps it under
--   the tenant's MSSP's active KEK. The statement log only ever sees the
--   sealed bytes, which the one-time key (never a parameter) protects.
-- Everything is security definer with a pinned search_path, revoked from
-- public and granted to service_role only.

create table keyring.deployment (
  id             boolean primary key default true check (id),
  deployment_id  uuid not null default gen_random_uuid(),
  created_at     timestamptz not null default now()
);
insert into keyring.deployment default values;
alter table keyring.deployment enable row level security;
alter table keyring.deployment force row level security;

create function keyring.deployment_id() returns uuid
  language sql stable security definer set search_path = ''
  as $$ select d.deployment_id from keyring.deployment d $$;

create table keyring.restore_grants (
  backend_pid     integer not null,
  xact            xid8 not null,
  tenant_ids      uuid[] not null,
  -- Tenants whose audit chain was empty when the restore began.
  audit_tenant_ids uuid[] not null,
  primary key (backend_pid, xact)
);
alter table keyring.restore_grants enable row level security;
alter table keyring.restore_grants force row level security;

-- Returns the tenants whose audit trail the restore may bring back verbatim.
create function keyring.begin_restore(tenants uuid[]) returns uuid[]
  language plpgsql volatile security definer set search_path = ''
  as $$
declare
  empty_chains uuid[];
begin
  if tenants is null or cardinality(tenants) = 0 then
    raise exception 'begin_restore needs the tenants being restored' using errcode = '22023';
  end if;
  select coalesce(array_agg(t), '{}') into empty_chains from unnest(tenants) t
   where not exists (select 1 from audit.chain_heads h where h.tenant_id = t);
  insert into keyring.restore_grants (backend_pid, xact, tenant_ids, audit_tenant_ids)
  values (pg_catalog.pg_backend_pid(), pg_catalog.pg_current_xact_id(), tenants, empty_chains);
  return empty_chains;
end
$$;

create function keyring.end_restore() returns void
  language plpgsql volatile security definer set search_path = ''
  as $$
begin
  delete from keyring.restore_grants g
   where g.backend_pid = pg_catalog.pg_backend_pid() and g.xact = pg_catalog.pg_current_xact_id_if_assigned();
  if pg_catalog.to_regclass('pg_temp.keyring_import_key') is not null then
    delete from pg_temp.keyring_import_key;
  end if;
end
$$;

-- Private: is `tenant` being restored by this very transaction?
create function keyring.restoring(tenant uuid, audit boolean default false) returns boolean
  language sql stable security definer set search_path = ''
  as $$
    select exists (
      select 1 from keyring.restore_grants g
       where g.backend_pid = pg_catalog.pg_backend_pid()
         and g.xact = pg_catalog.pg_current_xact_id_if_assigned()
         and tenant = any (case when audit then g.audit_tenant_ids else g.tenant_ids end))
  $$;

-- ---------------------------------------------------------------------------
-- DEK import
-- ---------------------------------------------------------------------------
create function keyring.begin_key_import() returns bytea
  language plpgsql volatile security definer set search_path = ''
  as $$
declare
  k bytea := extensions.gen_random_bytes(32);
begin
  if not exists (select 1 from keyring.restore_grants g
                  where g.backend_pid = pg_catalog.pg_backend_pid()
                    and g.xact = pg_catalog.pg_current_xact_id_if_assigned()) then
    raise exception 'a key import belongs to a restore: call keyring.begin_restore first' using errcode = '55000';
  end if;
  create temp table if not exists keyring_import_key (k bytea not null) on commit drop;
  delete from pg_temp.keyring_import_key;
  insert into pg_temp.keyring_import_key values (k);
  return k;
end
$$;

-- Private: encrypt-then-MAC as keyring.wrap, with labels of its own so an
-- import envelope can never pass for a wrapped DEK (or the reverse).
create function keyring.open_import(sealed bytea, k bytea, aad bytea) returns bytea
  language plpgsql stable set search_path = ''
  as $$
declare
  body bytea;
begin
  if sealed is null or length(sealed) <> 81 or get_byte(sealed, 0) <> 1 then
    raise exception 'imported key is malformed' using errcode = 'XX001';
  end if;
  body := substring(sealed from 1 for 49);
  if extensions.hmac(aad || body, extensions.hmac('mssp-portal/dek-import/mac'::bytea, k, 'sha256'), 'sha256')
       <> substring(sealed from 50 for 32) then
    raise exception 'imported key failed its integrity check: not sealed for this tenant, version and import'
      using errcode = 'XX001';
  end if;
  return extensions.decrypt_iv(substring(sealed from 18 for 32),
           extensions.hmac('mssp-portal/dek-import/enc'::bytea, k, 'sha256'), substring(sealed from 2 for 16),
           'aes-cbc/pad:none');
end
$$;

-- Drops every key row of a tenant being restored (its credentials are gone
-- already), telling every portal process to evict its cached copies.
create function keyring.reset_tenant_keys(tenant uuid) returns integer
  language plpgsql volatile security definer set search_path = ''
  as $$
declare
  r record;
  n integer := 0;
begin
  if not keyring.restoring(tenant) then
    raise exception 'tenant % is not being restored in this transaction', tenant using errcode = '42501';
  end if;
  for r in delete from keyring.tenant_keys k where k.tenant_id = tenant returning k.version loop
    perform pg_notify('mssp_portal_keyring',
      json_build_object('tenant_id', tenant, 'version', r.version, 'status', 'destroyed')::text);
    n := n + 1;
  end loop;
  return n;
end
$$;

create function keyring.import_tenant_key(
  tenant uuid, dek_version integer, key_status text, created timestamptz, retired timestamptz, sealed bytea
) returns void
  language plpgsql volatile security definer set search_path = ''
  as $$
declare
  root uuid;
  kv integer;
  ik bytea;
  dek bytea;
begin
  if not keyring.restoring(tenant) then
    raise exception 'tenant % is not being restored in this transaction', tenant using errcode = '42501';
  end if;
  if key_status in ('retired', 'destroyed') then
    if sealed is not null then
      raise exception 'a % key version carries no material', key_status using errcode = '22023';
    end if;
    insert into keyring.tenant_keys (tenant_id, version, status, created_at, retired_at)
    values (tenant, dek_version, key_status, created, retired);
    return;
  end if;
  if key_status not in ('active', 'retiring') then
    raise exception 'unknown key status %', key_status using errcode = '22023';
  end if;
  if pg_catalog.to_regclass('pg_temp.keyring_import_key') is null then
    raise exception 'no import key: call keyring.begin_key_import first' using errcode = '55000';
  end if;
  select t.k into ik from pg_temp.keyring_import_key t;
  dek := keyring.open_import(sealed, ik,
           convert_to(format('mssp-portal/dek-import/v1|%s|%s', tenant, dek_version), 'UTF8'));
  root := keyring.root_of(tenant);
  kv := keyring.ensure_kek(root);
  insert into keyring.tenant_keys (tenant_id, version, status, wrapped_dek, kek_root_id, kek_version, created_at, retired_at)
  values (tenant, dek_version, key_status,
          keyring.wrap(dek, keyring.kek_material(root, kv), keyring.wrap_aad(tenant, dek_version, root, kv)),
          root, kv, created, retired);
end
$$;

-- ---------------------------------------------------------------------------
-- The two checks a restore must pass differently (bodies otherwise as in
-- 20261129000200_credentials and 20261123000500_audit_log).
-- ---------------------------------------------------------------------------
create or replace function keyring.check_seal_key() returns trigger
  language plpgsql security definer set search_path = ''
  as $$
declare
  key_status text;
begin
  select k.status into key_status from keyring.tenant_keys k
   where k.tenant_id = new.tenant_id and k.version = new.key_version for share;
  -- A restored credential keeps the version it was sealed under.
  if key_status = 'retiring' and keyring.restoring(new.tenant_id) then
    return new;
  end if;
  if key_status is distinct from 'active' then
    raise exception 'credential sealed under key version % of its tenant, which is %; seal it again with the active key',
      new.key_version, coalesce(key_status, 'missing') using errcode = '40001';
  end if;
  return new;
end
$$;

create or replace function audit.chain_link() returns trigger
  language plpgsql security definer
  set search_path = ''
  as $$
declare
  head_seq   bigint;
  head_hash  bytea;
  known      text;
begin
  -- A restore brings a chain back verbatim, link by link, and only into a
  -- tenant whose chain was empty when it began (keyring.begin_restore).
  if new.seq is not null and new.hash is not null and keyring.restoring(new.tenant_id, true) then
    select h.seq, h.hash into head_seq, head_hash from audit.chain_heads h where h.tenant_id = new.tenant_id for update;
    if coalesce(head_seq, 0) + 1 <> new.seq or coalesce(head_hash, audit.genesis_hash()) <> new.prev_hash
       or new.hash <> extensions.digest(new.prev_hash || pg_catalog.convert_to(audit.canonical(
            new.tenant_id, new.seq, new.occurred_at, new.actor_id, new.actor_email, new.action,
            new.target_type, new.target_id, new.outcome, new.request_id, new.details), 'UTF8'), 'sha256') then
      raise exception 'restored audit row % of tenant % does not continue its hash chain', new.seq, new.tenant_id
        using errcode = '23514';
    end if;
    insert into audit.chain_heads as h (tenant_id, seq, hash) values (new.tenant_id, new.seq, new.hash)
    on conflict (tenant_id) do update set seq = excluded.seq, hash = excluded.hash;
    return new;
  end if;

  insert into audit.chain_heads as h (tenant_id, seq, hash)
       values (new.tenant_id, 1, audit.genesis_hash())
  on conflict (tenant_id) do update set seq = h.seq + 1
  returning h.seq, h.hash into head_seq, head_hash;

  new.seq := head_seq;
  new.prev_hash := head_hash;
  new.occurred_at := pg_catalog.clock_timestamp();
  if new.actor_id is not null then
    select u.email into known from public.users u where u.id = new.actor_id;
    if known is not null then
      new.actor_email := known;
    end if;
  end if;
  new.hash := extensions.digest(
    head_hash || pg_catalog.convert_to(audit.canonical(
      new.tenant_id, new.seq, new.occurred_at, new.actor_id, new.actor_email, new.action,
      new.target_type, new.target_id, new.outcome, new.request_id, new.details), 'UTF8'),
    'sha256');

  update audit.chain_heads set hash = new.hash where tenant_id = new.tenant_id;
  return new;
end
$$;

revoke execute on function keyring.deployment_id(), keyring.begin_restore(uuid[]), keyring.end_restore(),
  keyring.restoring(uuid, boolean), keyring.begin_key_import(), keyring.open_import(bytea, bytea, bytea),
  keyring.reset_tenant_keys(uuid), keyring.import_tenant_key(uuid, integer, text, timestamptz, timestamptz, bytea),
  keyring.check_seal_key(), audit.chain_link() from public;
grant execute on function keyring.deployment_id(), keyring.begin_restore(uuid[]), keyring.end_restore(),
  keyring.begin_key_import(), keyring.reset_tenant_keys(uuid),
  keyring.import_tenant_key(uuid, integer, text, timestamptz, timestamptz, bytea)
  to service_role;

-- Rollback of 20261130000300_keyring_transfer: the restore functions go, and
-- the two trigger functions it taught about restores get back their bodies of
-- 20261123000500_audit_log and 20261129000200_credentials.
drop function if exists keyring.import_tenant_key(uuid, integer, text, timestamptz, timestamptz, bytea);
drop function if exists keyring.reset_tenant_keys(uuid);
drop function if exists keyring.open_import(bytea, bytea, bytea);
drop function if exists keyring.begin_key_import();
drop function if exists keyring.end_restore();
drop function if exists keyring.begin_restore(uuid[]);
drop function if exists keyring.deployment_id();

create or replace function keyring.check_seal_key() returns trigger
  language plpgsql security definer set search_path = ''
  as $$
declare
  key_status text;
begin
  select k.status into key_status from keyring.tenant_keys k
   where k.tenant_id = new.tenant_id and k.version = new.key_version for share;
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
  -- Take (or create) the tenant's chain head, locked until commit: writers of
  -- the same tenant queue here, so seq is gapless and prev_hash is the last
  -- committed row's hash. A rolled-back insert rolls the head back with it.
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

drop function if exists keyring.restoring(uuid, boolean);
drop table if exists keyring.restore_grants;
drop table if exists keyring.deployment;

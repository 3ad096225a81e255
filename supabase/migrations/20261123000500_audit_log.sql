-- The audit trail: one append-only, hash-chained log of every mutation and
-- every denied attempt, per tenant.
--
-- Writing. The app writes a row in the same transaction as the change it
-- describes (lib/audit: recordAudit), so a change that rolls back takes its
-- audit row with it. A denied attempt is written in its own transaction
-- through the named service-role path (recordDenied), because the attempt
-- itself never commits.
--
-- What the database fills in, whatever the writer sends:
--   seq          the next number in the tenant's chain, gapless: writers of one
--                tenant queue on that tenant's row in audit.chain_heads
--   occurred_at  clock_timestamp() after the chain lock, so time follows seq
--   actor_email  the actor's current email from public.users, when known
--   prev_hash    the previous row's hash (32 zero bytes for seq 1)
--   hash         sha256(prev_hash || convert_to(audit.canonical(...), 'UTF8'))
-- actor_id defaults to auth.uid(), and RLS refuses any other value from
-- `authenticated`, so nobody writes rows as someone else.
--
-- Canonical encoding, version 1 (lib/audit/verify.ts recomputes it in
-- TypeScript, independently of this function; tests/audit-verify.test.ts checks
-- both agree): the text of the jsonb array
--   [1, tenant_id, seq, occurred_at as integer microseconds since the Unix
--    epoch, actor_id, actor_email, action, target_type, target_id, outcome,
--    request_id, details]
-- as Postgres prints jsonb: ", " between elements, uuids as lowercase strings,
-- nulls as null, details as its own jsonb text. Nothing in it depends on the
-- session (time zone, DateStyle, extra_float_digits).
--
-- Append-only. No role is granted UPDATE, DELETE or TRUNCATE (not even
-- service_role, which bypasses RLS), and a statement trigger refuses UPDATE,
-- DELETE and TRUNCATE for everyone, the table owner included. What remains is
-- the owner or a superuser disabling that trigger (ALTER TABLE ... DISABLE
-- TRIGGER, or session_replication_role = replica): that leaves the hash chain
-- broken at the first touched row, and `npm run audit:verify` reports it. An
-- attacker who also recomputes every later hash and the chain head can only be
-- caught against a copy of the heads kept elsewhere (see verify.ts: the report
-- prints each head for that purpose). DROP TABLE is not blocked; only the
-- owner can do it, and the rollback needs it.
--
-- Reading. MSSP admins see the rows of every tenant under their MSSP; tenant
-- admins see their tenant and its sites; nobody else sees any row.
--
-- Tenant deletion. audit_log references tenants ON DELETE RESTRICT: a tenant
-- with audit history cannot be hard-deleted (suspend it, or crypto-shred its
-- keys). Retention and archiving are a separate, deliberate operation.

create schema if not exists audit;
revoke all on schema audit from public;
grant usage on schema audit to service_role;

create table public.audit_log (
  tenant_id    uuid not null references public.tenants (id) on delete restrict,
  seq          bigint not null,
  occurred_at  timestamptz not null default clock_timestamp(),
  -- No foreign key: the row must outlive the user.
  actor_id     uuid default auth.uid(),
  actor_email  text check (length(actor_email) <= 320),
  action       text not null check (action ~ '^[a-z0-9][a-z0-9_.:-]{0,99}$'),
  target_type  text check (target_type ~ '^[a-z0-9][a-z0-9_.:-]{0,99}$'),
  target_id    text check (length(target_id) between 1 and 200),
  outcome      text not null check (outcome in ('success', 'denied', 'failure')),
  request_id   text check (length(request_id) between 1 and 100),
  details      jsonb not null default '{}'::jsonb
               check (jsonb_typeof(details) = 'object' and octet_length(details::text) <= 16384),
  prev_hash    bytea not null check (octet_length(prev_hash) = 32),
  hash         bytea not null check (octet_length(hash) = 32),
  primary key (tenant_id, seq)
);

comment on table public.audit_log is
  'Append-only, hash-chained audit trail per tenant. Written by lib/audit; verified by npm run audit:verify.';

-- The audit page lists newest first within the caller's tenants, often for a
-- date range; the actor filter narrows by email.
create index audit_log_tenant_time on public.audit_log (tenant_id, occurred_at desc);
create index audit_log_time on public.audit_log (occurred_at desc);

-- One row per tenant with a chain: the last seq and hash. Its row lock is what
-- serialises the writers of one tenant, and it lets the verifier notice rows
-- missing from the end of a chain. Not granted to authenticated at all.
create table audit.chain_heads (
  tenant_id  uuid primary key references public.tenants (id) on delete cascade,
  seq        bigint not null check (seq >= 1),
  hash       bytea not null check (octet_length(hash) = 32)
);
revoke all on audit.chain_heads from public;
grant select on audit.chain_heads to service_role;

-- prev_hash of the first row of every chain.
create function audit.genesis_hash() returns bytea
  language sql immutable
  set search_path = ''
  as $$ select '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea $$;

-- The canonical encoding, version 1 (see the top of this file).
create function audit.canonical(
  tenant_id uuid, seq bigint, occurred_at timestamptz, actor_id uuid, actor_email text,
  action text, target_type text, target_id text, outcome text, request_id text, details jsonb
) returns text
  language sql stable
  set search_path = ''
  as $$
    select pg_catalog.jsonb_build_array(
      1, tenant_id, seq,
      (extract(epoch from occurred_at) * 1000000)::bigint,
      actor_id, actor_email, action, target_type, target_id, outcome, request_id, details
    )::text
  $$;

-- BEFORE INSERT: assigns seq, time, email, prev_hash and hash. Security
-- definer so `authenticated` needs no privilege on audit.chain_heads or
-- users.email of other users; it reads nothing the caller chose except the row.
create function audit.chain_link() returns trigger
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

-- UPDATE, DELETE, TRUNCATE: refused for every role, the owner included.
-- A statement trigger, so it fires even when no row matches.
create function audit.refuse_change() returns trigger
  language plpgsql
  set search_path = ''
  as $$
begin
  raise exception 'audit_log is append-only: % is not allowed', tg_op
    using errcode = '42501',
          hint = 'Audit rows are never changed or removed; record a new event instead.';
end
$$;

revoke execute on all functions in schema audit from public;

create trigger audit_log_chain_link
  before insert on public.audit_log
  for each row execute function audit.chain_link();

create trigger audit_log_append_only
  before update or delete or truncate on public.audit_log
  for each statement execute function audit.refuse_change();

-- ---------------------------------------------------------------------------
-- Privileges and RLS
-- ---------------------------------------------------------------------------
-- On Supabase, default privileges grant every new table to anon,
-- authenticated and service_role; take all of that back, then grant exactly
-- SELECT and INSERT.
revoke all on public.audit_log from public, anon, authenticated, service_role;
grant select, insert on public.audit_log to authenticated, service_role;

alter table public.audit_log enable row level security;
alter table public.audit_log force row level security;

create policy "Audit events are visible to MSSP and tenant admins of the tenant or an ancestor"
  on public.audit_log for select to authenticated
  using (tenant_id = any (array(select tenancy.tenant_ids_with_role('{mssp_admin,tenant_admin}'))));

-- Anyone may record what they themselves did in a tenant they can see;
-- nobody records as someone else or into a tenant outside their scope.
create policy "Users record their own actions in tenants they can see"
  on public.audit_log for insert to authenticated
  with check (
    actor_id = (select auth.uid())
    and tenant_id = any (array(select tenancy.visible_tenant_ids()))
  );

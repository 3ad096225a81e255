-- Email (issue 9, finding 3): the outbox every feature sends mail through,
-- the one-time codes that prove control of a mailbox, and the invitation
-- changes that go with them (finding 10: public.accept_invitation is gone).
--
-- mail.outbox: one row per message, inserted in the transaction of the change
-- that sends it (an invitation and its email commit or roll back together).
-- A trigger hands each new row to graphile-worker in that same transaction
-- (task "mail:deliver"; lib/mail/deliver.ts), which delivers it over SMTP and
-- retries with graphile-worker's backoff. The rendered bodies can carry
-- one-time links and codes, so they are erased once the message is sent or
-- has failed for good; the row keeps who, what template, when and the outcome.
--
-- mail.codes: one-time codes mailed to prove mailbox control (accepting an
-- invitation, resetting a password). Only an HMAC of each code is stored
-- (keyed outside the database, lib/mail/codes.ts); each code is short-lived,
-- single-use and dies after a few wrong tries.
--
-- Access: a private schema (not exposed through PostgREST), RLS enabled and
-- forced with no policy, only service_role (BYPASSRLS) granted anything: no
-- tenant, user or anonymous caller reads another's mail or codes. The
-- portal's code reaches them through lib/mail, on named service-role paths.

create schema mail;
revoke all on schema mail from public, anon, authenticated, service_role;
grant usage on schema mail to service_role;

create table mail.outbox (
  id            uuid primary key default gen_random_uuid(),
  -- The tenant the message is about, when there is one (a password reset has
  -- none). Offboarding a tenant removes its mail.
  tenant_id     uuid references public.tenants (id) on delete cascade,
  recipient     text not null check (recipient = lower(btrim(recipient)) and position('@' in recipient) > 1 and length(recipient) <= 254),
  template      text not null check (template ~ '^[a-z][a-z0-9.-]{0,62}$'),
  subject       text not null check (length(subject) between 1 and 300),
  -- Erased (null) once sent or failed for good: they may hold a live link or code.
  body_text     text,
  body_html     text,
  status        text not null default 'queued' check (status in ('queued', 'sent', 'failed')),
  attempts      integer not null default 0 check (attempts >= 0),
  max_attempts  integer not null default 8 check (max_attempts between 1 and 25),
  -- Scrubbed reason of the last failed attempt (no bodies, no credentials).
  last_error    text check (length(last_error) <= 500),
  -- 'smtp', or 'console' (development without SMTP: printed, not sent; docs/email.md).
  transport     text check (transport in ('smtp', 'console')),
  message_id    text,
  created_at    timestamptz not null default now(),
  sent_at       timestamptz,
  failed_at     timestamptz,
  check ((status = 'sent') = (sent_at is not null)),
  check ((status = 'failed') = (failed_at is not null))
);
create index outbox_tenant on mail.outbox (tenant_id, created_at desc) where tenant_id is not null;
create index outbox_queued on mail.outbox (created_at) where status = 'queued';

-- A message never changes tenant (the catalog guard of 20261130000500).
select tenancy.add_tenant_id_guard('mail.outbox');

alter table mail.outbox enable row level security;
alter table mail.outbox force row level security;
revoke all on mail.outbox from public, anon, authenticated, service_role;
grant select, insert, update, delete on mail.outbox to service_role;

create table mail.codes (
  id           uuid primary key default gen_random_uuid(),
  purpose      text not null check (purpose in ('invitation', 'password-reset')),
  -- What the code unlocks: the invitation's id, or the user's id.
  subject      uuid not null,
  email        text not null,
  -- HMAC-SHA256 of (id, code) under a key derived from NEXTAUTH_SECRET.
  code_hash    bytea not null check (length(code_hash) = 32),
  attempts     integer not null default 0 check (attempts >= 0),
  created_at   timestamptz not null default now(),
  expires_at   timestamptz not null,
  used_at      timestamptz,
  check (expires_at > created_at)
);
create index codes_open on mail.codes (purpose, subject, created_at desc) where used_at is null;
create index codes_expired on mail.codes (expires_at);

alter table mail.codes enable row level security;
alter table mail.codes force row level security;
revoke all on mail.codes from public, anon, authenticated, service_role;
grant select, insert, update, delete on mail.codes to service_role;

-- Hands one outbox row to graphile-worker (same shape as jobs_engine.dispatch):
-- the payload only points at the row, the job key makes a second hand-over
-- harmless, and graphile-worker's max_attempts matches the row's. Skipped
-- while graphile-worker's schema is not installed (npm run db:migrate installs
-- it); mail.dispatch_pending() hands over what waited.
create function mail.dispatch(m mail.outbox) returns void
  language plpgsql security definer
  set search_path = pg_catalog
  as $$
begin
  if to_regprocedure('graphile_worker.add_job(text,json,text,timestamp with time zone,integer,text,integer,text[],text)') is null then
    return;
  end if;
  perform graphile_worker.add_job(
    identifier => 'mail:deliver',
    payload => json_build_object('id', m.id),
    max_attempts => m.max_attempts,
    job_key => 'mail:' || m.id,
    job_key_mode => 'replace');
end
$$;

create function mail.on_outbox_insert() returns trigger
  language plpgsql security definer
  set search_path = pg_catalog
  as $$
begin
  perform mail.dispatch(new);
  return null;
end
$$;

create trigger outbox_dispatch
  after insert on mail.outbox
  for each row when (new.status = 'queued')
  execute function mail.on_outbox_insert();

-- Every queued message without a graphile-worker job (inserted before its
-- schema existed). Idempotent (job keys).
create function mail.dispatch_pending() returns integer
  language plpgsql security definer
  set search_path = pg_catalog
  as $$
declare
  m mail.outbox;
  n integer := 0;
begin
  for m in select * from mail.outbox where status = 'queued' loop
    perform mail.dispatch(m);
    n := n + 1;
  end loop;
  return n;
end
$$;

revoke all on all functions in schema mail from public, anon, authenticated, service_role;
grant execute on function mail.dispatch_pending() to service_role;

-- Invitations: who may still grant the role is checked again at acceptance
-- (lib/team/accept.ts). An invitation issued by the system (an operator's
-- provisioning command) has no inviter to check; one whose inviter was
-- deleted (invited_by set null) must not pass for a system one.
alter table public.invitations add column issued_by_system boolean not null default false;
alter table public.invitations add constraint invitations_inviter_or_system
  check (not issued_by_system or invited_by is null) not valid;

-- Finding 10: the security-definer door any signed-in user could call as an
-- RPC goes. A membership is now created by the acceptance on the named
-- service-role path "team.invitation", after the mailbox code, the invited
-- email and the inviter's current right to grant the role were checked.
drop function public.accept_invitation(bytea);

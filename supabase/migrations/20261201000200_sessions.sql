-- Server-side sessions (issue 9, finding 5). The next-auth JWT carries a random
-- session id (`sid`); this table is what makes that id mean something: every
-- request checks its row (sessions.check_session, one indexed lookup, called by
-- lib/auth/sessions.ts from next-auth's jwt callback), so a session can end
-- before its cookie does.
--
--   created at sign-in      expires_at = now + SESSION_MAX_AGE_HOURS, never moved
--   ended by                sign-out, a password change, an MFA enrolment or
--                           removal, the removal of any of the user's
--                           memberships (trigger below), idleness
--                           (SESSION_IDLE_MINUTES), or the absolute expiry
--
-- Reading a session does not extend it: only last_seen_at moves (at most once
-- a minute), which is what the idle limit measures.
--
-- Access. The schema is private (not exposed through PostgREST), RLS is
-- enabled and forced with no policy. service_role (the named purpose
-- "auth.session") creates and revokes rows; portal_app, the role the pool logs
-- in as, may only execute sessions.check_session, before any role switch, so the
-- per-request check is one statement with no transaction around it.

create schema sessions;
revoke all on schema sessions from public, anon, authenticated, service_role;
grant usage on schema sessions to service_role, portal_app;

create table sessions.user_sessions (
  id              uuid primary key,
  user_id         uuid not null references public.users (id) on delete cascade,
  created_at      timestamptz not null default now(),
  last_seen_at    timestamptz not null default now(),
  -- The absolute end; nothing moves it.
  expires_at      timestamptz not null,
  revoked_at      timestamptz,
  revoked_reason  text check (revoked_reason ~ '^[a-z][a-z_]{0,39}$'),
  -- For a "your sessions" list: a short summary, never a cookie or a token.
  user_agent      text check (length(user_agent) <= 200),
  ip              text check (length(ip) <= 64),
  check (expires_at > created_at),
  check ((revoked_at is null) = (revoked_reason is null))
);
-- Revoking every session of a user, and listing them.
create index user_sessions_user on sessions.user_sessions (user_id) where revoked_at is null;
-- Pruning long-gone rows.
create index user_sessions_expires on sessions.user_sessions (expires_at);

alter table sessions.user_sessions enable row level security;
alter table sessions.user_sessions force row level security;
revoke all on sessions.user_sessions from public, anon, authenticated, service_role;
grant select, insert, update, delete on sessions.user_sessions to service_role;

-- Whether a user must set up MFA before using the portal: they must use it
-- (an mssp_* role, or a membership at, under or above a tenant with
-- require_mfa) and have not confirmed a factor. The one definition: the
-- per-request check below and lib/auth/mfa.ts both call it.
create function sessions.mfa_required(p_user uuid) returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select exists (
    select 1
      from public.memberships m
      join public.tenants t on t.id = m.tenant_id
     where m.user_id = p_user
       and (m.role like 'mssp\_%'
            or exists (select 1 from public.tenants r
                        where r.require_mfa
                          and (r.path operator(extensions.@>) t.path
                               or r.path operator(extensions.<@) t.path))))
$$;

-- The per-request check. state: active, revoked, expired, idle or unknown (no
-- such session for this user). On an active session it also says whether the
-- user must enrol in MFA first (folded in here so a request reads the
-- database once for both), and moves last_seen_at at most once a minute. An
-- idle session is revoked on the spot (reason "idle"), so it stays ended.
create function sessions.check_session(p_session uuid, p_user uuid, p_idle_seconds integer)
returns table (state text, mfa_enrollment_required boolean, expires_at timestamptz)
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  r sessions.user_sessions%rowtype;
begin
  select * into r from sessions.user_sessions s where s.id = p_session and s.user_id = p_user;
  expires_at := r.expires_at;
  mfa_enrollment_required := false;
  if not found then
    state := 'unknown';
  elsif r.revoked_at is not null then
    state := 'revoked';
  elsif r.expires_at <= now() then
    state := 'expired';
  elsif p_idle_seconds > 0 and r.last_seen_at < now() - make_interval(secs => p_idle_seconds) then
    state := 'idle';
    update sessions.user_sessions s set revoked_at = now(), revoked_reason = 'idle'
     where s.id = p_session and s.revoked_at is null;
  else
    state := 'active';
    if r.last_seen_at < now() - interval '60 seconds' then
      update sessions.user_sessions s set last_seen_at = now() where s.id = p_session;
    end if;
    mfa_enrollment_required := sessions.mfa_required(p_user)
      and not exists (select 1 from public.user_mfa f where f.user_id = p_user and f.confirmed_at is not null);
  end if;
  return next;
end;
$$;

-- Ends every live session of a user (but `p_except`, the caller's own, when
-- given). Returns how many ended. Security definer for the membership trigger,
-- which runs as whoever removed the membership.
create function sessions.revoke_user(p_user uuid, p_reason text, p_except uuid default null)
returns integer
language sql
volatile
security definer
set search_path = ''
as $$
  with ended as (
    update sessions.user_sessions s
       set revoked_at = now(), revoked_reason = p_reason
     where s.user_id = p_user
       and s.revoked_at is null
       and s.expires_at > now()
       and (p_except is null or s.id <> p_except)
    returning 1
  )
  select count(*)::integer from ended
$$;

-- A removed membership ends the user's sessions at once. RLS already drops
-- the membership's rows from the next statement; this makes the person sign
-- in again (and sees to it on every path that deletes memberships: the Team
-- page, offboarding, the owner).
create function sessions.on_membership_removed() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform sessions.revoke_user(old.user_id, 'membership_removed', null);
  return null;
end;
$$;

create trigger memberships_revoke_sessions
  after delete on public.memberships
  for each row execute function sessions.on_membership_removed();

revoke all on function sessions.mfa_required(uuid), sessions.check_session(uuid, uuid, integer),
                       sessions.revoke_user(uuid, text, uuid), sessions.on_membership_removed()
  from public, anon, authenticated, service_role;
grant execute on function sessions.check_session(uuid, uuid, integer) to portal_app, service_role;
grant execute on function sessions.mfa_required(uuid), sessions.revoke_user(uuid, text, uuid) to service_role;

-- Each session is bound to the host it was issued on (lib/auth/sessions.ts, lib/auth/jwt-callback.ts;
-- docs/security-model.md "Sessions"). A tenant controls its custom domain's DNS and may point it at a
-- server of its own that relays the traffic with its own certificate: a session cookie it captures
-- there must not open the console or any other portal host. Cookies are host-only already, so a
-- browser never sends one elsewhere; a cookie presented on another host was copied out of it.
--
-- sessions.user_sessions.host: the host name (lowercase, no port: cookies do not depend on the port)
--   the session was opened on, by a sign-in or a handoff; null only for a session opened outside any
--   request (tests and scripts minting a session directly: no browser ever holds one).
-- sessions.check_session(…, p_host): the per-request check compares it with the request's host; a
--   bound session presented on another host answers 'wrong_host' (signed out on that request; the
--   session itself stays live on its own host, and its last use does not move).
--
-- Sessions live when this runs have no host and are signed out here (reason 'host_binding'): leaving
-- them unbound would leave a cookie captured before the change usable on every host until it
-- expires, and binding one to the first host that presents it could bind it to the thief's. Everyone
-- signs in again once.

alter table sessions.user_sessions
  add column host text check (host ~ '^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$');

update sessions.user_sessions set revoked_at = now(), revoked_reason = 'host_binding'
 where revoked_at is null and expires_at > now();

drop function sessions.check_session(uuid, uuid, integer);

-- The per-request check. state: active, revoked, expired, wrong_host, idle or unknown (no such session
-- for this user). wrong_host: the session was opened on another host than `p_host` (the request's
-- host name, lowercase, no port; null outside a request), checked before idleness so a cookie shown
-- on another host neither keeps the session alive nor ends it. On an active session it also says
-- whether the user must enrol in MFA first (folded in here so a request reads the database once for
-- both), and moves last_seen_at at most once a minute. An idle session is revoked on the spot (reason
-- "idle"), so it stays ended.
create function sessions.check_session(p_session uuid, p_user uuid, p_idle_seconds integer, p_host text default null)
returns table (state text, mfa_enrollment_required boolean, expires_at timestamptz)
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
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
  elsif r.host is not null and r.host is distinct from p_host then
    state := 'wrong_host';
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

revoke all on function sessions.check_session(uuid, uuid, integer, text) from public, anon, authenticated, service_role;
grant execute on function sessions.check_session(uuid, uuid, integer, text) to portal_app, service_role;

-- Rollback of 20261201032650_sessions_bound_to_host: sessions are no longer bound to a host
-- (check_session as migration 20261201000200 made it; the host column goes). The sessions the
-- migration signed out stay signed out.
drop function sessions.check_session(uuid, uuid, integer, text);

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

revoke all on function sessions.check_session(uuid, uuid, integer)
  from public, anon, authenticated, service_role;
grant execute on function sessions.check_session(uuid, uuid, integer) to portal_app, service_role;

alter table sessions.user_sessions drop column host;

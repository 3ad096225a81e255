-- Rollback of 20261201033100_custom_domain_sessions_follow_host_rule: sessions.check_session as
-- 20261201032650 made it (a custom-domain session is not checked against the host rule per request).
drop function sessions.check_session(uuid, uuid, integer, text);

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

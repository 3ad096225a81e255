-- A session on a tenant's custom domain ends when its person is no longer one of that tenant's own
-- people (lib/auth/host-rule.ts; docs/security-model.md "Sessions").
--
-- Why: only a tenant's own people (every membership at or below the tenant) may sign in on its
-- verified custom domain, since the tenant controls that name's DNS and may relay the traffic
-- through a server of its own. The rule was checked at each way in (sign-in, a handoff's landing)
-- and at the one way out (a handoff started there), so a session opened there outlived it: a person
-- made MSSP staff later (a membership above the tenant), or whose customer moved under another MSSP,
-- kept using the custom domain with a reach beyond the tenant.
--
-- Now the per-request check, sessions.check_session, asks it for a session bound to a routed custom
-- domain: one that fails it is revoked on the spot (reason 'host_rule') and answers 'revoked', so
-- the person signs in again on the portal's own host. For a session on the portal's own hosts this
-- costs one probe of custom_domains' unique index on the domain.

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
    return next;
    return;
  end if;
  -- One statement: the host is a routed custom domain and the person is not one of its tenant's own.
  if r.host is not null and r.revoked_at is null and r.expires_at > now() and r.host = p_host
     and exists (select 1 from public.custom_domains d join public.tenants t on t.id = d.tenant_id
                  where d.domain = r.host and d.status in ('verified', 'grace')
                    and (not exists (select 1 from public.memberships m where m.user_id = p_user)
                         or exists (select 1 from public.memberships m join public.tenants mt on mt.id = m.tenant_id
                                     where m.user_id = p_user and not (mt.path operator(extensions.<@) t.path)))) then
    update sessions.user_sessions s set revoked_at = now(), revoked_reason = 'host_rule'
     where s.id = p_session and s.revoked_at is null;
    r.revoked_at := now();
  end if;
  if r.revoked_at is not null then
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

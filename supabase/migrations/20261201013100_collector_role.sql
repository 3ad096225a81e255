-- The collector's own login role: portal_collector.
--
-- A per-tenant collector (lib/collector) runs in the tenant's namespace and
-- opens that tenant's connector credentials as its API key: withTenant with
-- the key as the caller, under RLS (lib/collector/credentials.ts). Until now
-- the only login it could be given was the portal's, portal_app, which may
-- also switch to service_role: a leaked collector Secret would have been worth
-- every tenant. portal_collector may do exactly what the collector does:
--   - SET ROLE authenticated (membership, NOINHERIT: no rights before it);
--   - call public.api_key_access_token (SECURITY DEFINER), which checks the
--     key and builds its claims before the switch.
-- Not anon, not service_role, not the person hook: with it and a key, a
-- process sees what that key sees and nothing else.
--
-- Created NOLOGIN like portal_app: the deployment gives it a password
-- (`alter role portal_collector login password '…'`) and puts that URL in the
-- tenant's `collector` Secret (docs/collector.md).
do $$
begin
  if not exists (select 1 from pg_roles where rolname = 'portal_collector') then
    begin
      create role portal_collector nologin noinherit;
    exception when duplicate_object or unique_violation then
      null; -- created by a concurrent migration of another database
    end;
  end if;
end
$$;

-- The grant of authenticated to portal_collector that stood here is gone (2026-12-06): a login that
-- may switch to authenticated can set any claims it likes, so migration 20261201027600 takes it back
-- where it was made, and a fresh install never makes it (roles are the cluster's: granting here and
-- revoking there would flap the membership while another database migrates).

grant execute on function public.api_key_access_token(jsonb) to portal_collector;

-- The DEK of the calling API key's own tenant, for a collector: the key must
-- be live (not revoked, not expired, its tenant active) and hold
-- collectors:write. Anyone else — every person, any other key — gets 42501.
-- With it the collector opens its credentials without the service role, so
-- portal_collector needs no path to service_role at all. In `api` (not served
-- by PostgREST); keyring.unwrap_dek stays the service role's.
create function api.unwrap_own_dek(dek_version integer) returns bytea
  language plpgsql stable security definer
  set search_path = ''
  as $$
declare
  key_tenant uuid;
begin
  select k.tenant_id into key_tenant
    from public.api_keys k
    join public.tenants t on t.id = k.tenant_id
   where k.id = tenancy.api_key_id()
     and k.revoked_at is null and k.expires_at > now()
     and 'collectors:write' = any (k.scopes)
     and not exists (select 1 from public.tenants s
                      where s.status <> 'active' and t.path operator(extensions.<@) s.path);
  if key_tenant is null then
    raise exception 'only a live API key with collectors:write opens its own tenant''s key'
      using errcode = '42501';
  end if;
  return keyring.unwrap_dek(key_tenant, dek_version);
end
$$;
revoke all on function api.unwrap_own_dek(integer) from public, anon, authenticated, service_role;
grant execute on function api.unwrap_own_dek(integer) to authenticated;

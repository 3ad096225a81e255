-- The collector has no database login any more.
--
-- Migration 20261201013100 gave the per-tenant collector its own login,
-- portal_collector: a member of authenticated allowed to call
-- public.api_key_access_token, so that "with it and a key, a process sees what
-- that key sees". It did not hold: the claims every policy helper reads are the
-- setting request.jwt.claims, which any session may set to anything. A process
-- holding that login (the same password in every tenant's collector Secret) could
-- set a person's claims, an MSSP admin's, switch to authenticated and read or
-- change every tenant, or another key's claims and unwrap that tenant's DEK.
--
-- The collector now asks the portal's API for its credentials
-- (POST /collectors/{name}/credentials, lib/collector/open-credentials.ts): the
-- portal builds the key's claims in its own trusted session, as for every API
-- call. So portal_collector loses authenticated and the key hook, and may no
-- longer log in where this migration is allowed to say so. The role itself stays
-- (dropping it would fail where a deployment still grants it something).
do $$
begin
  if pg_has_role('portal_collector', 'authenticated', 'member') then
    begin
      revoke authenticated from portal_collector;
    exception when insufficient_privilege then
      raise warning 'could not revoke authenticated from portal_collector (%); run "revoke authenticated from portal_collector" as a role that may', sqlerrm;
    end;
  end if;
end
$$;

revoke all on function public.api_key_access_token(jsonb) from portal_collector;

do $$
begin
  alter role portal_collector nologin;
exception when insufficient_privilege then
  raise warning 'could not make portal_collector NOLOGIN (%); run "alter role portal_collector nologin" as a role that may (it can do nothing now either way)', sqlerrm;
end
$$;

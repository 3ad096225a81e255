-- A collector's use of a credential shows on the credentials pages.
--
-- last_used_at was set only by lib/credentials/use.ts (a person's connection
-- test, under an admin's FOR UPDATE). The collector opens its credentials as
-- its API key (POST /collectors/{name}/credentials, lib/collector/open-credentials.ts),
-- which may only SELECT credentials under RLS, so the credentials it pulls
-- from every cycle read "Never used" on the console and the tenant's table.
--
-- api.touch_opened_credentials, called at the end of that request in the same
-- transaction, sets last_used_at for the calling key:
--   - only a live key holding collectors:write (anyone else, a person
--     included: nothing, 0);
--   - only credentials of the key's own tenant, among the ids passed, that
--     this key opened in this very transaction (a credential.opened success
--     row whose actor is the key, written since the transaction began), so
--     the key cannot mark what it did not open;
--   - at most once a minute per credential (the collector reopens every
--     10 minutes, and sooner after a refusal), and a row another transaction
--     holds locked (an admin replacing its secret) is skipped rather than
--     waited for: it is marked at the next opening.
-- Returns how many rows it marked. In `api` (not served by PostgREST).
create function api.touch_opened_credentials(credential_ids uuid[]) returns integer
  language plpgsql volatile security definer
  set search_path = pg_catalog, pg_temp
  as $$
declare
  caller uuid := tenancy.api_key_id();
  key_tenant uuid;
  touched integer;
begin
  if caller is null or credential_ids is null then
    return 0;
  end if;
  select k.tenant_id into key_tenant
    from public.api_keys k
   where k.id = caller
     and k.revoked_at is null and k.expires_at > pg_catalog.now()
     and 'collectors:write' = any (k.scopes);
  if key_tenant is null then
    return 0;
  end if;
  update public.credentials c
     set last_used_at = pg_catalog.now()
   where (c.tenant_id, c.id) in (
     select o.tenant_id, o.id
       from public.credentials o
      where o.tenant_id = key_tenant
        and o.id = any (credential_ids)
        and (o.last_used_at is null or o.last_used_at < pg_catalog.now() - interval '1 minute')
        and exists (select 1 from public.audit_log a
                     where a.tenant_id = key_tenant
                       and a.occurred_at >= pg_catalog.now()
                       and a.action = 'credential.opened'
                       and a.outcome = 'success'
                       and a.target_type = 'credential'
                       and a.target_id = o.id::text
                       and a.actor_id = caller)
        for update skip locked);
  get diagnostics touched = row_count;
  return touched;
end
$$;
revoke all on function api.touch_opened_credentials(uuid[]) from public, anon, authenticated, service_role;
grant execute on function api.touch_opened_credentials(uuid[]) to authenticated;

-- limits.api_keys: how many live API keys (not revoked, not expired) a tenant may hold
-- (lib/settings/registry.ts; lib/api/keys/store.ts createApiKey; docs/api.md "Keys").
--
-- Why: nothing capped a tenant's keys. Every per-key budget multiplied with them (a key's own request
-- bucket, and until now the gateway's refusal-audit budget), and the keys page listed the 500 newest
-- keys, revoked and expired included: an admin (or whoever holds an admin's session) could hide a
-- live key behind 500 newer decoys, and another tenant's admin could make keys by the hundred.
--
-- Now, for every insert as `authenticated` (the portal's createApiKey, and a Supabase Data API call
-- as a tenant's admin, which RLS lets insert keys): a BEFORE INSERT trigger counts the tenant's live
-- keys under the per-tenant advisory lock lib/settings/enforce.ts lockTenantLimit takes for
-- 'limits.api_keys' (the action takes it first, so two creates take turns and the count sees the
-- other's committed key), and refuses one past the limit (SQLSTATE 54000, hint api_key_limit). The
-- limit is settings.value_of (the one resolution of the tree) within the bounds and default of
-- settings.integer_settings, as settings.refuse_connector_by_configuration reads limits.connectors
-- (20261201031400). The service role and the owner are not asked (fixtures, restores).
-- Revoked and expired keys do not count: revoking one makes room at once.

insert into settings.integer_settings (key, min_value, max_value, default_value) values
  ('limits.api_keys', 1, 1000, 50);

create function settings.refuse_past_api_key_limit() returns trigger
  language plpgsql security definer
  set search_path = pg_catalog, pg_temp
  as $$
declare
  max_keys integer;
  live integer;
begin
  -- The caller's role, not the owner's this function runs as.
  if current_setting('role') <> 'authenticated' then
    return new;
  end if;
  perform pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('limits.api_keys'), pg_catalog.hashtext(new.tenant_id::text));
  select coalesce(settings.whole_number_within(settings.value_of(new.tenant_id, 'limits.api_keys'), b.min_value, b.max_value),
                  b.default_value)
    into max_keys
    from settings.integer_settings b
   where b.key = 'limits.api_keys';
  select pg_catalog.count(*) into live
    from public.api_keys k
   where k.tenant_id = new.tenant_id and k.revoked_at is null and k.expires_at > pg_catalog.now();
  if live >= max_keys then
    raise exception 'this tenant may hold at most % live API keys (limits.api_keys)', max_keys
      using errcode = '54000', hint = 'api_key_limit';
  end if;
  return new;
end
$$;
revoke all on function settings.refuse_past_api_key_limit() from public, anon, authenticated, service_role, portal_app;

create trigger api_keys_within_limit
  before insert on public.api_keys
  for each row execute function settings.refuse_past_api_key_limit();

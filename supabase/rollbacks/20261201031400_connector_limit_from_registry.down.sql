-- Rollback of the connector limit read from the registry: settings.refuse_connector_by_configuration
-- as 20261201030900 made it (limits.connectors' default 200 and bounds 0 to 10000 written in it).
create or replace function settings.refuse_connector_by_configuration() returns trigger
  language plpgsql security definer
  set search_path = pg_catalog, pg_temp
  as $$
declare
  -- lib/settings/registry.ts: limits.connectors (integer 0 to 10000, default 200) and
  -- integrations.<kind> (boolean, default on). tests/credentials-member-writes.test.ts pins both.
  default_limit constant integer := 200;
  enabled jsonb;
  configured jsonb;
  max_connectors integer := default_limit;
begin
  if current_setting('role') <> 'authenticated' then
    return new;
  end if;
  perform pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('limits.connectors'), pg_catalog.hashtext(new.tenant_id::text));
  enabled := settings.value_of(new.tenant_id, 'integrations.' || new.connector);
  if enabled = 'false'::jsonb then
    raise exception '% credentials are disabled by configuration (integrations.%)', new.connector, new.connector
      using errcode = '42501', hint = 'integration_disabled';
  end if;
  configured := settings.value_of(new.tenant_id, 'limits.connectors');
  if pg_catalog.jsonb_typeof(configured) = 'number'
     and (configured::text)::numeric between 0 and 10000
     and (configured::text)::numeric = pg_catalog.trunc((configured::text)::numeric) then
    max_connectors := (configured::text)::numeric::integer;
  end if;
  if (select pg_catalog.count(*) from public.credentials c where c.tenant_id = new.tenant_id) >= max_connectors then
    raise exception 'this tenant may hold at most % connector credentials (limits.connectors)', max_connectors
      using errcode = '54000', hint = 'connector_limit';
  end if;
  return new;
end
$$;
revoke all on function settings.refuse_connector_by_configuration() from public, anon, authenticated, service_role, portal_app;

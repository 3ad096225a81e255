-- limits.connectors in the database reads its bounds and default from settings.integer_settings
-- (lib/settings/registry.ts; docs/security-model.md "Keys and the credential vault").
--
-- Why: settings.refuse_connector_by_configuration (20261201030900) hard-coded the registry's default
-- (200) and bounds (0 to 10000) for limits.connectors. settings.integer_settings
-- (20261201029410) holds them for every whole-number setting, and tests/tenant-settings-bounds.test.ts
-- keeps it equal to the registry: a change of the registry's default or bounds would have left this
-- trigger counting against the old ones, unseen.
--
-- Now: the limit is settings.value_of (the one resolution of the tree) within the bounds and default
-- of settings.integer_settings, as settings.refuse_past_asset_limit reads limits.assets
-- (20261201031100): a value never set, or not a whole number within the bounds, is the default, as
-- lib/settings/resolve.ts reads it. Everything else is as 030900 made it (integrations.<kind>, the
-- advisory lock shared with lib/settings/enforce.ts lockTenantLimit, 54000 / hint connector_limit).

create or replace function settings.refuse_connector_by_configuration() returns trigger
  language plpgsql security definer
  set search_path = pg_catalog, pg_temp
  as $$
declare
  enabled jsonb;
  max_connectors integer;
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
  select coalesce(settings.whole_number_within(settings.value_of(new.tenant_id, 'limits.connectors'), b.min_value, b.max_value),
                  b.default_value)
    into max_connectors
    from settings.integer_settings b
   where b.key = 'limits.connectors';
  if (select pg_catalog.count(*) from public.credentials c where c.tenant_id = new.tenant_id) >= max_connectors then
    raise exception 'this tenant may hold at most % connector credentials (limits.connectors)', max_connectors
      using errcode = '54000', hint = 'connector_limit';
  end if;
  return new;
end
$$;
revoke all on function settings.refuse_connector_by_configuration() from public, anon, authenticated, service_role, portal_app;

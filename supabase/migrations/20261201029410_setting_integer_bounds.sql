-- Whole-number settings hold whole numbers within their bounds, and the SQL reader of the SLA
-- targets survives one that does not (a robustness fix).
--
-- Why: tenant_settings.value is any jsonb. lib/settings validates a value against the registry
-- before writing it, but a tenant's admin running SQL as `authenticated` could store
-- ('sla.high.ack_minutes', '15.5') or '"x"'; analytics.sla_targets cast it with ::integer, and it
-- runs in the trigger that flags SLA breaches (20261201028000) whenever a clock stops, so every
-- acknowledgement and close of that tenant's (and its sites') high alerts failed with a cast error.
--
-- How:
--   settings.integer_settings   one row per whole-number setting of lib/settings/registry.ts: its
--                               bounds and default (tests/tenant-settings-bounds.test.ts fails when
--                               the two differ, so a new or changed setting updates both);
--   settings.whole_number_within(value, min, max)  the value as an integer, or null when it is not a
--                               JSON number, not whole, or out of bounds (never an error);
--   tenant_settings_4_bounds    refuses such a value on INSERT and UPDATE (SQLSTATE 22023, hint
--                               setting_invalid, "<key> must be a whole number from <min> to <max>")
--                               to every signed-in caller (SET ROLE authenticated), as the MSSP-only
--                               check does; the service role and the owner are not asked, so a
--                               restored archive (which may hold a value from before this check) is
--                               written as it was, as settings.refuse_under_lock lets it in below a
--                               lock, and the readers below ignore such a value;
--   analytics.sla_targets       a stored value that is not valid counts as not set (the registry's
--                               default, as lib/settings/resolve.ts reads it), the defaults come from
--                               settings.integer_settings, and the time to resolve is never shorter
--                               than the time to acknowledge: resolve = greatest(resolve, ack), as
--                               lib/settings/read.ts slaTargetsOf does. (A tenant may inherit one of
--                               the pair and set the other; each write checks only its own tenant.)
-- Rows stored before this migration are not rewritten: the readers ignore an invalid one.

create table settings.integer_settings (
  key           text primary key,
  min_value     integer not null,
  max_value     integer not null,
  default_value integer not null,
  check (min_value <= default_value and default_value <= max_value)
);
comment on table settings.integer_settings is
  'The whole-number settings of lib/settings/registry.ts: bounds and defaults (tests/tenant-settings-bounds.test.ts compares them).';
revoke all on settings.integer_settings from public, anon, authenticated, service_role, portal_app;

insert into settings.integer_settings (key, min_value, max_value, default_value) values
  ('limits.users', 1, 100000, 50),
  ('limits.assets', 0, 10000000, 10000),
  ('limits.api_requests_per_minute', 1, 100000, 600),
  ('limits.api_key_requests_per_minute', 1, 100000, 300),
  ('limits.api_concurrent_requests', 1, 256, 8),
  ('limits.api_ingest_per_day', 0, 100000000, 100000),
  ('limits.connection_tests_per_hour', 1, 10000, 60),
  ('limits.connectors', 0, 10000, 200),
  ('limits.data_retention_days', 7, 3650, 365),
  ('sla.critical.ack_minutes', 1, 43200, 15),
  ('sla.critical.resolve_minutes', 1, 43200, 240),
  ('sla.high.ack_minutes', 1, 43200, 60),
  ('sla.high.resolve_minutes', 1, 43200, 1440),
  ('sla.medium.ack_minutes', 1, 43200, 240),
  ('sla.medium.resolve_minutes', 1, 43200, 4320),
  ('sla.low.ack_minutes', 1, 43200, 1440),
  ('sla.low.resolve_minutes', 1, 43200, 10080),
  ('health.collector_silent_warn_minutes', 1, 10080, 10),
  ('health.collector_silent_critical_minutes', 1, 10080, 60),
  ('health.alert_silence_hours', 0, 720, 24),
  ('health.credential_expiring_days', 0, 365, 14),
  ('health.job_failures_per_hour', 0, 10000, 1),
  ('health.api_error_warn_percent', 0, 100, 20),
  ('health.api_error_critical_percent', 1, 100, 80),
  ('health.quota_warn_percent', 0, 100, 80),
  ('health.sign_in_failures_per_hour', 0, 100000, 20),
  ('health.denied_per_hour', 0, 100000, 5),
  ('session.lifetime_hours', 1, 720, 12);

-- Each WHEN in turn (a CASE evaluates its conditions in order), so a string is never cast.
create function settings.whole_number_within(v jsonb, lo integer, hi integer) returns integer
  language sql immutable
  set search_path = pg_catalog, pg_temp
  as $$
    select case
             when v is null or jsonb_typeof(v) <> 'number' then null
             when v::numeric <> trunc(v::numeric) or v::numeric < lo or v::numeric > hi then null
             else v::numeric::integer
           end
  $$;

create function settings.refuse_out_of_bounds() returns trigger
language plpgsql security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  b settings.integer_settings;
begin
  -- The caller's role, not the owner's this function runs as.
  if current_setting('role') <> 'authenticated' then
    return new;
  end if;
  select * into b from settings.integer_settings i where i.key = new.key;
  if found and settings.whole_number_within(new.value, b.min_value, b.max_value) is null then
    raise exception '% must be a whole number from % to %', new.key, b.min_value, b.max_value
      using errcode = '22023', hint = 'setting_invalid';
  end if;
  return new;
end
$$;
create trigger tenant_settings_4_bounds
  before insert or update on public.tenant_settings
  for each row execute function settings.refuse_out_of_bounds();

revoke all on function settings.whole_number_within(jsonb, integer, integer), settings.refuse_out_of_bounds()
  from public, anon, authenticated, service_role, portal_app;

-- PL/pgSQL, as 20261201026400 made it (tests/policy-helpers.test.ts): same signature, attributes,
-- owner and grants (CREATE OR REPLACE keeps them).
create or replace function analytics.sla_targets(p_tenants uuid[])
  returns table (tenant_id uuid, severity text, ack_minutes integer, resolve_minutes integer)
  language plpgsql stable security definer
  set search_path = pg_catalog, pg_temp
  as $$
#variable_conflict use_column
begin
  return query
    with d as (
      select sev, a.default_value as ack, a.min_value as ack_min, a.max_value as ack_max,
             r.default_value as res, r.min_value as res_min, r.max_value as res_max
        from unnest(array['critical', 'high', 'medium', 'low']) sev
        join settings.integer_settings a on a.key = 'sla.' || sev || '.ack_minutes'
        join settings.integer_settings r on r.key = 'sla.' || sev || '.resolve_minutes'
    ), s as (
      select r.tenant_id, r.key, r.value from settings.resolve(p_tenants) r
       where r.key like 'sla.%'
    ), e as (
      select t, d.sev,
             coalesce((select settings.whole_number_within(s.value, d.ack_min, d.ack_max) from s
                        where s.tenant_id = t and s.key = 'sla.' || d.sev || '.ack_minutes'), d.ack) as ack,
             coalesce((select settings.whole_number_within(s.value, d.res_min, d.res_max) from s
                        where s.tenant_id = t and s.key = 'sla.' || d.sev || '.resolve_minutes'), d.res) as res
        from unnest(p_tenants) t cross join d
    )
    select e.t, e.sev, e.ack, greatest(e.res, e.ack) from e;
end
$$;

-- The house guards on the usage and health tables (migrations 20261201012000
-- and 20261201014500), which were added without them:
--   - the three restrictive freeze policies (nothing written through
--     `authenticated` in a suspended or offboarded tenant; tests/lifecycle-suspend);
--   - the tenant_id guard (a row is never re-homed to another tenant;
--     tests/tenant-id-immutable);
--   - their identity sequences revoked from the API roles: on Supabase, default
--     privileges grant ALL on every new sequence in `public` to anon,
--     authenticated and service_role (tests/supabase-default-privileges). An
--     identity column's insert needs no right on its sequence.
-- These tables are written by the service role only today, so nothing that
-- works changes; the guards hold if a later policy lets `authenticated` write.
select tenancy.add_frozen_write_policies(t::regclass, 'tenant_id')
  from unnest(array['public.usage_events', 'public.usage_rollups', 'public.tenant_health', 'public.tenant_health_transitions']) t;

select tenancy.add_tenant_id_guard(t::regclass)
  from unnest(array['public.usage_events', 'public.usage_rollups', 'usage.api_request_counts',
                    'public.tenant_health', 'public.tenant_health_transitions']) t;

revoke all on sequence public.usage_events_id_seq, public.tenant_health_transitions_id_seq
  from public, anon, authenticated, service_role;

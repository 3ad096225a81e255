-- Rollback of 20261201012000_usage_metering: usage events, their rollups, the
-- API request counter and the scan state go (a rolled-back database meters
-- nothing), with the usage schema and its functions.
drop table if exists public.usage_rollups;
drop table if exists public.usage_events;
drop schema if exists usage cascade;

-- Rollback of 20261201011500_collector_checkpoints: collectors forget where
-- they stood and start each connector's feed again from their first pull
-- (re-sent alerts are duplicates to the API, so nothing is stored twice).
drop table if exists public.collector_checkpoints;

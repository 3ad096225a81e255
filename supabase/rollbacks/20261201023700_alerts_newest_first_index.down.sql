-- Rollback of 20261201023700_alerts_newest_first_index.
drop index if exists public.alerts_detected;

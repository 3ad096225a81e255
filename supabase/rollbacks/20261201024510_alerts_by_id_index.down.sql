-- Rollback of 20261201024510_alerts_by_id_index.
drop index if exists public.alerts_id;

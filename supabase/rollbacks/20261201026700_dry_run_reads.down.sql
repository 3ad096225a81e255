-- Rollback of 20261201026700_dry_run_reads.
drop function workflows.newest_alerts(uuid[], timestamptz, timestamptz, integer);
drop index public.assets_id;

-- Rollback of 20261201029700_restore_rebuilds_rollups: the function is new (no earlier body to
-- restore); a restore of an archive older than a rollup table leaves that table empty again.
drop function analytics.rebuild_restored_rollups(uuid[], text[]);

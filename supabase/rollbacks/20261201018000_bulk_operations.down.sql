-- Rollback of 20261201018000_bulk_operations: the bulk runs and their items
-- go (their history with them; the audit trail keeps what each did).
drop table if exists public.bulk_run_items;
drop table if exists public.bulk_runs;

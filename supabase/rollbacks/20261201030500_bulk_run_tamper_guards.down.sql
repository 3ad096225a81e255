-- Rollback of 20261201030500_bulk_run_tamper_guards: the MSSP's admins may again change any column of
-- their runs and items through `authenticated` (only the people columns stay their own, 20261201028600).
drop trigger if exists bulk_run_items_update_guard on public.bulk_run_items;
drop function if exists tenancy.bulk_run_items_update_guard();
drop trigger if exists bulk_run_items_insert_guard on public.bulk_run_items;
drop function if exists tenancy.bulk_run_items_insert_guard();
drop trigger if exists bulk_runs_update_guard on public.bulk_runs;
drop function if exists tenancy.bulk_run_update_guard();
drop trigger if exists bulk_runs_insert_guard on public.bulk_runs;
drop function if exists tenancy.bulk_run_insert_guard();

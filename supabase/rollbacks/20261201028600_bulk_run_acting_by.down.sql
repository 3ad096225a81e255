-- Rollback of 20261201028600_bulk_run_acting_by: the worker acts as started_by (undo_by for an undo) again.
drop trigger if exists bulk_runs_people_are_the_caller on public.bulk_runs;
drop function if exists tenancy.bulk_run_people_are_the_caller();
alter table public.bulk_runs drop column if exists acting_by;

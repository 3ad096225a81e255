-- Bulk runs: the person a run acts as (lib/bulk/execute.ts, docs/bulk-operations.md "How it runs").
--
-- Why: the worker ran every item as the run's started_by (undo_by for an undo) for the run's whole
-- life. A run another admin carried on (Continue after a canary or a stop) still ran as its starter:
-- a starter who had left or lost bulk:run paused it again at once, and one whose role was taken away
-- (RLS hides the run from them) left it "running" for ever, holding the MSSP's bulk job.
--
-- How: acting_by is the person the worker acts as now: who started the run, then whoever continued
-- it (or asked for, or continued, its undo). started_by and undo_by keep saying who started the run
-- and who asked for its undo (history); each item's audit row names the person it ran as.
alter table public.bulk_runs add column acting_by uuid references public.users (id) on delete set null;

comment on column public.bulk_runs.acting_by is
  'The person each item runs as (withTenant: their RLS and PDP): the starter, then whoever continued the run or asked for or continued its undo.';

-- Runs not over yet act as they did before.
update public.bulk_runs
   set acting_by = case when undo_at is not null then undo_by else started_by end
 where status in ('running', 'paused', 'undoing');

-- Who a run acts as is only ever the person making the change: through RLS an MSSP admin may update
-- their MSSP's runs, and SQL as one (a Supabase Data API) could otherwise name another admin as the
-- run's actor, starter or undoer, and have the worker act with that person's rights. The service role
-- (the worker, no claims) is not held to it.
create function tenancy.bulk_run_people_are_the_caller() returns trigger
  language plpgsql
  set search_path = pg_catalog, pg_temp
  as $$
declare
  me uuid := auth.uid();
begin
  if me is null then
    return new;
  end if;
  if (new.acting_by is distinct from old.acting_by and new.acting_by is distinct from me)
     or (new.started_by is distinct from old.started_by and new.started_by is distinct from me)
     or (new.undo_by is distinct from old.undo_by and new.undo_by is distinct from me) then
    raise exception 'a bulk run''s starter, undoer and actor can only be set to oneself'
      using errcode = '42501';
  end if;
  return new;
end
$$;
revoke all on function tenancy.bulk_run_people_are_the_caller() from public, anon, authenticated, service_role, portal_app;
create trigger bulk_runs_people_are_the_caller before update on public.bulk_runs
  for each row execute function tenancy.bulk_run_people_are_the_caller();

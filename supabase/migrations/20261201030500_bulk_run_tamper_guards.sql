-- Bulk runs: what a signed-in person may change in a run and its items (lib/bulk/runs.ts,
-- lib/bulk/execute.ts, docs/bulk-operations.md "Who may").
--
-- Why: the policies of 20261201018000 let any admin of the MSSP update any column of its runs and
-- items through `authenticated` (SQL as that admin, a Supabase Data API), and 20261201028600 only
-- stopped them naming someone else as a run's actor. Admin A could take admin B's finished run
-- (acting_by = B), rewrite its parameters, put its items back to pending and the run to running,
-- then "Hand to a worker again": the worker applied A's change with B's rights, and the audit named
-- B. A could also rewrite the `before` an item records and let B's undo write it, plant items with
-- any target into it, and plan a run on a customer (stored and queued there, out of the console's sight).
--
-- Now, for `authenticated` (the service role and the owner, which restore archives and run the
-- tests' fixtures, are not held to it):
--   runs   created only on an MSSP, as a dry run ('planned', nobody acting, nothing started);
--          operation, params, selection, total, created_by and created_at never change;
--          status moves only along the run's life (planned → running | discarded, running ↔ paused,
--          paused → undoing, finished → undoing, undoing → paused, running → finished,
--          undoing → undone), an undo only for an operation that has one, and a run whose undo
--          started never runs forward again;
--          whoever puts a run to running or undoing, or changes canary_passed, is the one it acts
--          as from then on (acting_by = auth.uid() in the same update);
--          canary and started_at change only when the run starts, undo_at only when its undo
--          starts, finished_at only when it ends.
--   items  inserted only into a dry run by the person who planned it, one per planned position
--          (position < total), pending or skipped with nothing recorded yet;
--          their tenant, position, name and plan (planned, plan_skip) never change;
--          their result (status, message, before, after, finished_at) is written only by the
--          person the run acts as while it runs or undoes: pending → done | skipped | failed while
--          running (with the `before` and `after` of that change), done → undone | undo_skipped |
--          undo_failed while undoing.
-- Each refusal is 42501, as RLS's.

create function tenancy.bulk_run_insert_guard() returns trigger
  language plpgsql
  set search_path = pg_catalog, pg_temp
  as $$
declare
  kind text;
begin
  if current_user::text <> 'authenticated' then
    return new;
  end if;
  select t.kind into kind from public.tenants t where t.id = new.tenant_id;
  if kind is distinct from 'mssp' then
    raise exception 'bulk runs are planned on an MSSP only, not on one of its customers or sites'
      using errcode = '42501';
  end if;
  if new.status <> 'planned' or new.canary is not null or new.canary_passed
     or new.acting_by is not null or new.started_by is not null or new.undo_by is not null
     or new.started_at is not null or new.undo_at is not null or new.finished_at is not null then
    raise exception 'a bulk run starts as a dry run: planned, not started, acting as nobody'
      using errcode = '42501';
  end if;
  return new;
end
$$;
revoke all on function tenancy.bulk_run_insert_guard() from public, anon, authenticated, service_role, portal_app;
create trigger bulk_runs_insert_guard before insert on public.bulk_runs
  for each row execute function tenancy.bulk_run_insert_guard();

create function tenancy.bulk_run_update_guard() returns trigger
  language plpgsql
  set search_path = pg_catalog, pg_temp
  as $$
declare
  me uuid := auth.uid();
  moved boolean := new.status is distinct from old.status;
begin
  if current_user::text <> 'authenticated' then
    return new;
  end if;
  if (new.id, new.operation, new.params, new.selection, new.total, new.created_by, new.created_at)
     is distinct from (old.id, old.operation, old.params, old.selection, old.total, old.created_by, old.created_at) then
    raise exception 'a bulk run''s operation, parameters and selection are fixed once it is planned'
      using errcode = '42501';
  end if;
  if moved and not (old.status || '>' || new.status) = any (array[
       'planned>running', 'planned>discarded', 'running>paused', 'undoing>paused', 'paused>running',
       'paused>undoing', 'finished>undoing', 'running>finished', 'undoing>undone']) then
    raise exception 'a bulk run cannot go from % to %', old.status, new.status
      using errcode = '42501';
  end if;
  if moved and new.status = 'undoing' and new.operation not in ('setting', 'plan', 'suspend', 'resume') then
    raise exception 'this bulk operation cannot be undone'
      using errcode = '42501';
  end if;
  if moved and new.status = 'running' and new.undo_at is not null then
    raise exception 'a bulk run whose undo started carries on with its undo, never the change'
      using errcode = '42501';
  end if;
  if ((moved and new.status in ('running', 'undoing')) or new.canary_passed is distinct from old.canary_passed)
     and (me is null or new.acting_by is distinct from me) then
    raise exception 'whoever starts, continues or undoes a bulk run is the one it acts as'
      using errcode = '42501';
  end if;
  if (new.canary, new.started_at) is distinct from (old.canary, old.started_at)
     and not (old.status = 'planned' and new.status = 'running') then
    raise exception 'a bulk run''s canary and start are set when it starts'
      using errcode = '42501';
  end if;
  if new.undo_at is distinct from old.undo_at and not (moved and new.status = 'undoing') then
    raise exception 'a bulk run''s undo time is set when its undo starts'
      using errcode = '42501';
  end if;
  if new.finished_at is distinct from old.finished_at and not (moved and new.status in ('finished', 'undone', 'discarded')) then
    raise exception 'a bulk run''s end is set when it ends'
      using errcode = '42501';
  end if;
  return new;
end
$$;
revoke all on function tenancy.bulk_run_update_guard() from public, anon, authenticated, service_role, portal_app;
create trigger bulk_runs_update_guard before update on public.bulk_runs
  for each row execute function tenancy.bulk_run_update_guard();

-- Items come in one statement per chunk of the dry run (lib/bulk/runs.ts planRun): checked once per
-- statement, the run looked up once (joining every new item to the runs under RLS cost more than the
-- insert itself on a large MSSP). Which tenants they name is left to RLS and the PDP when the run
-- works, as the person it acts as (a tenant they cannot see, or may not change, is skipped).
create function tenancy.bulk_run_items_insert_guard() returns trigger
  language plpgsql
  set search_path = pg_catalog, pg_temp
  as $$
declare
  me uuid := auth.uid();
  planned_run record;
  run record;
begin
  if current_user::text <> 'authenticated' then
    return null;
  end if;
  for planned_run in select distinct i.tenant_id, i.run_id from new_items i loop
    select r.status, r.created_by, r.total into run
      from public.bulk_runs r where r.tenant_id = planned_run.tenant_id and r.id = planned_run.run_id;
    if not found or run.status is distinct from 'planned' or me is null or run.created_by is distinct from me
       or exists (select 1 from new_items i
                   where i.tenant_id = planned_run.tenant_id and i.run_id = planned_run.run_id and i.position >= run.total) then
      raise exception 'bulk run items are added only to a dry run, by the person who planned it, one per planned tenant'
        using errcode = '42501';
    end if;
  end loop;
  if exists (
    select 1
      from new_items i
     where i.status not in ('pending', 'skipped') or (i.status = 'skipped') <> i.plan_skip
        or i.before is not null or i.after is not null or i.finished_at is not null
  ) then
    raise exception 'a bulk run item is planned pending or skipped, with nothing recorded yet'
      using errcode = '42501';
  end if;
  return null;
end
$$;
revoke all on function tenancy.bulk_run_items_insert_guard() from public, anon, authenticated, service_role, portal_app;
create trigger bulk_run_items_insert_guard after insert on public.bulk_run_items
  referencing new table as new_items
  for each statement execute function tenancy.bulk_run_items_insert_guard();

create function tenancy.bulk_run_items_update_guard() returns trigger
  language plpgsql
  set search_path = pg_catalog, pg_temp
  as $$
declare
  me uuid := auth.uid();
  run_status text;
  actor uuid;
begin
  if current_user::text <> 'authenticated' then
    return new;
  end if;
  if (new.tenant_id, new.run_id, new.target_tenant_id, new.position, new.target_name, new.planned, new.plan_skip)
     is distinct from (old.tenant_id, old.run_id, old.target_tenant_id, old.position, old.target_name, old.planned, old.plan_skip) then
    raise exception 'a bulk run item''s tenant and plan are fixed once it is planned'
      using errcode = '42501';
  end if;
  if (new.status, new.message, new.before, new.after, new.finished_at)
     is not distinct from (old.status, old.message, old.before, old.after, old.finished_at) then
    return new;
  end if;
  select r.status, r.acting_by into run_status, actor
    from public.bulk_runs r where r.tenant_id = new.tenant_id and r.id = new.run_id;
  if me is null or actor is distinct from me or run_status is null or run_status not in ('running', 'undoing') then
    raise exception 'a bulk run item''s result is recorded only by the person the run acts as, while it runs'
      using errcode = '42501';
  end if;
  if new.status is distinct from old.status and not (
       (run_status = 'running' and old.status = 'pending' and new.status in ('done', 'skipped', 'failed'))
       or (run_status = 'undoing' and old.status = 'done' and new.status in ('undone', 'undo_skipped', 'undo_failed'))) then
    raise exception 'a bulk run item cannot go from % to % while its run is %', old.status, new.status, run_status
      using errcode = '42501';
  end if;
  if (new.before, new.after) is distinct from (old.before, old.after)
     and not (run_status = 'running' and old.status = 'pending' and new.status is distinct from 'pending') then
    raise exception 'a bulk run item''s previous and new values are recorded once, when its change is made'
      using errcode = '42501';
  end if;
  return new;
end
$$;
revoke all on function tenancy.bulk_run_items_update_guard() from public, anon, authenticated, service_role, portal_app;
create trigger bulk_run_items_update_guard before update on public.bulk_run_items
  for each row execute function tenancy.bulk_run_items_update_guard();

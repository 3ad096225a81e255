-- Bulk runs: what the portal alone writes of a run (lib/bulk/engine.ts, docs/bulk-operations.md "Who may").
--
-- Why: 20261201030500 and 20261201030510 let the person a run acts as write its items' results through
-- `authenticated`, because the worker wrote them as that person (withTenant). So SQL as them (a Supabase
-- Data API) could mark the run's pending tenants done without changing them and record any `before`:
-- Undo, by whoever asks for it, then wrote those values to the tenants and audited them as a restore
-- of what was there, on tenants the person may not even change that way. The same person could
-- end their run with any note, and any MSSP admin could stop a run with a note of their own choosing
-- (the operators' instructions on the run's page: "Canary done, continue …"). And an admin's own
-- dry run, planned by SQL, could carry items whose lines say anything: another admin who starts it
-- (confirming its count) runs its real parameters with their own rights.
--
-- Now lib/bulk writes those through the service role inside the person's own transaction
-- (withServiceRoleIn, purpose bulk.engine: the caller's role and claims come back after), which SQL
-- as a person cannot switch to; and for `authenticated` (the service role and the owner are not held to it):
--   items  are neither inserted nor changed at all: the dry run's items, each tenant's result (status,
--          message, before, after, end time) are the engine's;
--   runs   never move to finished or undone (the worker ends a run once its work is done);
--          their note changes only to nothing, together with a status move (a start, continue or
--          undo clears it): why a run paused or was stopped, and how it ended, are the engine's.
-- The rest of 20261201030500 / 20261201030510 is unchanged (a run planned on an MSSP as a dry run,
-- its status along its life, its actor, canary and times only by the step that sets them).
-- Each refusal is 42501, as RLS's.

create or replace function tenancy.bulk_run_items_insert_guard() returns trigger
  language plpgsql
  set search_path = pg_catalog, pg_temp
  as $$
begin
  if current_user::text = 'authenticated' then
    raise exception 'a bulk run''s items are written by the portal''s dry run, not by a person''s statement'
      using errcode = '42501';
  end if;
  return null;
end
$$;
revoke all on function tenancy.bulk_run_items_insert_guard() from public, anon, authenticated, service_role, portal_app;

create or replace function tenancy.bulk_run_items_update_guard() returns trigger
  language plpgsql
  set search_path = pg_catalog, pg_temp
  as $$
begin
  if current_user::text <> 'authenticated' then
    return new;
  end if;
  if new is distinct from old then
    raise exception 'a bulk run item''s plan and result are written by the portal (its dry run, then its worker), not by a person''s statement'
      using errcode = '42501';
  end if;
  return new;
end
$$;
revoke all on function tenancy.bulk_run_items_update_guard() from public, anon, authenticated, service_role, portal_app;

create or replace function tenancy.bulk_run_update_guard() returns trigger
  language plpgsql
  set search_path = pg_catalog, pg_temp
  as $$
declare
  me uuid := auth.uid();
  moved boolean := new.status is distinct from old.status;
  starts boolean := old.status = 'planned' and new.status = 'running';
  acts boolean := new.status is distinct from old.status and new.status in ('running', 'undoing');
  undo_starts boolean := new.status is distinct from old.status and new.status = 'undoing' and old.undo_at is null;
  ends boolean := new.status is distinct from old.status and new.status in ('finished', 'undone', 'discarded');
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
  if acts and (me is null or new.acting_by is distinct from me) then
    raise exception 'whoever starts, continues or undoes a bulk run is the one it acts as'
      using errcode = '42501';
  end if;
  if new.acting_by is distinct from old.acting_by and not acts then
    raise exception 'a bulk run acts as someone else only when they start, continue or undo it'
      using errcode = '42501';
  end if;
  if new.canary_passed is distinct from old.canary_passed
     and not (old.status = 'paused' and new.status = 'running' and new.canary_passed and new.canary is not null
              and (select pg_catalog.count(*) from public.bulk_run_items i
                    where i.tenant_id = new.tenant_id and i.run_id = new.id and i.status in ('done', 'failed')) >= new.canary) then
    raise exception 'a bulk run''s canary is passed by continuing it once the canary''s tenants ran'
      using errcode = '42501';
  end if;
  if (new.canary, new.started_at, new.started_by) is distinct from (old.canary, old.started_at, old.started_by) and not starts then
    raise exception 'a bulk run''s canary and start are set when it starts'
      using errcode = '42501';
  end if;
  if starts and (new.started_at is distinct from pg_catalog.now() or new.started_by is distinct from me) then
    raise exception 'a bulk run starts now, started by the person starting it'
      using errcode = '42501';
  end if;
  if (new.undo_at, new.undo_by) is distinct from (old.undo_at, old.undo_by) and not undo_starts then
    raise exception 'a bulk run''s undo time is set once, when its undo starts'
      using errcode = '42501';
  end if;
  if undo_starts and (new.undo_at is distinct from pg_catalog.now() or new.undo_by is distinct from me) then
    raise exception 'a bulk run''s undo starts now, asked for by the person undoing it'
      using errcode = '42501';
  end if;
  if new.finished_at is distinct from old.finished_at and not ends then
    raise exception 'a bulk run''s end is set when it ends'
      using errcode = '42501';
  end if;
  if ends and new.finished_at is distinct from pg_catalog.now() then
    raise exception 'a bulk run ends now'
      using errcode = '42501';
  end if;
  if moved and new.status in ('finished', 'undone') then
    raise exception 'a bulk run is ended by the portal''s worker once its work is done, not by a person''s statement'
      using errcode = '42501';
  end if;
  if new.note is distinct from old.note and (not moved or new.note is not null) then
    raise exception 'a bulk run''s note is written by the portal; a person''s start, continue or undo only clears it'
      using errcode = '42501';
  end if;
  return new;
end
$$;
revoke all on function tenancy.bulk_run_update_guard() from public, anon, authenticated, service_role, portal_app;

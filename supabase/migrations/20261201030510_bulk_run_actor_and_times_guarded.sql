-- Bulk runs: who a run acts as, its times, its end and its note change only with the step of its life
-- that sets them (lib/bulk/runs.ts, lib/bulk/execute.ts, docs/bulk-operations.md "Who may").
--
-- Why: tenancy.bulk_run_update_guard (20261201030500) asked "acting_by = the caller" only of a
-- statement that moved a run to running or undoing or changed canary_passed, and 20261201028600 only
-- that a new acting_by be the caller. Through SQL as an MSSP admin (a Supabase Data API):
--   * `update bulk_runs set acting_by = auth.uid()` on another admin's running run made the caller
--     its actor with no start, continue or undo: the item guard then took their writes, so they
--     could mark the other admin's pending tenants done or skipped without changing them and record
--     any `before` and `after`, which the starter's undo later writes to the tenants. So could
--     `canary_passed = not canary_passed, acting_by = auth.uid()` on a running run;
--   * a move to undoing took any undo_at, NULL included (and paused → undoing needed none): undoing
--     → paused then left a half-undone run that no longer counted as undo-started, and an innocent
--     Continue ran the change forward on it; undo_at and started_at could also be set to any time
--     (the worker takes runs in coalesce(undo_at, started_at) order), finished_at to any time at an end;
--   * running → finished and undoing → undone needed neither the actor nor the work to be over: any
--     admin could end another's run with tenants still pending;
--   * `note` (the operator's instructions on the run's page) could be rewritten by anyone at any time.
--
-- Now, for `authenticated` (the service role and the owner are not held to it), on top of 030500:
--   acting_by     changes only in a move to running or undoing (a start, a continue, an undo asked
--                 for or continued), to the caller; no pause, stop, handover or end changes it;
--   canary_passed changes only false → true, in a move paused → running (Continue), once the
--                 canary's tenants ran (done or failed, as lib/bulk/runs.ts continueRun counts);
--   started_at,   set once, to now(), by the move planned → running, with started_by = the caller
--   started_by    (and the canary); never changed after;
--   undo_at,      set once, to now(), by the first move to undoing, with undo_by = the caller; never
--   undo_by       changed after (a move to undoing always leaves undo_at set, so a paused undo stays
--                 an undo);
--   finished_at   set to now() by each move to finished, undone or discarded, and only then (an undo
--                 of a finished run sets it again when it is undone);
--   the end       running → finished only when no item is pending, undoing → undone only when no
--                 item is done (what the worker checks before it ends a run), and only by the person
--                 the run acts as (the worker ends it as them);
--   note          changes only together with a status move (start, stop, pause, continue, undo, end).
-- Each refusal is 42501, as RLS's. The items' guard (030500) is unchanged.

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
    if me is null or old.acting_by is distinct from me then
      raise exception 'a bulk run is ended by the person it acts as, when its work is done'
        using errcode = '42501';
    end if;
    if exists (select 1 from public.bulk_run_items i
                where i.tenant_id = new.tenant_id and i.run_id = new.id
                  and i.status = case when new.status = 'finished' then 'pending' else 'done' end) then
      raise exception 'a bulk run ends only when no tenant is left to %', case when new.status = 'finished' then 'change' else 'walk back' end
        using errcode = '42501';
    end if;
  end if;
  if new.note is distinct from old.note and not moved then
    raise exception 'a bulk run''s note changes only with its status (a start, stop, pause, continue, undo or end)'
      using errcode = '42501';
  end if;
  return new;
end
$$;
revoke all on function tenancy.bulk_run_update_guard() from public, anon, authenticated, service_role, portal_app;

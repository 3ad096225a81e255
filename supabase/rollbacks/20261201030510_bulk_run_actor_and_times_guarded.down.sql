-- Rollback of 20261201030510_bulk_run_actor_and_times_guarded: tenancy.bulk_run_update_guard as
-- 20261201030500 made it (acting_by checked only in a move to running or undoing or a change of
-- canary_passed; undo_at, started_at and finished_at set to any time in their move; a run's end and
-- its note unguarded).
create or replace function tenancy.bulk_run_update_guard() returns trigger
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

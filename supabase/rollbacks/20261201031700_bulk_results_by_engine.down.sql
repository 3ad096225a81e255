-- Rollback of 20261201031700_bulk_results_by_engine: the three guards as 20261201030500 (the items'
-- insert and update guards) and 20261201030510 (the runs' update guard) made them, copied from those
-- migrations: an MSSP admin (`authenticated`) plans items into their own dry run, the person a run acts
-- as records its items' results (their `before` and `after` included), ends the run when its work is
-- done, and writes its note with any status move. lib/bulk written for 20261201031700 (the engine's
-- writes through the service role) still works on these guards.
create or replace function tenancy.bulk_run_items_insert_guard() returns trigger
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

create or replace function tenancy.bulk_run_items_update_guard() returns trigger
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

-- Jobs parked before 20261201030800 are cancelled, and a request that joins an unfinished job pulls it
-- to its own time (docs/jobs.md "Who queues what", "Joining an unfinished job").
--
-- Why: until 20261201030800 any tenant admin could insert, through `authenticated` (a Supabase Data
-- API), a job of any kind with any run_after, e.g. 'vault.rotate-dek' or 'lifecycle.offboard' due in
-- the year 9999. One unfinished job per tenant and kind (jobs_one_unfinished) makes every later
-- enqueue of that kind join the parked row (lib/jobs/queue.ts enqueueWith), so the MSSP's rotation
-- or the offboarding never ran. 20261201030800 stopped new ones; rows parked earlier stayed, and
-- nothing in the join refused a row due later than the request that joined it.
--
-- 1. Cancelled, once: every queued job due later than the portal ever schedules one. What the
--    engine writes into run_after (lib/jobs):
--      * a new job, a retried one (retryJob) or one given back (releaseJob): now(), so a job that
--        never ran (attempts = 0) is due by the time this runs;
--      * a failed attempt with attempts left (failJob): graphile-worker's backoff,
--        exp(min(attempts, 10)) seconds, at most 6 h 07 min after the failure;
--      * an offboarding ('lifecycle.offboard', lib/lifecycle/offboard.ts): the end of its grace
--        period, the very value written into its tenant's deprovision_after in the same
--        transaction, the tenant being 'deprovisioning'.
--    So a queued row due more than 1 hour from now (never ran) or 7 hours (ran before), other than
--    an offboarding due at its deprovisioning tenant's deprovision_after, was not written by the
--    engine: someone wrote it through SQL. Who did is not needed to tell (created_by is null too
--    once its author is deleted); it is recorded. A row due within those margins would run anyway.
--    Each is cancelled (its graphile-worker job goes with it: jobs_engine.on_job_change), with the
--    reason in last_error, and an audit row (no actor, 'jobs.parked-cancelled') in its tenant's
--    trail, naming the job, its kind, who queued it and when it was due.
--    An offboarding that an MSSP admin (or `npm run tenants`) started while such a row existed
--    joined it: its tenant is 'deprovisioning' but the row is not due at deprovision_after. The
--    offboarding that was asked for is queued again as the engine queues it (due at
--    deprovision_after, as its starter, tenants.status_changed_by, payload previousStatus from the
--    status reason, 10 attempts); if deprovision_after has passed, it is due at once, as the grace
--    period announced. If its starter's user no longer exists, nothing is queued (the worker would
--    refuse that job), the audit row says so, and the tenant stays 'deprovisioning' for an
--    operator to call off or start again.
--    An offboarding row that never ran and is due BEFORE its deprovisioning tenant's
--    deprovision_after was not written by the engine either (it writes the two values equal): a row
--    parked due soon that an offboarding joined would have purged the tenant and destroyed its keys
--    before the grace period announced had ended. It is cancelled and the offboarding queued again
--    in the same way. (The workflow's first step also refuses to run before deprovision_after.)
-- 2. From now on: a new unfinished row (queued or running, the ones that join) for a (tenant, kind)
--    that has an unfinished job which never ran (queued, attempts = 0), is not due yet and is due
--    later than the new row pulls that job's run_after to the new row's, and hands it to
--    graphile-worker again (jobs_engine.dispatch, job key mode 'replace'), before the insert joins it
--    (ON CONFLICT DO NOTHING). A job that ran and waits out its backoff is not pulled. Nor is one
--    already due (queued by a transaction that began after the joining one: its run_after, that
--    transaction's now(), is later than the new row's): pulling it would change nothing but hold its
--    row locked until the joining transaction ends, so the worker's claim (startAttempt) waited for
--    it, and give graphile-worker a second job for it if a worker had already taken the first. A
--    refused insert (RLS, 42501) rolls the pull back with it. So no row, however it got there, holds
--    back a later request for longer than that request asked.
--
-- The rollback drops the trigger and its function; cancelled jobs stay cancelled and audit rows stay.

do $$
declare
  j record;
  margin interval;
  starter_exists boolean;
  replacement uuid;
  note text;
  why text;
begin
  for j in
    select pj.tenant_id, pj.id, pj.kind, pj.created_by, pj.created_at, pj.run_after, pj.attempts,
           t.status as tenant_status, t.deprovision_after, t.status_changed_by, t.status_changed_at, t.status_reason
      from public.jobs pj join public.tenants t on t.id = pj.tenant_id
     where pj.status = 'queued'
       and ((pj.run_after > now() + case when pj.attempts = 0 then interval '1 hour' else interval '7 hours' end
             and not (pj.kind = 'lifecycle.offboard' and t.status = 'deprovisioning' and pj.run_after = t.deprovision_after))
            or (pj.kind = 'lifecycle.offboard' and pj.attempts = 0 and t.status = 'deprovisioning'
                and t.deprovision_after is not null and pj.run_after < t.deprovision_after))
     order by pj.tenant_id, pj.created_at, pj.id
  loop
    replacement := null;
    why := case
      when j.kind = 'lifecycle.offboard' and j.tenant_status = 'deprovisioning' and j.run_after < j.deprovision_after
        then ', before the grace period of the offboarding ends (it was written straight into the database, not queued by the portal).'
      else ', later than the portal ever schedules it (it was written straight into the database, not queued by the portal).' end;
    starter_exists := j.status_changed_by is null
                      or exists (select 1 from public.users u where u.id = j.status_changed_by);
    if j.kind = 'lifecycle.offboard' and j.tenant_status = 'deprovisioning' and j.deprovision_after is not null and starter_exists then
      replacement := gen_random_uuid();
      note := 'Cancelled: it was set to start at ' || to_char(j.run_after at time zone 'UTC', 'YYYY-MM-DD HH24:MI "UTC"')
              || why
              || ' The offboarding that was asked for is queued again as job ' || replacement::text || ', due '
              || to_char(j.deprovision_after at time zone 'UTC', 'YYYY-MM-DD HH24:MI "UTC"') || '.';
    elsif j.kind = 'lifecycle.offboard' and j.tenant_status = 'deprovisioning' then
      note := 'Cancelled: it was set to start at ' || to_char(j.run_after at time zone 'UTC', 'YYYY-MM-DD HH24:MI "UTC"')
              || why
              || ' The person who started the offboarding no longer exists, so it was not queued again: call the offboarding off or start it again.';
    else
      note := 'Cancelled: it was set to start at ' || to_char(j.run_after at time zone 'UTC', 'YYYY-MM-DD HH24:MI "UTC"')
              || why
              || ' The next request of this kind queues a job of its own.';
    end if;

    update public.jobs
       set status = 'cancelled', last_error = note, finished_at = now(), locked_by = null
     where tenant_id = j.tenant_id and id = j.id and status = 'queued';

    if replacement is not null then
      insert into public.jobs (tenant_id, id, kind, payload, max_attempts, run_after, created_by)
      values (j.tenant_id, replacement, 'lifecycle.offboard',
              jsonb_build_object(
                'previousStatus', case when j.status_reason = 'offboarding (was suspended)' then 'suspended' else 'active' end,
                'graceDays', coalesce(least(90, greatest(0, round(extract(epoch from (j.deprovision_after - j.status_changed_at)) / 86400)))::int, 0)),
              10, j.deprovision_after, j.status_changed_by);
    end if;

    insert into public.audit_log (tenant_id, actor_id, action, target_type, target_id, outcome, details)
    values (j.tenant_id, null, 'jobs.parked-cancelled', 'job', j.id::text, 'success',
            jsonb_build_object(
              'job_id', j.id, 'job_kind', j.kind, 'queued_by', j.created_by, 'queued_at', j.created_at,
              'run_after', j.run_after, 'attempts', j.attempts, 'via', 'migration 20261201031900',
              'requeued_as', replacement,
              'reason', case
                when replacement is not null and j.run_after < j.deprovision_after then 'due before the grace period ends; the offboarding asked for is queued again'
                when replacement is not null then 'due later than the portal schedules it; the offboarding asked for is queued again'
                when j.kind = 'lifecycle.offboard' and j.tenant_status = 'deprovisioning' and j.run_after < j.deprovision_after then 'due before the grace period ends; the offboarding''s starter no longer exists, not queued again'
                when j.kind = 'lifecycle.offboard' and j.tenant_status = 'deprovisioning' then 'due later than the portal schedules it; the offboarding''s starter no longer exists, not queued again'
                else 'due later than the portal schedules it' end));
  end loop;
end
$$;

create function jobs_engine.pull_unfinished_earlier() returns trigger
  language plpgsql security definer
  set search_path = pg_catalog, pg_temp
  as $$
declare
  j public.jobs;
begin
  update public.jobs
     set run_after = new.run_after
   where tenant_id = new.tenant_id and kind = new.kind
     and status = 'queued' and attempts = 0 and run_after > new.run_after
     and run_after > pg_catalog.clock_timestamp()
  returning * into j;
  if found then
    perform jobs_engine.dispatch(j);
  end if;
  return new;
end
$$;

revoke all on function jobs_engine.pull_unfinished_earlier() from public;

create trigger jobs_pull_unfinished_earlier
  before insert on public.jobs
  for each row when (new.status in ('queued', 'running'))
  execute function jobs_engine.pull_unfinished_earlier();

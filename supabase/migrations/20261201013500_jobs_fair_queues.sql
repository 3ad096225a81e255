-- Fair scheduling between tenants on the job worker (issue 11, point 4).
--
-- Before: graphile-worker ran jobs oldest first. A tenant that queued a
-- thousand jobs (a burst of alert arrivals each queues a rule evaluation)
-- made every other tenant's next job wait for all of them.
--
-- Now every per-tenant job goes to graphile-worker with
--   queue_name  'tenant:<id>'  graphile-worker runs one job of a named queue
--                              at a time, across every worker: a tenant holds
--                              at most one worker slot, the others stay free
--                              for other tenants;
--   priority    the number of that tenant's jobs already waiting (graphile-
--               worker takes the lowest priority first, then the oldest): a
--               tenant's k-th waiting job ranks k, so the next job of a tenant
--               with an empty queue goes ahead of a backlog, and backlogs of
--               several tenants are served round-robin.
-- Jobs without a tenant (mail delivery, the crontab's tasks) keep priority 0
-- and no queue. docs/jobs.md, "Fairness between tenants".
--
-- The waiting count is read from graphile-worker's own table through an
-- index lib/jobs/install.ts adds (portal_waiting_by_queue); graphile-worker's
-- schema is installed after these migrations, so the functions check for it.

create function jobs_engine.tenant_queue(tenant uuid) returns text
  language sql immutable
  set search_path = pg_catalog
  as $$ select 'tenant:' || tenant::text $$;

-- Jobs of the tenant's queue not yet taken by a worker (0 without the queue).
create function jobs_engine.waiting_in(queue text) returns integer
  language plpgsql stable security definer
  set search_path = pg_catalog
  as $$
declare
  n integer;
begin
  if to_regclass('graphile_worker._private_jobs') is null then
    return 0;
  end if;
  execute 'select count(*)::int from graphile_worker._private_jobs j
             join graphile_worker._private_job_queues q on q.id = j.job_queue_id
            where q.queue_name = $1 and j.locked_at is null'
     into n using queue;
  -- graphile-worker's priority is a smallint.
  return least(n, 32000);
end
$$;

create or replace function jobs_engine.dispatch(j public.jobs) returns void
  language plpgsql security definer
  set search_path = pg_catalog
  as $$
declare
  queue text := jobs_engine.tenant_queue(j.tenant_id);
begin
  if to_regprocedure('graphile_worker.add_job(text,json,text,timestamp with time zone,integer,text,integer,text[],text)') is null then
    return;
  end if;
  perform graphile_worker.add_job(
    identifier => j.kind,
    payload => json_build_object('tenant_id', j.tenant_id, 'job_id', j.id),
    queue_name => queue,
    run_at => greatest(j.run_after, now()),
    -- public.jobs counts attempts and decides when one is the last (lib/jobs);
    -- graphile-worker only needs room for retries, releases and crashes.
    max_attempts => 25,
    job_key => 'portal-job:' || j.tenant_id || ':' || j.id,
    priority => jobs_engine.waiting_in(queue),
    job_key_mode => 'replace');
end
$$;

create or replace function workflows.on_alerts_inserted() returns trigger
  language plpgsql security definer
  set search_path = pg_catalog
  as $$
begin
  if to_regprocedure('graphile_worker.add_job(text,json,text,timestamp with time zone,integer,text,integer,text[],text)') is null then
    return null;
  end if;
  -- One count per tenant in the statement, taken before any of its jobs is
  -- added (materialized), then each arrival ranks after the ones before it.
  perform count(x.added) from (
    with waiting as materialized (
      select d.tenant_id, jobs_engine.waiting_in(jobs_engine.tenant_queue(d.tenant_id)) as n
        from (select distinct tenant_id from inserted) d
    ), arrivals as materialized (
      select i.tenant_id, i.id, row_number() over (partition by i.tenant_id order by i.detected_at, i.id) as rank
        from inserted i
       where i.status = 'new'
         and i.detected_at > now() - interval '24 hours'
         and exists (
         select 1
           from public.tenants t
           join public.tenants p on p.path operator(extensions.@>) t.path
           join public.workflow_rules r on r.tenant_id = p.id and r.enabled
          where t.id = i.tenant_id)
    )
    select graphile_worker.add_job(
             identifier => 'workflows:evaluate',
             payload => json_build_object('tenantId', a.tenant_id, 'alertId', a.id),
             queue_name => jobs_engine.tenant_queue(a.tenant_id),
             max_attempts => 5,
             job_key => 'workflows:evaluate:' || a.id,
             priority => least(w.n + a.rank - 1, 32000)::int,
             job_key_mode => 'preserve_run_at') as added
      from arrivals a join waiting w on w.tenant_id = a.tenant_id
  ) x;
  return null;
end
$$;

revoke execute on function jobs_engine.tenant_queue(uuid) from public;
revoke execute on function jobs_engine.waiting_in(text) from public;

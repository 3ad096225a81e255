-- A queue's fairness priority counts only jobs that will still run (docs/jobs.md, "Fairness between tenants").
--
-- Before: jobs_engine.waiting_in counted every unlocked job of the queue, spent ones included
-- (attempts >= max_attempts). graphile-worker never runs nor deletes those: after an SMTP outage a
-- tenant's mail queue carried its failed messages in its priority for ever, and its next
-- invitation (a 15-minute code) ranked behind every other tenant's backlog.
--
-- Now: only jobs with attempts left count. (The delivery sweeps, lib/mail/stranded.ts and
-- lib/notify/stranded.ts, fail the rows of spent delivery jobs and delete those jobs after a week.)
create or replace function jobs_engine.waiting_in(queue text) returns integer
  language plpgsql stable security definer
  set search_path = pg_catalog, pg_temp
  as $$
declare
  n integer;
begin
  if to_regclass('graphile_worker._private_jobs') is null then
    return 0;
  end if;
  execute 'select count(*)::int from graphile_worker._private_jobs j
             join graphile_worker._private_job_queues q on q.id = j.job_queue_id
            where q.queue_name = $1 and j.locked_at is null and j.attempts < j.max_attempts'
     into n using queue;
  -- graphile-worker's priority is a smallint.
  return least(n, 32000);
end
$$;

-- Restores jobs_engine.waiting_in as migration 20261201013500_jobs_fair_queues.sql defined it.
create or replace function jobs_engine.waiting_in(queue text) returns integer
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

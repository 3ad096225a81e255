-- Rollback of 20261201013500_jobs_fair_queues: jobs go to graphile-worker
-- without a queue or a priority again (oldest first, whatever the tenant).
-- Jobs already queued keep their queue and priority until they run.
create or replace function jobs_engine.dispatch(j public.jobs) returns void
  language plpgsql security definer
  set search_path = pg_catalog
  as $$
begin
  if to_regprocedure('graphile_worker.add_job(text,json,text,timestamp with time zone,integer,text,integer,text[],text)') is null then
    return;
  end if;
  perform graphile_worker.add_job(
    identifier => j.kind,
    payload => json_build_object('tenant_id', j.tenant_id, 'job_id', j.id),
    run_at => greatest(j.run_after, now()),
    -- public.jobs counts attempts and decides when one is the last (lib/jobs);
    -- graphile-worker only needs room for retries, releases and crashes.
    max_attempts => 25,
    job_key => 'portal-job:' || j.tenant_id || ':' || j.id,
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
  perform graphile_worker.add_job(
            identifier => 'workflows:evaluate',
            payload => json_build_object('tenantId', i.tenant_id, 'alertId', i.id),
            max_attempts => 5,
            job_key => 'workflows:evaluate:' || i.id,
            job_key_mode => 'preserve_run_at')
     from inserted i
    where i.status = 'new'
      and i.detected_at > now() - interval '24 hours'
      and exists (
      select 1
        from public.tenants t
        join public.tenants a on a.path operator(extensions.@>) t.path
        join public.workflow_rules r on r.tenant_id = a.id and r.enabled
       where t.id = i.tenant_id);
  return null;
end
$$;

drop function if exists jobs_engine.waiting_in(text);
drop function if exists jobs_engine.tenant_queue(uuid);
drop index if exists graphile_worker.portal_waiting_by_queue;

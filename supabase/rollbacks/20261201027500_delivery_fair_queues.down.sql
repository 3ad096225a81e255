-- Rollback of 20261201027500_delivery_fair_queues: deliveries and mail go back
-- to graphile-worker with no queue and priority 0 (one tenant's burst can again
-- take every worker slot). Jobs already queued keep the queue they were given.
create or replace function workflows.dispatch_delivery(d public.notification_deliveries) returns void
  language plpgsql security definer
  set search_path = pg_catalog, pg_temp
  as $$
begin
  if to_regprocedure('graphile_worker.add_job(text,json,text,timestamp with time zone,integer,text,integer,text[],text)') is null then
    return;
  end if;
  perform graphile_worker.add_job(
    identifier => 'notify:deliver',
    payload => json_build_object('tenantId', d.tenant_id, 'id', d.id),
    max_attempts => d.max_attempts,
    job_key => 'notify:' || d.id,
    job_key_mode => 'replace');
end
$$;

create or replace function mail.dispatch(m mail.outbox) returns void
  language plpgsql security definer
  set search_path = pg_catalog, pg_temp
  as $$
begin
  if to_regprocedure('graphile_worker.add_job(text,json,text,timestamp with time zone,integer,text,integer,text[],text)') is null then
    return;
  end if;
  perform graphile_worker.add_job(
    identifier => 'mail:deliver',
    payload => json_build_object('id', m.id),
    max_attempts => m.max_attempts,
    job_key => 'mail:' || m.id,
    job_key_mode => 'replace');
end
$$;

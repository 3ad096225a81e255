-- Webhook and mail deliveries scheduled fairly between tenants (docs/jobs.md,
-- "Fairness between tenants").
--
-- Before: notify:deliver and mail:deliver reached graphile-worker with no
-- queue and priority 0, oldest first. A burst of deliveries of one tenant (a
-- rule notifying a webhook that hangs until its 10 s timeout, a flood of alert
-- mails) took every worker slot and made everyone's jobs wait behind it: other
-- tenants' deliveries, rule evaluations, reports.
--
-- Now, as jobs_engine.dispatch does for a tenant's jobs:
--   webhook delivery  queue 'notify:<channel id>': one delivery of an endpoint
--                     at a time (in the order they were queued), so a slow or
--                     dead endpoint holds one worker slot and no other
--                     endpoint's deliveries, of its tenant or another's;
--   mail              queue 'mail:<tenant id>' for a message about a tenant;
--                     none for one about no tenant (a password reset);
--   priority          the number already waiting in that queue (lowest runs
--                     first): the next delivery of a quiet endpoint or tenant
--                     goes ahead of a backlog, and backlogs are served in turn.
-- A failed attempt is retried later without holding its queue.

create or replace function workflows.dispatch_delivery(d public.notification_deliveries) returns void
  language plpgsql security definer
  set search_path = pg_catalog, pg_temp
  as $$
declare
  queue text := 'notify:' || d.channel_id::text;
begin
  if to_regprocedure('graphile_worker.add_job(text,json,text,timestamp with time zone,integer,text,integer,text[],text)') is null then
    return;
  end if;
  perform graphile_worker.add_job(
    identifier => 'notify:deliver',
    payload => json_build_object('tenantId', d.tenant_id, 'id', d.id),
    queue_name => queue,
    max_attempts => d.max_attempts,
    job_key => 'notify:' || d.id,
    priority => jobs_engine.waiting_in(queue),
    job_key_mode => 'replace');
end
$$;

create or replace function mail.dispatch(m mail.outbox) returns void
  language plpgsql security definer
  set search_path = pg_catalog, pg_temp
  as $$
declare
  queue text := case when m.tenant_id is null then null else 'mail:' || m.tenant_id::text end;
begin
  if to_regprocedure('graphile_worker.add_job(text,json,text,timestamp with time zone,integer,text,integer,text[],text)') is null then
    return;
  end if;
  perform graphile_worker.add_job(
    identifier => 'mail:deliver',
    payload => json_build_object('id', m.id),
    queue_name => queue,
    max_attempts => m.max_attempts,
    job_key => 'mail:' || m.id,
    priority => case when queue is null then 0 else jobs_engine.waiting_in(queue) end,
    job_key_mode => 'replace');
end
$$;

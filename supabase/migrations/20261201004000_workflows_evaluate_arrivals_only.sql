-- Routing rules act on alerts that ARRIVE, not on alerts that come back.
--
-- Why: 20261201003000 queued an evaluation for every inserted alert. A
-- restored archive, a legacy import or a bulk load re-inserts alerts that
-- were triaged long ago (acknowledged, resolved, days old): evaluating them
-- would reassign them and notify channels about history. An arrival is an
-- alert inserted as 'new' and detected within the last 24 hours; the rest is
-- left alone (docs/workflows.md).
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

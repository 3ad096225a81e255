-- The outbox's and the reports' "hand over what waited" touch only rows without a job (docs/jobs.md).
--
-- Why: mail.dispatch_pending() and reports.dispatch_pending() re-added a graphile-worker job for every
-- queued row, in job_key_mode 'replace'. They are meant for rows queued before graphile-worker's schema
-- existed; once the migration runner calls them at each install (lib/jobs/install.ts), 'replace' would
-- also reset every waiting job's attempts and run time: a message backing off after SMTP failures would
-- be retried at once, with its attempts counted from zero, at every deploy.
--
-- How: both skip a row whose job (job key mail:<id> / reports:<id>) exists.
create or replace function mail.dispatch_pending() returns integer
  language plpgsql security definer
  set search_path = pg_catalog, pg_temp
  as $$
declare
  m mail.outbox;
  n integer := 0;
begin
  if to_regclass('graphile_worker._private_jobs') is null then
    return 0;
  end if;
  for m in select o.* from mail.outbox o
            where o.status = 'queued'
              and not exists (select 1 from graphile_worker._private_jobs j where j.key = 'mail:' || o.id::text) loop
    perform mail.dispatch(m);
    n := n + 1;
  end loop;
  return n;
end
$$;

create or replace function reports.dispatch_pending() returns integer
  language plpgsql security definer
  set search_path = pg_catalog, pg_temp
  as $$
declare
  r record;
  n integer := 0;
begin
  if to_regclass('graphile_worker._private_jobs') is null then
    return 0;
  end if;
  for r in select p.tenant_id, p.id from public.reports p
            where p.status = 'queued'
              and not exists (select 1 from graphile_worker._private_jobs j where j.key = 'reports:' || p.id::text) loop
    perform reports.dispatch(r.tenant_id, r.id);
    n := n + 1;
  end loop;
  return n;
end
$$;

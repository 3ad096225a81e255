-- Rollback of 20261201028800_dispatch_pending_only_jobless: both hand over every queued row again.
create or replace function mail.dispatch_pending() returns integer
  language plpgsql security definer
  set search_path = pg_catalog, pg_temp
  as $$
declare
  m mail.outbox;
  n integer := 0;
begin
  for m in select * from mail.outbox where status = 'queued' loop
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
  for r in select tenant_id, id from public.reports where status = 'queued' loop
    perform reports.dispatch(r.tenant_id, r.id);
    n := n + 1;
  end loop;
  return n;
end
$$;

-- Rollback of 20261201027300_search_path_pg_temp_last: the pinned search paths without pg_temp again
-- ('pg_catalog, pg_temp' back to '', any other list without its trailing pg_temp). This reopens the
-- hole that migration closes (a temporary type shadowing pg_catalog's inside the helpers).
do $$
declare
  f record;
begin
  for f in
    select p.oid::regprocedure::text as signature, p.prokind,
           (select substr(s, length('search_path=') + 1) from unnest(p.proconfig) s where s like 'search\_path=%') as path
      from pg_proc p
      join pg_namespace ns on ns.oid = p.pronamespace
     where ns.nspname not in ('pg_catalog', 'information_schema') and ns.nspname not like 'pg\_%'
       and not exists (select 1 from pg_depend d where d.classid = 'pg_proc'::regclass and d.objid = p.oid and d.deptype = 'e')
       and exists (select 1 from unnest(p.proconfig) s where s like 'search\_path=%')
  loop
    if f.path = 'pg_catalog, pg_temp' then
      execute format('alter %s %s set search_path = %L', case f.prokind when 'p' then 'procedure' else 'function' end, f.signature, '');
    elsif f.path like '%, pg\_temp' then
      execute format('alter %s %s set search_path = %s', case f.prokind when 'p' then 'procedure' else 'function' end, f.signature,
                     left(f.path, length(f.path) - length(', pg_temp')));
    end if;
  end loop;
end
$$;

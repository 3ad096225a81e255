-- Four more SECURITY DEFINER helpers that pages and policies call on every
-- request, from LANGUAGE sql to LANGUAGE plpgsql with the same query, so
-- Postgres keeps their plans (issue 13, point 7).
--
-- Why: as in 20261201013000, a SECURITY DEFINER function with SET search_path
-- is never inlined, and a non-inlined SQL function is planned again at every
-- call. These were left in SQL:
--   workflows.groups_for(uuid)      the alert list's and alert page's group picker
--   workflows.rules_for(uuid)       the workflows page and the rule engine
--   usage.readable_tenant_ids()     the usage tables' read policies (every statement)
--   analytics.sla_targets(uuid[])   the dashboards' SLA figures
-- Measured on the demo data (a loop of 500 calls, server side):
-- workflows.groups_for 0.35-0.38 ms per call in SQL, 0.04 ms in PL/pgSQL. In
-- the load bench's per-page statements (pg_stat_statements) it was the third
-- most expensive statement of the signed-in alert page (0.52 ms).
--
-- Mechanically the same wrapper as 20261201013000: the same signature,
-- attributes, owner and grants (CREATE OR REPLACE keeps them); the body becomes
--   #variable_conflict use_column
--   begin return query <the SQL body, verbatim>; end
-- read from the catalog. The rollback unwraps the verbatim body back to SQL.
-- tests/policy-helpers.test.ts keeps them in PL/pgSQL.

create function pg_temp.wrap_page_helper_in_plpgsql(f regprocedure) returns void
  language plpgsql
  as $$
declare
  def   text := pg_get_functiondef(f);
  src   text;
  set_r boolean;
  head  text;
  body  text;
begin
  select p.prosrc, p.proretset into src, set_r from pg_proc p where p.oid = f;
  if def !~ E'\n LANGUAGE sql\n' then
    raise exception '% is not LANGUAGE sql', f;
  end if;
  head := replace(split_part(def, 'AS $function$', 1), E'\n LANGUAGE sql\n', E'\n LANGUAGE plpgsql\n');
  body := E'#variable_conflict use_column\nbegin\n'
       || case when set_r then E'return query -- the SQL body, verbatim:\n' else E'return ( -- the SQL body, verbatim:\n' end
       || src
       || case when set_r then E'\n;\nend' else E'\n);\nend' end;
  execute head || 'AS $wrapped$' || body || '$wrapped$';
end
$$;

select pg_temp.wrap_page_helper_in_plpgsql(f::regprocedure)
  from unnest(array[
    'workflows.groups_for(uuid)',
    'workflows.rules_for(uuid)',
    'usage.readable_tenant_ids()',
    'analytics.sla_targets(uuid[])'
  ]) as f;

drop function pg_temp.wrap_page_helper_in_plpgsql(regprocedure);

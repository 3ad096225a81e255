-- Rollback of 20261201026400: the four helpers back to LANGUAGE sql with their
-- original bodies (kept verbatim inside the PL/pgSQL wrapper).
create function pg_temp.unwrap_page_helper_to_sql(f regprocedure) returns void
  language plpgsql
  as $$
declare
  def    text := pg_get_functiondef(f);
  src    text;
  set_r  boolean;
  prefix text;
  suffix text;
  head   text;
begin
  select p.prosrc, p.proretset into src, set_r from pg_proc p where p.oid = f;
  prefix := E'#variable_conflict use_column\nbegin\n'
         || case when set_r then E'return query -- the SQL body, verbatim:\n' else E'return ( -- the SQL body, verbatim:\n' end;
  suffix := case when set_r then E'\n;\nend' else E'\n);\nend' end;
  if left(src, length(prefix)) <> prefix or right(src, length(suffix)) <> suffix then
    raise exception '% was not wrapped by 20261201026400', f;
  end if;
  src := substr(src, length(prefix) + 1, length(src) - length(prefix) - length(suffix));
  head := replace(split_part(def, 'AS $function$', 1), E'\n LANGUAGE plpgsql\n', E'\n LANGUAGE sql\n');
  execute head || 'AS $unwrapped$' || src || '$unwrapped$';
end
$$;

select pg_temp.unwrap_page_helper_to_sql(f::regprocedure)
  from unnest(array[
    'workflows.groups_for(uuid)',
    'workflows.rules_for(uuid)',
    'usage.readable_tenant_ids()',
    'analytics.sla_targets(uuid[])'
  ]) as f;

drop function pg_temp.unwrap_page_helper_to_sql(regprocedure);

-- The helpers that RLS policies and pages call on every request, rewritten
-- from LANGUAGE sql to LANGUAGE plpgsql with the same query, so Postgres
-- keeps their plans.
--
-- Why: a SECURITY DEFINER function with SET search_path is never inlined, and
-- a non-inlined SQL function is planned again at every call. Measured on the
-- bench data (~1,600 tenants): tenancy.visible_tenant_ids() spent ~1.3 ms
-- planning and ~0.4 ms running for a customer admin; PL/pgSQL caches the plan
-- per connection, and pooled connections are long-lived, so from the second
-- call on only the run remains (0.3 ms vs 0.9-1 ms per call). Every policy that
-- calls a helper paid the planning once per statement (FIELD-NOTES: "the
-- visibility helper ~1.3 ms per table that carries the policy").
--
-- Mechanically, for each function: the same signature, attributes, owner and
-- grants (CREATE OR REPLACE keeps them); the body becomes
--   #variable_conflict use_column   -- OUT columns named like table columns
--   begin return query <the SQL body, verbatim>; end       (set-returning)
--   begin return (<the SQL body, verbatim>); end           (scalar)
-- Done from the catalog, so it wraps whatever the latest migration defined
-- (the API keys migration redefined the tenancy helpers). The rollback
-- unwraps the verbatim body back to LANGUAGE sql.
-- tests/policy-helpers.test.ts keeps these helpers in PL/pgSQL: a later
-- migration that redefines one must keep the language (docs/migrations.md).

create function pg_temp.wrap_in_plpgsql(f regprocedure) returns void
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

select pg_temp.wrap_in_plpgsql(f::regprocedure)
  from unnest(array[
    'tenancy.visible_tenant_ids()',
    'tenancy.tenant_ids_with_role(text[])',
    'tenancy.frozen_tenant_ids()',
    'tenancy.caller_admin_rank_on(uuid)',
    'settings.effective(uuid[])',
    'settings.resolve(uuid[])',
    'settings.value_of(uuid, text)',
    'sessions.mfa_required(uuid)',
    'triage.is_assignable(uuid, uuid)'
  ]) as f;

-- Rollback of 20261201023600_visible_tenants_once_per_transaction: the two
-- helpers compute their answer at every call again (the PL/pgSQL wrapper of
-- 20261201013000, the SQL body verbatim), and the memo's triggers and
-- functions go.
create function pg_temp.unmemoize(f regprocedure) returns void
  language plpgsql
  as $$
declare
  def  text := pg_get_functiondef(f);
  src  text;
  sql_body text;
  open_marker constant text := E'ids := array( -- the SQL body, verbatim:\n';
  close_marker constant text := E'\n  );\n  perform set_config(';
begin
  select p.prosrc into src from pg_proc p where p.oid = f;
  if position(open_marker in src) = 0 or position(close_marker in src) = 0 then
    raise exception '% is not memoized by 20261201023600', f;
  end if;
  sql_body := substring(src from position(open_marker in src) + length(open_marker));
  sql_body := left(sql_body, position(close_marker in sql_body) - 1);
  execute split_part(def, 'AS $', 1) || 'AS $wrapped$'
    || E'#variable_conflict use_column\nbegin\nreturn query -- the SQL body, verbatim:\n'
    || sql_body || E'\n;\nend' || '$wrapped$';
end
$$;
select pg_temp.unmemoize('tenancy.visible_tenant_ids()');
select pg_temp.unmemoize('tenancy.tenant_ids_with_role(text[])');

drop trigger if exists api_keys_forget_visible_memo on public.api_keys;
drop trigger if exists tenants_forget_visible_memo on public.tenants;
drop trigger if exists memberships_forget_visible_memo on public.memberships;
drop function if exists tenancy.forget_visible_memo();
drop function if exists tenancy.memo_key(text);

-- Rollback of 20261130000500_grants_and_immutable_tenant: the tenant_id
-- guards go. The grants stay as they are: they are exactly what the earlier
-- migrations meant (on plain Postgres nothing changed), and handing back what
-- Supabase's default privileges had granted (ALL, TRUNCATE included, to anon)
-- would reopen the hole rather than undo a feature.
do $$
declare r record;
begin
  for r in
    select t.tgrelid::regclass as tbl
      from pg_trigger t
     where t.tgname = 'tenant_id_immutable' and t.tgparentid = 0
       and t.tgfoid = 'tenancy.refuse_tenant_id_change()'::regprocedure
  loop
    execute format('drop trigger tenant_id_immutable on %s', r.tbl);
  end loop;
end $$;
drop function if exists tenancy.add_tenant_id_guard(regclass, text);
drop function if exists tenancy.refuse_tenant_id_change();

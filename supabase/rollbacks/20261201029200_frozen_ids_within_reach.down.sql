-- Back to the body 20261201013000 wrapped (every frozen tenant, whoever asks), byte for byte: that
-- migration's own rollback unwraps it.
create or replace function tenancy.frozen_tenant_ids() returns setof uuid
  language plpgsql stable security definer
  set search_path = pg_catalog, pg_temp
  as $wrapped$#variable_conflict use_column
begin
return query -- the SQL body, verbatim:

    select t.id
      from public.tenants s
      join public.tenants t on t.path operator(extensions.<@) s.path
     where s.status <> 'active'
  
;
end$wrapped$;

create or replace function jobs_engine.tenant_is_frozen(tenant uuid) returns boolean
  language sql stable security definer
  set search_path = pg_catalog, pg_temp
  as $$ select tenant = any (array(select tenancy.frozen_tenant_ids())) $$;

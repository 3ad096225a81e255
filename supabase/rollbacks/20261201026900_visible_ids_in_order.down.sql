-- Rollback of 20261201026900_visible_ids_in_order: tenants_within as migration 20261201026000 made it.
create or replace function tenancy.tenants_within(roots extensions.ltree[], scope extensions.ltree[]) returns uuid[]
  language plpgsql stable security definer
  set search_path = ''
  as $$
begin
  return array(
    select distinct t.id
      from unnest(scope) s(path)
      join public.tenants t on t.path operator(extensions.<@) s.path
     where t.path operator(extensions.<@) roots);
end
$$;

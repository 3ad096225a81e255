-- Rollback of 20261201027000_policy_arrays: every policy reads its tenant set through
-- array(select <set-returning helper>) again, and the array helpers go.
do $$
declare
  p record;
  qual text;
  chk text;
  stmt text;
begin
  for p in
    select pol.polname, n.nspname, c.relname,
           pg_get_expr(pol.polqual, pol.polrelid) as qual,
           pg_get_expr(pol.polwithcheck, pol.polrelid) as chk
      from pg_policy pol
      join pg_class c on c.oid = pol.polrelid
      join pg_namespace n on n.oid = c.relnamespace
     where coalesce(pg_get_expr(pol.polqual, pol.polrelid), '') || coalesce(pg_get_expr(pol.polwithcheck, pol.polrelid), '')
           ~ '(tenancy\.visible_ids|tenancy\.ids_with_role|usage\.readable_ids)\('
  loop
    qual := regexp_replace(p.qual,
      '\( SELECT tenancy\.visible_ids\(\) AS visible_ids\)::uuid\[\]',
      'ARRAY( SELECT tenancy.visible_tenant_ids() AS visible_tenant_ids)', 'g');
    qual := regexp_replace(qual,
      '\( SELECT tenancy\.ids_with_role\(([^()]*)\) AS ids_with_role\)::uuid\[\]',
      'ARRAY( SELECT tenancy.tenant_ids_with_role(\1) AS tenant_ids_with_role)', 'g');
    qual := regexp_replace(qual,
      '\( SELECT usage\.readable_ids\(\) AS readable_ids\)::uuid\[\]',
      'ARRAY( SELECT usage.readable_tenant_ids() AS readable_tenant_ids)', 'g');
    chk := regexp_replace(p.chk,
      '\( SELECT tenancy\.visible_ids\(\) AS visible_ids\)::uuid\[\]',
      'ARRAY( SELECT tenancy.visible_tenant_ids() AS visible_tenant_ids)', 'g');
    chk := regexp_replace(chk,
      '\( SELECT tenancy\.ids_with_role\(([^()]*)\) AS ids_with_role\)::uuid\[\]',
      'ARRAY( SELECT tenancy.tenant_ids_with_role(\1) AS tenant_ids_with_role)', 'g');
    chk := regexp_replace(chk,
      '\( SELECT usage\.readable_ids\(\) AS readable_ids\)::uuid\[\]',
      'ARRAY( SELECT usage.readable_tenant_ids() AS readable_tenant_ids)', 'g');
    stmt := format('alter policy %I on %I.%I', p.polname, p.nspname, p.relname);
    if qual is not null then stmt := stmt || format(' using (%s)', qual); end if;
    if chk is not null then stmt := stmt || format(' with check (%s)', chk); end if;
    execute stmt;
  end loop;
end
$$;
drop function usage.readable_ids();
drop function tenancy.visible_ids();
drop function tenancy.ids_with_role(text[]);

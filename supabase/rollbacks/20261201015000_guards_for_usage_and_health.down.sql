-- Rollback of 20261201015000: the freeze policies and tenant_id guards come
-- off the usage and health tables. The sequences' grants are not given back:
-- on plain Postgres there were none, and re-granting Supabase's defaults
-- would re-open what the migration closed.
do $$
declare t text;
begin
  foreach t in array array['public.usage_events', 'public.usage_rollups', 'public.tenant_health', 'public.tenant_health_transitions'] loop
    execute format('drop policy "Nothing is added to a suspended or offboarded tenant" on %s', t);
    execute format('drop policy "Nothing changes in a suspended or offboarded tenant" on %s', t);
    execute format('drop policy "Nothing is removed from a suspended or offboarded tenant" on %s', t);
  end loop;
  foreach t in array array['public.usage_events', 'public.usage_rollups', 'usage.api_request_counts', 'public.tenant_health', 'public.tenant_health_transitions'] loop
    execute format('drop trigger tenant_id_immutable on %s', t);
  end loop;
end
$$;

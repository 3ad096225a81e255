-- Rollback of 20261201029410_setting_integer_bounds: whole-number settings take any JSON value again,
-- and analytics.sla_targets is back to the body 20261201026400 wrapped, byte for byte (it casts a
-- stored value blindly and does not keep the time to resolve at least the time to acknowledge).
create or replace function analytics.sla_targets(p_tenants uuid[])
  returns table (tenant_id uuid, severity text, ack_minutes integer, resolve_minutes integer)
  language plpgsql stable security definer
  set search_path = pg_catalog, pg_temp
  as $wrapped$#variable_conflict use_column
begin
return query -- the SQL body, verbatim:

    with d(severity, ack, res) as (
      values ('critical', 15, 240), ('high', 60, 1440), ('medium', 240, 4320), ('low', 1440, 10080)
    ), s as (
      select r.tenant_id, r.key, r.value from settings.resolve(p_tenants) r
       where r.key like 'sla.%'
    )
    select t, d.severity,
           coalesce((select (s.value #>> '{}')::integer from s where s.tenant_id = t and s.key = 'sla.' || d.severity || '.ack_minutes'), d.ack),
           coalesce((select (s.value #>> '{}')::integer from s where s.tenant_id = t and s.key = 'sla.' || d.severity || '.resolve_minutes'), d.res)
      from unnest(p_tenants) t cross join d
  
;
end$wrapped$;

drop trigger tenant_settings_4_bounds on public.tenant_settings;
drop function settings.refuse_out_of_bounds();
drop function settings.whole_number_within(jsonb, integer, integer);
drop table settings.integer_settings;

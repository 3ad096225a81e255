-- Rollback of 20261201024100_policy_helpers_plpgsql: the SQL bodies of
-- 20261201023800 (memo_key), 20261123000100 (active_tenant_id) and
-- 20261201010000 (api_key_id) again.
create or replace function tenancy.memo_key(extra text) returns text
  language sql stable
  set search_path = ''
  as $$
    select case
      when coalesce(nullif(current_setting('request.jwt.claims', true), ''), '{}')::jsonb ? 'api_key' then null
      else coalesce(current_setting('tenancy.memo_generation', true), '') || '|' || extra || '|'
        || coalesce(current_setting('request.jwt.claim.sub', true), '') || '|'
        || coalesce(current_setting('request.jwt.claim', true), '') || '|'
        || coalesce(current_setting('request.jwt.claims', true), '')
    end
  $$;

create or replace function tenancy.active_tenant_id() returns uuid
  language sql stable
  set search_path = ''
  as $$
    select nullif((select auth.jwt()) ->> 'tenant_id', '')::uuid
  $$;

create or replace function tenancy.api_key_id() returns uuid
  language sql stable
  set search_path = ''
  as $$
    select case when (select auth.jwt()) -> 'api_key' ->> 'id' = (select auth.uid())::text
                then (select auth.uid()) end
  $$;

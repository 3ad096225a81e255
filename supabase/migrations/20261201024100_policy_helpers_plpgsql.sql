-- The small helpers every policy reaches on each statement, in PL/pgSQL
-- (issue 13, point 7: each query through RLS within 1.15x of the owner's).
--
-- Why: a SQL-language function that carries `set search_path` (as every
-- helper here must, for the linter and for safety) cannot be inlined, and
-- Postgres plans its body again at every call. Measured on the development
-- machine, server side (a loop of 5,000 calls): tenancy.memo_key 130 us per
-- call, tenancy.active_tenant_id 170 us; the same bodies in PL/pgSQL, whose
-- plans are kept for the session, about 20 us. memo_key runs in every
-- statement's InitPlan (tenancy.visible_tenant_ids and
-- tenancy.tenant_ids_with_role answer from the transaction's memo only after
-- comparing its key), so a small tenant's one-statement query paid ~0.1 ms
-- more through RLS than as owner for it alone.
--
-- What: the same expressions, the same signatures, attributes, owner and
-- grants (CREATE OR REPLACE keeps them); only the language changes. The
-- rollback puts the SQL bodies back.

create or replace function tenancy.memo_key(extra text) returns text
  language plpgsql stable
  set search_path = ''
  as $$
begin
  -- An API key's set is computed at every statement (20261201023800): no key, no memo.
  if coalesce(nullif(current_setting('request.jwt.claims', true), ''), '{}')::jsonb ? 'api_key' then
    return null;
  end if;
  return coalesce(current_setting('tenancy.memo_generation', true), '') || '|' || extra || '|'
      || coalesce(current_setting('request.jwt.claim.sub', true), '') || '|'
      || coalesce(current_setting('request.jwt.claim', true), '') || '|'
      || coalesce(current_setting('request.jwt.claims', true), '');
end
$$;

create or replace function tenancy.active_tenant_id() returns uuid
  language plpgsql stable
  set search_path = ''
  as $$
begin
  return nullif(auth.jwt() ->> 'tenant_id', '')::uuid;
end
$$;

create or replace function tenancy.api_key_id() returns uuid
  language plpgsql stable
  set search_path = ''
  as $$
declare
  uid uuid := auth.uid();
begin
  return case when auth.jwt() -> 'api_key' ->> 'id' = uid::text then uid end;
end
$$;

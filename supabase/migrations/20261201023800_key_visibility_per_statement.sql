-- An API key's visible tenants are computed at every statement again, as
-- before 20261201023600; a person's stay memoised for the transaction.
--
-- Why: revoking a key is the answer to a leaked key, and it must cut off a
-- transaction that already holds the key's claims at its next statement
-- (tests/api-keys.test.ts: "revoked while a transaction holds the key's
-- claims"). The memo of 20261201023600 forgets its answer only on writes in
-- its own transaction, so a revocation committed by another transaction was
-- not seen until the next one. A key's set is one subtree read by the key's
-- id: cheap to compute each time. (For people the memo keeps its trade: a
-- membership removed or a tenant suspended by someone else counts from the
-- person's next transaction, i.e. the next request.)
--
-- How: tenancy.memo_key answers null for claims that carry an api_key, and a
-- null key never equals the stored one, so the helper computes anew.
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
revoke all on function tenancy.memo_key(text) from public, anon, authenticated, service_role, portal_app;

-- Back to 20261201023600's key: API keys memoised like people.
create or replace function tenancy.memo_key(extra text) returns text
  language sql stable
  set search_path = ''
  as $$
    select coalesce(current_setting('tenancy.memo_generation', true), '') || '|' || extra || '|'
        || coalesce(current_setting('request.jwt.claim.sub', true), '') || '|'
        || coalesce(current_setting('request.jwt.claim', true), '') || '|'
        || coalesce(current_setting('request.jwt.claims', true), '')
  $$;
revoke all on function tenancy.memo_key(text) from public, anon, authenticated, service_role, portal_app;

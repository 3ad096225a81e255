-- Rollback of 20261201026500_memo_key_text_check: memo_key parses the claims as JSON again (20261201024100's body).

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

-- The caller's visible tenant set, and each role-filtered set, computed once
-- per transaction instead of once per statement (issue 13, point 7).
--
-- Why: every policy calls tenancy.visible_tenant_ids() or
-- tenancy.tenant_ids_with_role(roles) as an InitPlan, once per statement and
-- table. A page sends 10-40 statements under RLS, so a customer admin paid
-- ~0.3 ms and an MSSP operator over ~1,600 tenants several ms per statement
-- for the same answer (npm run bench: "Policy helper cost per call").
--
-- How: each helper keeps its answer in two transaction-local settings
-- (set_config(..., true): gone at COMMIT or ROLLBACK, so a pooled connection
-- never carries it into the next transaction) with the key it was computed
-- for: the caller's claims exactly as auth.uid()/auth.jwt() read them, the
-- roles asked, and a generation counter. It answers from the memo only when
-- the key is the same; a transaction that switches claims (tests do) gets a
-- fresh answer. Any write to what the answer depends on (memberships,
-- tenants: tree and status, api_keys) in this transaction bumps the
-- generation by statement trigger, so a membership added or a tenant
-- suspended is seen by the next statement, as before.
--
-- Trust: the memo is a setting like request.jwt.claims itself; whoever can
-- run set_config in the transaction could already set any claims. Nothing
-- that cannot set the claims can set the memo (PostgREST exposes neither).
--
-- Mechanically, from the catalog (as 20261201013000 did): the body of each
-- helper, `return query <SQL>`, becomes `ids := array(<SQL>)` between the
-- memo check and the memo store; the same signature, attributes, owner and
-- grants (CREATE OR REPLACE keeps them), still PL/pgSQL. The rollback puts the
-- SQL back as the whole body.

-- The key of the caller as the claims settings say, and the generation.
create function tenancy.memo_key(extra text) returns text
  language sql stable
  set search_path = ''
  as $$
    select coalesce(current_setting('tenancy.memo_generation', true), '') || '|' || extra || '|'
        || coalesce(current_setting('request.jwt.claim.sub', true), '') || '|'
        || coalesce(current_setting('request.jwt.claim', true), '') || '|'
        || coalesce(current_setting('request.jwt.claims', true), '')
  $$;
revoke all on function tenancy.memo_key(text) from public, anon, authenticated, service_role, portal_app;

-- Statement trigger: this transaction's memos are stale from here on.
create function tenancy.forget_visible_memo() returns trigger
  language plpgsql
  set search_path = ''
  as $$
begin
  perform set_config('tenancy.memo_generation',
                     (coalesce(nullif(current_setting('tenancy.memo_generation', true), ''), '0')::bigint + 1)::text, true);
  return null;
end
$$;
revoke all on function tenancy.forget_visible_memo() from public, anon, authenticated, service_role, portal_app;

create trigger memberships_forget_visible_memo after insert or update or delete or truncate on public.memberships
  for each statement execute function tenancy.forget_visible_memo();
create trigger tenants_forget_visible_memo after insert or update or delete or truncate on public.tenants
  for each statement execute function tenancy.forget_visible_memo();
create trigger api_keys_forget_visible_memo after insert or update or delete or truncate on public.api_keys
  for each statement execute function tenancy.forget_visible_memo();

create function pg_temp.memoize(f regprocedure, memo_name text, key_expr text) returns void
  language plpgsql
  as $$
declare
  def  text := pg_get_functiondef(f);
  src  text;
  sql_body text;
  head text;
  marker constant text := E'return query -- the SQL body, verbatim:\n';
begin
  select p.prosrc into src from pg_proc p where p.oid = f;
  if position(marker in src) = 0 or src !~ E'\n;\nend$' then
    raise exception '% is not the PL/pgSQL wrapper of 20261201013000', f;
  end if;
  sql_body := substring(src from position(marker in src) + length(marker));
  sql_body := left(sql_body, length(sql_body) - length(E'\n;\nend'));
  head := split_part(def, 'AS $', 1);
  execute head || 'AS $memo$'
    || E'#variable_conflict use_column\n'
    || E'declare\n  memo_key text := tenancy.memo_key(' || key_expr || E');\n  ids uuid[];\n'
    || E'begin\n'
    || format(E'  if current_setting(%L, true) = memo_key then\n', 'tenancy.' || memo_name || '_key')
    || format(E'    return query select unnest(current_setting(%L)::uuid[]);\n    return;\n  end if;\n', 'tenancy.' || memo_name || '_ids')
    || E'  ids := array( -- the SQL body, verbatim:\n' || sql_body || E'\n  );\n'
    || format(E'  perform set_config(%L, ids::text, true), set_config(%L, memo_key, true);\n', 'tenancy.' || memo_name || '_ids', 'tenancy.' || memo_name || '_key')
    || E'  return query select unnest(ids);\nend'
    || '$memo$';
end
$$;

select pg_temp.memoize('tenancy.visible_tenant_ids()', 'visible', quote_literal('visible'));
-- One memo per role set asked: the setting's name carries the roles' hash.
create function pg_temp.memoize_roles() returns void
  language plpgsql
  as $$
declare
  f regprocedure := 'tenancy.tenant_ids_with_role(text[])';
  def  text := pg_get_functiondef(f);
  src  text;
  sql_body text;
  head text;
  marker constant text := E'return query -- the SQL body, verbatim:\n';
begin
  select p.prosrc into src from pg_proc p where p.oid = f;
  if position(marker in src) = 0 or src !~ E'\n;\nend$' then
    raise exception '% is not the PL/pgSQL wrapper of 20261201013000', f;
  end if;
  sql_body := substring(src from position(marker in src) + length(marker));
  sql_body := left(sql_body, length(sql_body) - length(E'\n;\nend'));
  head := split_part(def, 'AS $', 1);
  execute head || 'AS $memo$'
    || E'#variable_conflict use_column\n'
    || E'declare\n  memo_key text := tenancy.memo_key(roles::text);\n'
    || E'  memo_name text := ''tenancy.roles_'' || md5(roles::text);\n  ids uuid[];\n'
    || E'begin\n'
    || E'  if current_setting(memo_name || ''_key'', true) = memo_key then\n'
    || E'    return query select unnest(current_setting(memo_name || ''_ids'')::uuid[]);\n    return;\n  end if;\n'
    || E'  ids := array( -- the SQL body, verbatim:\n' || sql_body || E'\n  );\n'
    || E'  perform set_config(memo_name || ''_ids'', ids::text, true), set_config(memo_name || ''_key'', memo_key, true);\n'
    || E'  return query select unnest(ids);\nend'
    || '$memo$';
end
$$;
select pg_temp.memoize_roles();

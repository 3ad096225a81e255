-- Every function that pins its search_path now names pg_temp, last (a security fix).
--
-- Why: a session's temporary schema is searched for relation and TYPE names before pg_catalog unless
-- the search_path names it (PostgreSQL's "Writing SECURITY DEFINER Functions Safely"). Our functions
-- pinned `search_path = ''`, so a type written `uuid` or `text` in a helper's declarations resolved
-- to pg_temp.uuid first when the session had one. Any role with TEMP on the database (PUBLIC has it
-- by default) running SQL as `authenticated` could create `pg_temp.uuid` as a domain whose CHECK calls
-- its own function, then ask tenancy.visible_ids() (or read any table through a policy): the CHECK ran
-- as the helpers' owner, postgres (tests/search-path-temp.test.ts planted it and saw "ran as postgres").
-- The claims are already trusted to whoever can run SQL in the transaction; the owner's rights are not.
--
-- How: from the catalog, every function and procedure outside the extensions' that pins a search_path
-- not naming pg_temp gets pg_temp appended: '' becomes 'pg_catalog, pg_temp' (pg_catalog is searched
-- first either way; now written), any other list keeps its schemas and ends with pg_temp. Functions
-- that pin no search_path (graphile-worker's, installed by the worker) are left alone. Functions made
-- after this migration must write `set search_path = pg_catalog, pg_temp` (or end their list with
-- pg_temp): tests/catalog-guards.test.ts fails on any that does not.
do $$
declare
  f record;
  current_path text;
  n integer := 0;
begin
  for f in
    select p.oid, p.oid::regprocedure::text as signature, p.prokind,
           (select substr(s, length('search_path=') + 1) from unnest(p.proconfig) s where s like 'search\_path=%') as path
      from pg_proc p
      join pg_namespace ns on ns.oid = p.pronamespace
     where ns.nspname not in ('pg_catalog', 'information_schema') and ns.nspname not like 'pg\_%'
       and not exists (select 1 from pg_depend d where d.classid = 'pg_proc'::regclass and d.objid = p.oid and d.deptype = 'e')
       and exists (select 1 from unnest(p.proconfig) s where s like 'search\_path=%')
  loop
    current_path := f.path;
    if current_path ~* '(^|[ ,"])pg_temp([ ,"]|$)' then
      continue;
    end if;
    execute format('alter %s %s set search_path = %s',
                   case f.prokind when 'p' then 'procedure' else 'function' end, f.signature,
                   case when current_path in ('""', '') then 'pg_catalog, pg_temp' else current_path || ', pg_temp' end);
    n := n + 1;
  end loop;
  raise notice 'search_path: pg_temp named last in % functions', n;
end
$$;

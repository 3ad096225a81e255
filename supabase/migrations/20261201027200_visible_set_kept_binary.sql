-- A large visible set is kept for the transaction as an array, not only as text (issue 13, point 7).
--
-- Why: every statement that reads a tenant table runs its policy's InitPlan once per table, and the
-- InitPlan answers from the transaction's memo (20261201023600, 20261201026300): the ids as text in a
-- transaction-local setting, parsed back with string_to_array(...)::uuid[]. A setting holds only text,
-- so an MSSP admin over 1,617 tenants paid 0.63-0.73 ms per statement and table to parse 1,617 uuids
-- (EXPLAIN ANALYZE on the scale seed), the same answer every time: most of what the console's
-- statements pay over the owner's (npm run bench, scenarios 5, 8, 10, 13, 15, 19).
--
-- How: when the opening computes a set of at least 200 ids, tenancy.keep_visible also writes it, as
-- uuid[], to a temporary table of the session (pg_temp.tenancy_visible, one live row) under the key it
-- was computed for joined with this transaction's id, and marks the transaction-local setting
-- tenancy.visible_kept with the key. visible_ids() and ids_with_role()'s usual path read the row
-- (about 21 us a call against 660: the stored array, no parsing) when the mark carries the memo's key, the table
-- is the one keep_visible made (tenancy.kept_visible) and a row has the key and this transaction's id;
-- otherwise they parse the text as before: a small set, a read-only transaction (no table is created
-- there), the statement that wrote the row (its snapshot does not see it yet). A row of an earlier
-- transaction never answers (another transaction id), a rolled-back savepoint takes its row back as
-- it takes the setting back, and nothing is read across transactions. The text memo stays what it
-- was: the key, the generation and the other helpers that copy it are unchanged.
--
-- Trust: the mark is a setting like the memo (20261201023600): whoever can set it could already set
-- the claims. The table is created by the helpers' owner (security definer), so no other role may read
-- or write it. A relation of that name made in the session by someone else first (a view whose
-- functions would run with the owner's rights) is never written, planned or read: keep_visible checks
-- its owner before writing, and kept_visible, the one reader, asks the catalog for its owner and kind
-- in a statement of its own before the read. New code names its types and operators from
-- pg_catalog: a session's temporary schema is searched first for relations and types.
--
-- Cost: the opening of an MSSP person's transaction writes the row (26 KB out of line; the
-- transaction takes an xid, with no WAL flush at commit, as only a temporary table was written); every
-- 64th write truncates the table instead (temporary tables are never vacuumed). A set under 200 ids, a
-- customer's or a site's, pays one setting read more.

create function tenancy.keep_visible(memo_key text, ids uuid[]) returns void
  language plpgsql volatile security definer
  set search_path = ''
  as $$
declare
  owner_oid pg_catalog.oid;
  writes pg_catalog.int4;
begin
  if memo_key is null or pg_catalog.cardinality(ids) < 200 then
    return;
  end if;
  select c.relowner into owner_oid from pg_catalog.pg_class c
   where c.relnamespace = pg_catalog.pg_my_temp_schema() and c.relname = 'tenancy_visible';
  if not found then
    -- CREATE is refused in a read-only transaction (a standby's included): the text memo serves.
    if current_setting('transaction_read_only') = 'on' then
      return;
    end if;
    create temporary table tenancy_visible (key pg_catalog.text not null, ids pg_catalog.uuid[] not null);
    -- Out of line without compression: pglz finds nothing to gain in random ids and cost 0.4 ms an insert.
    alter table pg_temp.tenancy_visible alter column ids set storage external;
  elsif owner_oid operator(pg_catalog.<>) current_user::pg_catalog.regrole::pg_catalog.oid then
    -- Someone else's relation of that name (made in the session before ours): never written or read.
    return;
  end if;
  -- One live row. A temporary table is never vacuumed, so every 64th write truncates it instead
  -- of leaving the dead rows' 26 KB behind; the rest delete (truncating at every commit, as
  -- ON COMMIT DELETE ROWS does, cost 0.6-0.7 ms a transaction).
  writes := coalesce(nullif(current_setting('tenancy.visible_kept_writes', true), ''), '0')::pg_catalog.int4 + 1;
  if writes >= 64 then
    begin
      truncate pg_temp.tenancy_visible;
      writes := 0;
    exception when object_in_use then
      delete from pg_temp.tenancy_visible;
    end;
  else
    delete from pg_temp.tenancy_visible;
  end if;
  perform set_config('tenancy.visible_kept_writes', writes::pg_catalog.text, false);
  -- The key names this transaction too: a row of an earlier one (same claims, same generation) can
  -- never answer, even to a statement whose snapshot predates this write.
  insert into pg_temp.tenancy_visible (key, ids)
    values (memo_key || '|' || pg_catalog.pg_current_xact_id()::pg_catalog.text, ids);
  perform set_config('tenancy.visible_kept', memo_key, true);
end
$$;
revoke all on function tenancy.keep_visible(text, uuid[]) from public, anon, authenticated, service_role, portal_app;

-- This transaction's kept array for memo_key, or null. Asked only when the mark carries the key.
-- First, in a statement of its own, whether pg_temp.tenancy_visible is the table keep_visible made:
-- the mark is only a setting, and a relation of that name made first by someone else (a view, say)
-- must never be planned, let alone read, with the helpers' owner's rights.
create function tenancy.kept_visible(memo_key text) returns uuid[]
  language plpgsql stable security definer
  set search_path = ''
  as $$
declare
  ids pg_catalog.uuid[];
begin
  perform from pg_catalog.pg_class c
   where c.relnamespace operator(pg_catalog.=) pg_catalog.pg_my_temp_schema()
     and c.relname operator(pg_catalog.=) 'tenancy_visible'
     and c.relkind operator(pg_catalog.=) 'r'
     and c.relowner operator(pg_catalog.=) current_user::pg_catalog.regrole::pg_catalog.oid;
  if not found then
    return null;
  end if;
  select k.ids into ids from pg_temp.tenancy_visible k
   where k.key operator(pg_catalog.=) (memo_key || '|' || pg_catalog.pg_current_xact_id_if_assigned()::pg_catalog.text);
  return ids;
end
$$;
revoke all on function tenancy.kept_visible(text) from public, anon, authenticated, service_role, portal_app;

create or replace function tenancy.visible_ids() returns uuid[]
  language plpgsql stable security definer
  set search_path = ''
  as $$
declare
  memo_key text := tenancy.memo_key('visible');
  p record;
  ids uuid[];
begin
  if current_setting('tenancy.visible_key', true) = memo_key then
    if current_setting('tenancy.visible_kept', true) = memo_key then
      ids := tenancy.kept_visible(memo_key);
      if ids is not null then
        return ids;
      end if;
    end if;
    return pg_catalog.string_to_array(current_setting('tenancy.visible_ids'), ',')::uuid[];
  end if;
  p := tenancy.caller_paths(null);
  ids := tenancy.tenants_within(p.roots, p.scope);
  perform set_config('tenancy.visible_ids', pg_catalog.array_to_string(ids, ','), true), set_config('tenancy.visible_key', memo_key, true);
  perform tenancy.keep_visible(memo_key, ids);
  return ids;
end
$$;

-- ids_with_role as 20261201027000 made it, but for its usual path reading the kept array as visible_ids() does.
create or replace function tenancy.ids_with_role(roles text[]) returns uuid[]
  language plpgsql stable security definer
  set search_path = ''
  as $$
declare
  -- caller_paths' key of this person's every-role paths (withTenant's opening keeps them, with each root's role).
  paths_key constant text := coalesce(current_setting('tenancy.memo_generation', true), '') || '|paths||'
      || coalesce(current_setting('request.jwt.claim.sub', true), '') || '|'
      || coalesce(current_setting('request.jwt.claim', true), '') || '|'
      || coalesce(current_setting('request.jwt.claims', true), '');
  root_roles text[];
  memo_key text;
  memo_name text;
  role_paths record;
  all_paths record;
  ids text;
  every_root_holds_a_role boolean;
  visible_key text;
  kept pg_catalog.uuid[];
begin
  -- The usual case, asked at every statement: a person every root of whom holds one of the roles (a
  -- customer's admin and an admin policy, an MSSP analyst and an analyst policy). The answer is the
  -- visible set: read from its memo, with no memo of its own to key, check or keep. The same answer
  -- the path below gives (and keeps), from the same memos, for these claims and this generation.
  -- And a person none of whose roots holds one of the roles (a customer's people and an MSSP-only
  -- policy): no root, no tenant. The path below would filter the kept roots by role to none.
  if current_setting('tenancy.visible_paths_key', true) = paths_key and pg_catalog.strpos(paths_key, '"api_key"') = 0 then
    root_roles := current_setting('tenancy.visible_root_roles')::text[];
    if root_roles operator(pg_catalog.<@) roles then
      visible_key := tenancy.memo_key('visible');
      if current_setting('tenancy.visible_key', true) = visible_key then
        -- As visible_ids() reads it: the kept array of a large set, else the text.
        if current_setting('tenancy.visible_kept', true) = visible_key then
          kept := tenancy.kept_visible(visible_key);
          if kept is not null then
            return kept;
          end if;
        end if;
        return pg_catalog.string_to_array(current_setting('tenancy.visible_ids'), ',')::uuid[];
      end if;
    end if;
    if not root_roles operator(pg_catalog.&&) roles then
      return '{}';
    end if;
  end if;
  memo_key := tenancy.memo_key(roles::text);
  memo_name := 'tenancy.roles_' || md5(roles::text);
  if current_setting(memo_name || '_key', true) = memo_key then
    return pg_catalog.string_to_array(current_setting(memo_name || '_ids'), ',')::uuid[];
  end if;
  -- A person every root of whom holds one of the roles (the scope follows the roots or the active
  -- tenant alike): the answer is the visible set. Asked of the roots' roles caller_paths(null) kept for
  -- these claims in this generation when it did (read above, for a person only), else of the two path lists.
  if root_roles is not null then
    every_root_holds_a_role := root_roles operator(pg_catalog.<@) roles;
  end if;
  if every_root_holds_a_role is null then
    role_paths := tenancy.caller_paths(roles);
    all_paths := tenancy.caller_paths(null);
    every_root_holds_a_role := memo_key is not null and all_paths.roots operator(pg_catalog.<@) role_paths.roots;
  elsif not every_root_holds_a_role then
    role_paths := tenancy.caller_paths(roles);
  end if;
  if every_root_holds_a_role then
    -- The visible set's memo text is copied, not parsed and printed again.
    if current_setting('tenancy.visible_key', true) is distinct from tenancy.memo_key('visible') then
      perform tenancy.visible_ids();
    end if;
    ids := current_setting('tenancy.visible_ids');
  else
    ids := pg_catalog.array_to_string(tenancy.tenants_within(role_paths.roots, role_paths.scope), ',');
  end if;
  perform set_config(memo_name || '_ids', ids, true), set_config(memo_name || '_key', memo_key, true);
  return pg_catalog.string_to_array(ids, ',')::uuid[];
end
$$;


-- Rollback of 20261201027200_visible_set_kept_binary: visible_ids and ids_with_role as 20261201027000
-- made them (the text memo alone), and the keeping helpers go. A session's pg_temp.tenancy_visible, if
-- any, is left to the session's end (a temporary table is not the migration's to drop).
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
    return pg_catalog.string_to_array(current_setting('tenancy.visible_ids'), ',')::uuid[];
  end if;
  p := tenancy.caller_paths(null);
  ids := tenancy.tenants_within(p.roots, p.scope);
  perform set_config('tenancy.visible_ids', pg_catalog.array_to_string(ids, ','), true), set_config('tenancy.visible_key', memo_key, true);
  return ids;
end
$$;

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
begin
  -- The usual case, asked at every statement: a person every root of whom holds one of the roles (a
  -- customer's admin and an admin policy, an MSSP analyst and an analyst policy). The answer is the
  -- visible set: read from its memo, with no memo of its own to key, check or keep. The same answer
  -- the path below gives (and keeps), from the same memos, for these claims and this generation.
  -- And a person none of whose roots holds one of the roles (a customer's people and an MSSP-only
  -- policy): no root, no tenant. The path below would filter the kept roots by role to none.
  if current_setting('tenancy.visible_paths_key', true) = paths_key and pg_catalog.strpos(paths_key, '"api_key"') = 0 then
    root_roles := current_setting('tenancy.visible_root_roles')::text[];
    if root_roles operator(pg_catalog.<@) roles and current_setting('tenancy.visible_key', true) = tenancy.memo_key('visible') then
      return pg_catalog.string_to_array(current_setting('tenancy.visible_ids'), ',')::uuid[];
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

drop function tenancy.kept_visible(text);
drop function tenancy.keep_visible(text, uuid[]);

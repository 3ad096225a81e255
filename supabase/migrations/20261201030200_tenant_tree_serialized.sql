-- Changes to the tenant tree take turns: one transaction-level advisory lock over the whole tree.
--
-- Why: under READ COMMITTED each tree change checked the tree as committed before it started, and
-- the path triggers (tenancy.maintain_tenant_path, tenancy.cascade_tenant_path, migration
-- 20261123000100) read the parent's path and re-derive committed children only. So two admins
-- moving X under Y and Y under X both passed the cycle check and committed a loop; X moved (or
-- created) under Y while Y moved from customer A to B kept a path under A that Y's cascade never
-- saw, and RLS, which reads paths, kept showing X to A's admins and hid it from B's; a site moved
-- into a customer whose offboarding had just started was purged with it.
--
-- How: a BEFORE ... FOR EACH STATEMENT trigger takes the lock before any INSERT into
-- public.tenants and any UPDATE that sets parent_id, slug or status, that is before the statement
-- locks a row, whoever writes (the console, `npm run tenants`, a restore, plain SQL). The row
-- triggers then read the parent's path with a fresh snapshot (a volatile function's query sees
-- what committed while it waited), and the cascade's UPDATE sees every child committed before the
-- lock was granted, while a child inserted later waits for it. Status changes take it too: moving
-- and provisioning check the statuses above the new parent. The cascade itself sets only path, so
-- it does not take the lock again (re-entrant anyway). tenancy.lock_tree() takes the same lock for
-- code that must check the tree before it writes (lib/lifecycle/tree-lock.ts: moves, offboarding,
-- provisioning, restores), before any tenant row is locked, so the lock never waits behind a row
-- lock it could deadlock with. One key for the whole tree: tree changes are rare operator actions,
-- and a subtree lock would have to lock the ancestors of both ends of a move anyway.

create function tenancy.lock_tree() returns void
  language plpgsql
  set search_path = pg_catalog, pg_temp
  as $$
begin
  perform pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtextextended('tenancy.tree', 0));
end
$$;
revoke all on function tenancy.lock_tree() from public, anon, authenticated, service_role, portal_app;
grant execute on function tenancy.lock_tree() to service_role;

-- Definer: any role whose statement changes the tree waits its turn, with no grant on lock_tree.
create function tenancy.serialize_tree_change() returns trigger
  language plpgsql security definer
  set search_path = pg_catalog, pg_temp
  as $$
begin
  perform tenancy.lock_tree();
  return null;
end
$$;
revoke all on function tenancy.serialize_tree_change() from public, anon, authenticated, service_role, portal_app;

create trigger tenants_serialize_tree
  before insert or update of parent_id, slug, status on public.tenants
  for each statement execute function tenancy.serialize_tree_change();

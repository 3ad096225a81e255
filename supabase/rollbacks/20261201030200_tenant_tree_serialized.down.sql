-- Rollback of 20261201030200_tenant_tree_serialized: tree changes no longer take turns.
drop trigger tenants_serialize_tree on public.tenants;
drop function tenancy.serialize_tree_change();
drop function tenancy.lock_tree();

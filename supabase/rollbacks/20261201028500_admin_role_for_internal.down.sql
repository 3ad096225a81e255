-- Rollback of 20261201028500_admin_role_for_internal: signed-in people may call it again.
grant execute on function tenancy.admin_role_for(uuid) to authenticated;

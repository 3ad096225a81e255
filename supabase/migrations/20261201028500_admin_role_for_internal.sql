-- tenancy.admin_role_for(uuid) is for the last-admin triggers only (docs/security-model.md).
--
-- Why: it was executable by `authenticated`, and as a security-definer function it answered for any
-- tenant id, visible or not: SQL as any signed-in person learnt whether a uuid is a tenant and whether it
-- is an MSSP. No policy calls it; the triggers that do (tenancy.keep_last_admin) are security definer
-- and run it as its owner.
revoke execute on function tenancy.admin_role_for(uuid) from authenticated;

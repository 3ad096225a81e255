-- The tenants that are not active (suspended, being offboarded, offboarded,
-- being provisioned), found by index instead of by reading every tenant
-- (issue 13, point 7).
--
-- Why: every write through RLS evaluates tenancy.frozen_tenant_ids() in its
-- restrictive policies (twice for an UPDATE: USING and WITH CHECK), and
-- computing a caller's visible set checks the same condition. Both read
-- public.tenants where status <> 'active'; at 1,617 tenants that was a
-- sequential scan of the table per call (0.5 ms and more in the bench's
-- point update, where the owner's statement pays nothing of the kind). A
-- partial index holds only the few tenants that are not active, so the scan
-- reads those.
create index tenants_not_active on public.tenants (path) where status <> 'active';


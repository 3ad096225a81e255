-- Rollback of 20261201030800_jobs_insert_narrowed: tenant and MSSP admins insert any column of a job
-- of any kind again (policy as 20261201027000_policy_arrays left it).
alter policy "MSSP admins queue key rotations and bulk runs for their tenants" on public.jobs
  with check (((tenant_id = ANY (( SELECT tenancy.ids_with_role('{mssp_admin,tenant_admin}'::text[]) AS ids_with_role)::uuid[])) AND (status = 'queued'::text) AND (attempts = 0) AND (created_by = ( SELECT auth.uid() AS uid))));
alter policy "MSSP admins queue key rotations and bulk runs for their tenants" on public.jobs
  rename to "Admins queue jobs for their tenants";
revoke insert (tenant_id, kind, payload, max_attempts, created_by) on public.jobs from authenticated;
grant insert on public.jobs to authenticated;

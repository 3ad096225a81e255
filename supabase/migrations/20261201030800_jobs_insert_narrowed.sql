-- What a signed-in person may queue (docs/jobs.md "Who queues what", lib/jobs/queue.ts enqueueJob).
--
-- Why: `authenticated` held INSERT on every column of public.jobs (run_after, payload, result,
-- started_at, progress ...) and the policy "Admins queue jobs for their tenants" asked only for an
-- admin role (tenant or MSSP), status 'queued', no attempts and oneself as creator. Through SQL as a
-- customer's admin (a Supabase Data API) one could queue any kind, e.g. 'vault.rotate-dek' or
-- 'lifecycle.offboard', with run_after = '9999-01-01': one unfinished job per tenant and kind
-- (jobs_one_unfinished) makes every later enqueue of that kind join the parked row (lib/jobs/queue.ts
-- enqueueWith), so the MSSP's key rotation and the customer's offboarding never ran.
--
-- What people queue in the app (enqueueJob, inside their withTenant transaction): a key rotation
-- (keys:rotate, 'vault.rotate-dek' on a tenant, 'vault.rotate-kek' on the MSSP root: lib/actions/keys,
-- lib/bulk/ops/keys.ts) and a bulk run's job ('bulk.run', lib/bulk/runs.ts: bulk:run). Both actions
-- are the MSSP admin's only (policies/tenant.yaml). Everything else is queued by the service role
-- (commands, schedules, workflows, offboarding with its grace period), which this does not touch.
--
-- Now, for `authenticated`:
--   columns  tenant_id, kind, payload, max_attempts, created_by only: the status, attempts, result,
--            progress, timestamps and run_after take their defaults, so a person's job is due at once;
--   policy   an MSSP admin of the tenant (or an ancestor), one of the three kinds above, as oneself.
-- Refusals are 42501 (column privilege or the policy's WITH CHECK).
revoke insert on public.jobs from authenticated;
grant insert (tenant_id, kind, payload, max_attempts, created_by) on public.jobs to authenticated;

alter policy "Admins queue jobs for their tenants" on public.jobs
  rename to "MSSP admins queue key rotations and bulk runs for their tenants";
alter policy "MSSP admins queue key rotations and bulk runs for their tenants" on public.jobs
  with check (tenant_id = any ((select tenancy.ids_with_role('{mssp_admin}'))::uuid[])
              and kind = any ('{vault.rotate-dek,vault.rotate-kek,bulk.run}'::text[])
              and status = 'queued' and attempts = 0 and created_by = (select auth.uid()));

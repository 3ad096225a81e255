-- What a member can SELECT straight from the tables (SQL as `authenticated`, a Supabase Data API)
-- is no more than the portal's pages show that member after the PDP (docs/authorization.md).
--
-- Why: RLS let every member of a tenant or an ancestor (a tenant_viewer too) read rows the PDP
-- keeps from them, and the Data API serves `public`:
--   * The tenant's configuration: `settings:view` is MSSP admins, MSSP analysts and tenant admins
--     only, so a customer's analysts and viewers never see the settings page or the workflows page.
--     Yet they read public.tenant_settings (notification e-mails, the session policy, limits),
--     public.workflow_rules / workflow_rule_versions / workflow_rule_runs (every rule, its history and
--     what it did to which alert) and public.notification_channels: a webhook's URL (for Slack,
--     Teams and most chat tools the URL is itself the credential: whoever holds it posts into the
--     channel) and an e-mail channel's recipients.
--   * Jobs: the only pages that show jobs are the MSSP console's (key rotation, lifecycle, bulk),
--     and only MSSP admins queue them; a customer's members (viewers included) still read every job
--     and workflow step of their tenant: payloads (a provisioning's first-admin address), results,
--     errors and the worker holding the job (locked_by).
--   * API keys: an admin's key list never shows a key's secret_hash, and nothing reads it as
--     `authenticated` (api_key_access_token checks it as the owner); invitations' token_hash was
--     already withheld the same way.
--
-- Now: those five tables are read by the roles `settings:view` allows (MSSP admins and analysts,
-- tenant admins) of the tenant or an ancestor; jobs and their steps by the MSSP's staff (admins and
-- analysts, the console's readers); api_keys is readable column by column, without secret_hash.
-- Writes are unchanged (they were admins' already). Functions that read these tables for everyone
-- (settings.effective and settings.value_of, workflows.rules_for, the alert trigger queuing rule
-- evaluation, sessions.mfa_required) are security definers and keep answering. The PDP's scoped
-- policies (a tenant tightening the matrix) are not mirrored here; the pages ask the PDP for those.
alter policy "Settings are visible to members of the tenant or an ancestor" on public.tenant_settings
  rename to "Settings are read by staff and admins of the tenant or above";
alter policy "Settings are read by staff and admins of the tenant or above" on public.tenant_settings
  using (tenant_id = any ((select tenancy.ids_with_role('{mssp_admin,mssp_analyst,tenant_admin}'::text[]))::uuid[]));

alter policy "Rules are visible to members of the tenant or an ancestor" on public.workflow_rules
  rename to "Rules are read by staff and admins of the tenant or above";
alter policy "Rules are read by staff and admins of the tenant or above" on public.workflow_rules
  using (tenant_id = any ((select tenancy.ids_with_role('{mssp_admin,mssp_analyst,tenant_admin}'::text[]))::uuid[]));

alter policy "Rule history is visible to members of the tenant or an ancestor" on public.workflow_rule_versions
  rename to "Rule history is read by staff and admins of the tenant or above";
alter policy "Rule history is read by staff and admins of the tenant or above" on public.workflow_rule_versions
  using (tenant_id = any ((select tenancy.ids_with_role('{mssp_admin,mssp_analyst,tenant_admin}'::text[]))::uuid[]));

alter policy "Rule runs are visible to members of the tenant or an ancestor" on public.workflow_rule_runs
  rename to "Rule runs are read by staff and admins of the tenant or above";
alter policy "Rule runs are read by staff and admins of the tenant or above" on public.workflow_rule_runs
  using (tenant_id = any ((select tenancy.ids_with_role('{mssp_admin,mssp_analyst,tenant_admin}'::text[]))::uuid[]));

alter policy "Channels are visible to members of the tenant or an ancestor" on public.notification_channels
  rename to "Channels are read by staff and admins of the tenant or above";
alter policy "Channels are read by staff and admins of the tenant or above" on public.notification_channels
  using (tenant_id = any ((select tenancy.ids_with_role('{mssp_admin,mssp_analyst,tenant_admin}'::text[]))::uuid[]));

alter policy "Jobs are visible to members of the tenant or an ancestor" on public.jobs
  rename to "Jobs are read by the staff of the MSSP above the tenant";
alter policy "Jobs are read by the staff of the MSSP above the tenant" on public.jobs
  using (tenant_id = any ((select tenancy.ids_with_role('{mssp_admin,mssp_analyst}'::text[]))::uuid[]));

alter policy "Job steps are visible to members of the tenant or an ancestor" on public.job_steps
  rename to "Job steps are read by the staff of the MSSP above the tenant";
alter policy "Job steps are read by the staff of the MSSP above the tenant" on public.job_steps
  using (tenant_id = any ((select tenancy.ids_with_role('{mssp_admin,mssp_analyst}'::text[]))::uuid[]));

revoke select on public.api_keys from authenticated;
grant select (tenant_id, id, name, scopes, created_at, expires_at, created_by, revoked_at, revoked_by, last_used_at, last_used_ip)
  on public.api_keys to authenticated;

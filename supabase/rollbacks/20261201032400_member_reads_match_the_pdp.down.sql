-- Rollback of 20261201032400_member_reads_match_the_pdp: every member of the tenant or an ancestor
-- reads settings, workflow rules, their history and runs, notification channels, jobs and job steps
-- again, and admins read every column of an API key (secret_hash included).
alter policy "Settings are read by staff and admins of the tenant or above" on public.tenant_settings
  rename to "Settings are visible to members of the tenant or an ancestor";
alter policy "Settings are visible to members of the tenant or an ancestor" on public.tenant_settings
  using (tenant_id = any ((select tenancy.visible_ids())::uuid[]));

alter policy "Rules are read by staff and admins of the tenant or above" on public.workflow_rules
  rename to "Rules are visible to members of the tenant or an ancestor";
alter policy "Rules are visible to members of the tenant or an ancestor" on public.workflow_rules
  using (tenant_id = any ((select tenancy.visible_ids())::uuid[]));

alter policy "Rule history is read by staff and admins of the tenant or above" on public.workflow_rule_versions
  rename to "Rule history is visible to members of the tenant or an ancestor";
alter policy "Rule history is visible to members of the tenant or an ancestor" on public.workflow_rule_versions
  using (tenant_id = any ((select tenancy.visible_ids())::uuid[]));

alter policy "Rule runs are read by staff and admins of the tenant or above" on public.workflow_rule_runs
  rename to "Rule runs are visible to members of the tenant or an ancestor";
alter policy "Rule runs are visible to members of the tenant or an ancestor" on public.workflow_rule_runs
  using (tenant_id = any ((select tenancy.visible_ids())::uuid[]));

alter policy "Channels are read by staff and admins of the tenant or above" on public.notification_channels
  rename to "Channels are visible to members of the tenant or an ancestor";
alter policy "Channels are visible to members of the tenant or an ancestor" on public.notification_channels
  using (tenant_id = any ((select tenancy.visible_ids())::uuid[]));

alter policy "Jobs are read by the staff of the MSSP above the tenant" on public.jobs
  rename to "Jobs are visible to members of the tenant or an ancestor";
alter policy "Jobs are visible to members of the tenant or an ancestor" on public.jobs
  using (tenant_id = any ((select tenancy.visible_ids())::uuid[]));

alter policy "Job steps are read by the staff of the MSSP above the tenant" on public.job_steps
  rename to "Job steps are visible to members of the tenant or an ancestor";
alter policy "Job steps are visible to members of the tenant or an ancestor" on public.job_steps
  using (tenant_id = any ((select tenancy.visible_ids())::uuid[]));

revoke select (tenant_id, id, name, scopes, created_at, expires_at, created_by, revoked_at, revoked_by, last_used_at, last_used_ip)
  on public.api_keys from authenticated;
grant select on public.api_keys to authenticated;

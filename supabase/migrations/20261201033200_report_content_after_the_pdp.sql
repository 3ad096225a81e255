-- A stored report's file is read only after the PDP allowed reports:export (lib/reports/download.ts;
-- docs/reports.md "Who may").
--
-- Why: the policy "Reports are visible to admins and analysts of the tenant or an ancestor" is the
-- roles' rule; the PDP can be narrower for a tenant (a scoped policy: Globex does not let its tenant
-- analysts export reports, policies/tenant.sentinel.globex.yaml). The portal's download asks the PDP
-- first, but a Globex analyst holding `select` on every column of public.reports could read the
-- reports' content (the PDF or CSV itself) straight through the Data API.
--
-- Now `authenticated` may read every column but `content`: the list pages and the Data API still see
-- which reports exist and their state, under the same policy. The file is read by the download
-- through the service role (purpose reports.download), after RLS showed the report to the caller and
-- the PDP allowed reports:export on its tenant (and usage:read for one with usage figures).

revoke select on public.reports from authenticated;
grant select (tenant_id, id, kind, format, period_start, period_end, status, progress, include_usage, schedule_id,
              size_bytes, error, created_by, created_at, finished_at, handovers, covered_tenant_ids)
  on public.reports to authenticated;

-- Which tenants a stored report's figures covered (lib/reports/generate.ts, lib/lifecycle/offboard-copies.ts).
--
-- Why: a report of a customer covers its subtree (its sites' alert titles, hosts and names). When a
-- site is offboarded, the reports of the tenants above it are withdrawn; which reports those are was
-- told by the tenant tree of the day of the offboarding (the offboarded root's current ancestors). A
-- site moved away from its customer and offboarded afterwards left the former parent's reports,
-- which still hold the site's figures, in place.
--
-- What: covered_tenant_ids, the ids of the report tenant's subtree as the figures read it, written
-- by the worker (service role, purpose reports.generate) when it stores the report's content. The
-- offboarding withdraws every other tenant's report whose covered_tenant_ids overlap the offboarded
-- subtree; a report stored before this column (null) is withdrawn by the rule of before (a current
-- ancestor's report made since the root existed).
-- Not writable by people: `authenticated` holds INSERT only on the columns of 20261201030910 and no
-- UPDATE on public.reports, so neither reaches this column (tests/reports-integrity.test.ts tries).
-- Readable with the rest of the row by those who see the report (admins and analysts of its tenant
-- or an ancestor): ids of tenants its figures already name.
-- GIN: the purge finds the reports by overlap (&&) with the subtree's ids. Its cost: one index
-- entry per covered tenant of each stored report (reports are few: weekly or monthly per tenant).
alter table public.reports add column covered_tenant_ids uuid[];
comment on column public.reports.covered_tenant_ids is
  'The tenants whose figures the stored content holds (the subtree when generated); null for reports stored before 20261201032750.';
create index reports_covered_tenants on public.reports using gin (covered_tenant_ids);

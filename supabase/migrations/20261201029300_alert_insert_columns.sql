-- An alert created through RLS takes only what a source reports (docs/alert-triage.md).
--
-- Why: `authenticated` held INSERT on every column of public.alerts. The app creates alerts through the
-- API's ingestion only (lib/ingest/alerts.ts: what the source reports), but SQL as a signed-in analyst (a
-- Supabase Data API) could create one already resolved or acknowledged, with a created_at in the past,
-- its SLA clocks marked as kept (ack_breached, resolve_breached = false), assigned to anyone, or with a
-- search vector that does not match its text: figures on the dashboards, the SLA report and the
-- customer's reports that never happened.
--
-- How: people and keys insert the columns ingestion sends; status, the timestamps the triage keeps,
-- assignment, group, the SLA marks, the id and the search vector take their defaults or their
-- triggers' values. Triage changes go through UPDATE, whose column grants (status, close_reason,
-- assignment, group) are unchanged. The owner's and the service role's writes (seed, restore) are not
-- affected.
revoke insert on public.alerts from authenticated;
grant insert (tenant_id, title, description, severity, source, external_id, rule_name, hostname, source_ip, asset_id, detected_at)
  on public.alerts to authenticated;

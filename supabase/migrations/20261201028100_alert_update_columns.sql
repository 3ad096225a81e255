-- Signed-in people change only an alert's triage columns (lib/alerts/triage.ts): its status (and
-- close reason), its assignee and its group. Before, `authenticated` held UPDATE on every column, and
-- the triage guard (20261201002000) fires only when status, assignee or close reason change: whoever
-- could run SQL as a triaging user (the Data API of a Supabase deployment) could rewrite an alert's
-- acknowledged_at, resolved_at, detected_at or severity with no timeline entry, and its SLA verdicts
-- (20261201028000) would follow the forged times into the dashboards and reports.
--
-- The clocks' times stay the triggers' to set (workflow_guard stamps acknowledged_at and resolved_at
-- at the transition); ingestion inserts alerts and is unchanged (INSERT keeps its table grant).
revoke update on public.alerts from authenticated;
grant update (status, close_reason, assigned_to, assigned_group_tenant_id, assigned_group_id) on public.alerts to authenticated;

-- A comment written through RLS takes the time it is written (docs/alert-triage.md).
--
-- Why: `authenticated` held INSERT on every column of public.alert_events. The policy keeps what people
-- insert to comments in their own name, but SQL as a signed-in analyst (a Supabase Data API) could give
-- a comment any created_at: a backdated note on an alert's timeline ("contained at 09:02") is evidence
-- that was never there at the time.
--
-- How: people insert the comment's columns only; created_at (and the id) take their defaults. The
-- status, assignment and group events come from security-definer triggers, untouched by this.
revoke insert on public.alert_events from authenticated;
grant insert (tenant_id, alert_id, kind, actor_id, body) on public.alert_events to authenticated;

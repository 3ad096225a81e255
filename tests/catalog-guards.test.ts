// Catalog guards (issue 9, "Validation to add"): what the roles an attacker
// can reach hold, read from the catalog of a fully migrated database (the
// graphile_worker and jobs_engine schemas included) and compared with explicit
// allowlists. A new grant, a new executable function, a new membership of
// portal_app or a new service-role purpose fails here until it is added below
// with its reason, so none of them arrives unreviewed.
//
//   anon           Supabase's role for requests without a session
//   authenticated  every signed-in request (withTenant), under RLS
//   portal_app     the portal's login role, before any SET ROLE
//   portal_collector  the collector's former login role (migration 20261201027600: no rights at all now)
//   PUBLIC         every role, these included
import assert from "node:assert/strict";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { after, describe, test } from "node:test";
import { createTestDatabase, withClient, type TestDatabase } from "./helpers/test-database";

const db: TestDatabase = await createTestDatabase({ setEnv: false });
after(() => db.drop());

const ROLES = ["anon", "authenticated", "portal_app", "portal_collector"];

/** `allow(reason, ...entries)`: entries are "<kind> <object> <grantee> <privilege>". */
const ALLOWED = new Map<string, string>();
function allow(reason: string, ...entries: string[]) {
  for (const e of entries) ALLOWED.set(e, reason);
}
const each = (prefix: string, privs: string[], suffix = "") => privs.map((p) => `${prefix} ${p}${suffix}`);

// Schemas.
allow("Postgres's default: PUBLIC may look up names in public (CREATE is not granted, Postgres 15+)", "schema public PUBLIC USAGE");
allow("auth.uid()/auth.jwt()/auth.role() are called by every policy, as Supabase grants them", "schema auth anon USAGE", "schema auth authenticated USAGE");
allow("ltree and pgcrypto types and operators, used by policies and the tree (Supabase grants the same)", "schema extensions anon USAGE", "schema extensions authenticated USAGE");
allow("the RLS helpers every policy calls live in tenancy", "schema tenancy authenticated USAGE");
allow("effective settings (settings.effective) live in settings, a schema PostgREST does not serve", "schema settings authenticated USAGE");
allow("workflows.rules_for (a tenant's own and inherited rules) lives in workflows, a schema PostgREST does not serve", "schema workflows authenticated USAGE");
allow("usage metering's read helpers (lib/usage) live in usage, a schema PostgREST does not serve", "schema usage authenticated USAGE");

// Tables: only authenticated holds anything, always under forced RLS.
allow("read and triaged under RLS: select by visibility, delete by admins; inserted (alerts, assets) and updated (assets) by API keys with alerts:write / assets:write only (policy, 20261201031100)",
  ...each("table public.alerts authenticated", ["SELECT", "DELETE"]),
  ...each("table public.assets authenticated", ["SELECT", "DELETE"]));
allow("an asset's ingested columns only (20261201031100): its id, created_at and updated_at are the defaults' and the touch trigger's; tenant_id is inserted, never updated",
  ...["tenant_id", "external_id", "hostname", "ip_address", "os", "kind", "criticality", "owner_email", "last_seen_at"].map((c) => `column public.assets.${c} authenticated INSERT`),
  ...["external_id", "hostname", "ip_address", "os", "kind", "criticality", "owner_email", "last_seen_at"].map((c) => `column public.assets.${c} authenticated UPDATE`));
allow("a new alert's reported columns only (20261201029300): its status, clocks, SLA marks, assignment and id are the defaults' and the triggers'",
  ...["tenant_id", "title", "description", "severity", "source", "external_id", "rule_name", "hostname", "source_ip", "asset_id", "detected_at"]
    .map((c) => `column public.alerts.${c} authenticated INSERT`));
allow("an alert's triage columns only (20261201028100): the clocks' times, severity and detection are the triggers' and ingestion's",
  ...["status", "close_reason", "assigned_to", "assigned_group_tenant_id", "assigned_group_id"].map((c) => `column public.alerts.${c} authenticated UPDATE`));
allow("connector credentials: listed by members (sealed bytes only), deleted by admins, under RLS",
  ...each("table public.credentials authenticated", ["SELECT", "DELETE"]));
allow("a new credential's columns only (20261201030900: lib/credentials/store.ts createCredential); created_by is the caller's, its times the database's, its kind and count within the tenant's integrations.* and limits.connectors (triggers)",
  ...["tenant_id", "id", "connector", "name", "config", "sealed", "key_version", "secret_hint", "expires_at", "created_by"]
    .map((c) => `column public.credentials.${c} authenticated INSERT`));
allow("a credential's new secret and its use only (20261201030900: replaceSecret, the use path): its connector, name and settings never change; rotated_at/rotated_by are stamped with a new seal, and nothing but last_used_at = now() changes without one (trigger)",
  ...["sealed", "key_version", "secret_hint", "expires_at", "rotated_at", "rotated_by", "last_used_at"]
    .map((c) => `column public.credentials.${c} authenticated UPDATE`));
allow("append-only audit trail: admins read; no INSERT (people record their own actions through audit.record, migration 20261201030100); UPDATE/DELETE/TRUNCATE never granted",
  "table public.audit_log authenticated SELECT");
allow("recording one's own action (lib/audit/record.ts recordAudit, migration 20261201030100): audit.record, as oneself into a tenant one can see, never auth:* (security definer, reviewed below); in audit, a schema PostgREST does not serve, whose chain heads and other functions stay out of reach",
  "schema audit authenticated USAGE",
  "function audit.record(p_tenant uuid, p_action text, p_target_type text, p_target_id text, p_outcome text, p_details jsonb, p_request_id text) authenticated EXECUTE");
allow("alert timelines: read by visibility; comments inserted as oneself by analysts and admins (policy); status and assignment events come from the workflow trigger; never updated or deleted",
  "table public.alert_events authenticated SELECT",
  // A comment's own columns (20261201028400): its created_at is the time it is written.
  ...["tenant_id", "alert_id", "kind", "actor_id", "body"].map((c) => `column public.alert_events.${c} authenticated INSERT`));
allow("saved alert-list filters: each person reads, saves and deletes only their own (policy)",
  ...each("table public.alert_saved_filters authenticated", ["SELECT", "INSERT", "DELETE"]));
allow("the tenant tree is read under RLS; no insert or delete (provisioning is a service path)", "table public.tenants authenticated SELECT");
allow("tenant settings (lib/settings): read by the roles settings:view allows (MSSP admins and analysts, tenant admins) of the tenant or an ancestor (policy, 20261201032400; every member gets the effective values through settings.effective), written by its admins, by policy; locks and MSSP-only groups re-checked by trigger; changed_by/changed_at are the caller and now (trigger, 20261201030920)",
  ...each("table public.tenant_settings authenticated", ["SELECT", "INSERT", "UPDATE", "DELETE"]));
allow("workflows (lib/rules, lib/notify): rules, their versions and runs, and channels read by the roles settings:view allows (MSSP admins and analysts, tenant admins) of the tenant or an ancestor (policy, 20261201032400: a webhook's URL is a credential), written by its admins (policy); versions, runs and deliveries only read (written by triggers and the service path); deliveries and attempts by admins only",
  ...each("table public.workflow_rules authenticated", ["SELECT", "INSERT", "UPDATE", "DELETE"]),
  ...each("table public.notification_channels authenticated", ["SELECT", "INSERT", "UPDATE", "DELETE"]),
  "table public.workflow_rule_versions authenticated SELECT", "table public.workflow_rule_runs authenticated SELECT",
  "table public.notification_deliveries authenticated SELECT", "table public.notification_attempts authenticated SELECT");
allow("assignee groups (lib/groups): read by members of the tenant or an ancestor (and one's own memberships), written by its admins (policy); members must be assignable there (trigger); memberships are added and removed, never updated; who made a group or added a member, and when, is the caller and now (trigger, 20261201030920)",
  ...each("table public.assignee_groups authenticated", ["SELECT", "INSERT", "UPDATE", "DELETE"]),
  ...each("table public.assignee_group_members authenticated", ["SELECT", "INSERT", "DELETE"]));
allow("API ingestion (lib/ingest): raw vendor payloads are sealed bytes, read by visibility, never updated or deleted as authenticated (the DEK rotation re-seals them as service_role); collectors read by visibility, removed by admins (policy)",
  "table public.alert_raw_events authenticated SELECT",
  ...each("table public.collectors authenticated", ["SELECT", "DELETE"]));
allow("a raw event's sealed columns only (20261201031500: lib/ingest/alerts.ts storeRaw), inserted by API keys with alerts:write only (policy); its created_at is the insert's time",
  ...["tenant_id", "alert_id", "sealed", "key_version"].map((c) => `column public.alert_raw_events.${c} authenticated INSERT`));
allow("a collector's heartbeat columns only (20261201031500: lib/ingest/collectors.ts recordHeartbeat), written by API keys with collectors:write only (policy): its id, created_at and updated_at are the defaults' and the touch trigger's; tenant_id and name are inserted, never updated",
  ...["tenant_id", "name", "version", "hostname", "last_heartbeat_at", "last_pull_at", "last_error", "last_error_at"].map((c) => `column public.collectors.${c} authenticated INSERT`),
  ...["version", "hostname", "last_heartbeat_at", "last_pull_at", "last_error", "last_error_at"].map((c) => `column public.collectors.${c} authenticated UPDATE`));
allow("collector checkpoints (lib/collector, POST /collectors/{name}/checkpoints): read by visibility, reset by admins (policy)",
  ...each("table public.collector_checkpoints authenticated", ["SELECT", "DELETE"]));
allow("a checkpoint's advanced columns only (20261201031500: lib/collector/checkpoints.ts advanceCheckpoint), written by API keys with collectors:write only (policy): created_at and updated_at are the default's and the touch trigger's; its tenant, collector and credential are inserted, never updated",
  ...["tenant_id", "collector_id", "credential_id", "cursor", "alerts_sent", "last_sent_at"].map((c) => `column public.collector_checkpoints.${c} authenticated INSERT`),
  ...["cursor", "alerts_sent", "last_sent_at"].map((c) => `column public.collector_checkpoints.${c} authenticated UPDATE`));
allow("members of visible tenants; no password hash, no lockout counters", ...["id", "email", "name", "created_at"].map((c) => `column public.users.${c} authenticated SELECT`));
allow("a user renames only themselves (policy)", "column public.users.name authenticated UPDATE");
allow("memberships: read within scope; admins remove and change roles at or below their rank; never inserted directly",
  "table public.memberships authenticated SELECT", "table public.memberships authenticated DELETE", "column public.memberships.role authenticated UPDATE");
allow("admins invite at or below their rank (policy), with the invite action's columns only (20261201030810): created now, expiring within 8 days (trigger); the id, acceptance, revocation and issued_by_system are the defaults",
  ...["tenant_id", "email", "role", "token_hash", "invited_by", "expires_at"].map((c) => `column public.invitations.${c} authenticated INSERT`));
allow("invitations are listed without token_hash",
  ...["tenant_id", "id", "email", "role", "invited_by", "created_at", "expires_at", "accepted_at", "accepted_by", "revoked_at"].map((c) => `column public.invitations.${c} authenticated SELECT`));
allow("revoking an invitation is the only change", "column public.invitations.revoked_at authenticated UPDATE");
allow("jobs: progress read by the MSSP's staff (admins and analysts, the console's readers; policy, 20261201032400); MSSP admins queue key rotations and bulk runs (policy, 20261201030800), due at once: no run_after, status, result or progress; only the worker changes them",
  "table public.jobs authenticated SELECT", "table public.job_steps authenticated SELECT",
  ...["tenant_id", "kind", "payload", "max_attempts", "created_by"].map((c) => `column public.jobs.${c} authenticated INSERT`));

// Functions (besides extension functions, below).
allow("claims readers, as on Supabase: read only the caller's own request.jwt settings",
  ...["auth.jwt()", "auth.uid()", "auth.role()"].flatMap((f) => ["PUBLIC", "anon", "authenticated"].map((r) => `function ${f} ${r} EXECUTE`)));
allow("RLS helpers called by the policies: they return tenant ids of the caller's own scope only",
  ...["tenancy.active_tenant_id()", "tenancy.visible_tenant_ids()", "tenancy.tenant_ids_with_role(roles text[])", "tenancy.frozen_tenant_ids()",
    "tenancy.visible_ids()", "tenancy.ids_with_role(roles text[])",
    "tenancy.role_rank(role text)", "tenancy.caller_admin_rank_on(target uuid)",
    "tenancy.user_is_visible(target uuid)"].map((f) => `function ${f} authenticated EXECUTE`));
allow("the effective configuration (lib/settings): answers only for tenants the caller can see, reading the ancestors' values and locks for them",
  "function settings.effective(p_tenants uuid[]) authenticated EXECUTE");
allow("a tenant's own and inherited workflow rules (lib/rules): answers only for a tenant the caller can see, reading its ancestors' rules",
  "function workflows.rules_for(tenant uuid) authenticated EXECUTE");
allow("a tenant's own and inherited assignee groups (lib/groups): answers only for a tenant the caller can see, names and member counts of its ancestors' groups",
  "function workflows.groups_for(tenant uuid) authenticated EXECUTE");
allow("what the people on an alert the caller cannot see by name are at its tenant (lib/alerts/people.ts, migration 20261201029800): MSSP staff, a member above, or a former member, for alerts of tenants the caller can see only (security definer, reviewed in tests/supabase-lint.test.ts)",
  "function workflows.people_standing(alert_tenants uuid[], alert_ids uuid[], include_timeline boolean) authenticated EXECUTE");
allow("what the people a tenant's API keys panel and assignee groups name are there when the caller cannot see them (lib/people/standing.ts, migration 20261201030000): MSSP staff, a member above, or a former member, for a tenant the caller can see and only the people its keys and groups reference (security definer, reviewed in tests/supabase-lint.test.ts)",
  "function tenancy.people_standing_in(tenant uuid) authenticated EXECUTE");
allow("the workflows dry run's newest alerts of a wide subtree (lib/rules/dry-run.ts): security invoker, so the caller's RLS decides which alerts it reads",
  "function workflows.newest_alerts(tenant_ids uuid[], since timestamp with time zone, until timestamp with time zone, lim integer) authenticated EXECUTE");
allow("builds the claims before the switch to authenticated (lib/db/with-tenant.ts)", "function public.custom_access_token_hook(event jsonb) portal_app EXECUTE");
// API keys (issue 11, migration 20261201010000).
allow("an API key's claims, built and its secret checked before the switch to authenticated (lib/db/with-tenant.ts, lib/api/gateway)",
  "function public.api_key_access_token(event jsonb) portal_app EXECUTE");
allow("the api schema (key helpers) is not served by PostgREST", "schema api authenticated USAGE");
allow("API keys: admins list and create them (policies); revoking is the only change; listed without secret_hash (20261201032400: checked only as the owner, by api_key_access_token)",
  ...["tenant_id", "id", "name", "scopes", "created_at", "expires_at", "created_by", "revoked_at", "revoked_by", "last_used_at", "last_used_ip"].map((c) => `column public.api_keys.${c} authenticated SELECT`),
  // What createApiKey writes (20261201030820): created_at, last use and revocation are the database's.
  ...["tenant_id", "id", "name", "secret_hash", "scopes", "expires_at", "created_by"].map((c) => `column public.api_keys.${c} authenticated INSERT`),
  "column public.api_keys.revoked_at authenticated UPDATE", "column public.api_keys.revoked_by authenticated UPDATE");
allow("API key helpers: the scope list and a key's RLS role (immutable, read nothing); the caller's own key id from its claims; a concurrency slot (advisory lock of the caller's transaction); the key's own last use",
  ...["api.valid_scopes()", "api.key_role(scopes text[], tenant_kind text)", "api.take_slot(tenant uuid, slots integer)", "api.touch_key(ip text)", "tenancy.api_key_id()"].map((f) => `function ${f} authenticated EXECUTE`));
allow("a collector's key unwraps its own tenant's DEK, and only when it is live and holds collectors:write (lib/vault/keys.ts ownKeyDekFor, migration 20261201013100)",
  "function api.unwrap_own_dek(dek_version integer) authenticated EXECUTE");
allow("a collector's key marks the credentials it just opened as used (last_used_at): its own tenant's, opened by this key in this transaction (their credential.opened rows), once a minute (lib/collector/open-credentials.ts, migration 20261201030400)",
  "function api.touch_opened_credentials(credential_ids uuid[]) authenticated EXECUTE");
allow("the per-request session check, one statement before any role switch (lib/auth/sessions.ts checkSession): answers for one session id and user on the request's host (20261201032650), touches last_seen_at; the sessions table itself stays unreachable",
  "schema sessions portal_app USAGE", "function sessions.check_session(p_session uuid, p_user uuid, p_idle_seconds integer, p_host text) portal_app EXECUTE");

// Usage metering (issue 12, migration 20261201012000).
allow("usage events and rollups (lib/usage): read by admins of the tenant or an ancestor and keys with usage:read (policy); written only by the service role (usage.meter, usage.rollup), never updated or deleted by people. An event's id is not granted: one sequence numbers every tenant's events, so its gaps counted the platform's usage (20261201032300)",
  ...["tenant_id", "metric", "quantity", "occurred_at", "recorded_at", "idempotency_key", "source"].map((c) => `column public.usage_events.${c} authenticated SELECT`),
  "table public.usage_rollups authenticated SELECT");
allow("usage helpers: a metric's kind (immutable, reads nothing); the tenants whose usage the caller may read (its own scope only); a subtree's daily totals (security invoker: RLS decides what is summed)",
  ...["usage.metric_kind(metric text)", "usage.readable_tenant_ids()", "usage.readable_ids()", "usage.subtree_daily(roots uuid[], from_day timestamp with time zone, to_day timestamp with time zone)"].map((f) => `function ${f} authenticated EXECUTE`));

// Alert rollups for the dashboards (issue 13, migration 20261201016000).
allow("alert rollups (lib/analytics): read like alerts (members of the tenant or an ancestor, policy); written only by the triggers on public.alerts; a subtree's daily sums (security invoker: RLS decides what is summed)",
  "table public.alert_daily_rollups authenticated SELECT", "table public.alert_open_counts authenticated SELECT",
  "table public.alert_subtree_rollups authenticated SELECT",
  "table public.alert_subtree_blocks authenticated SELECT", "table public.asset_counts authenticated SELECT",
  "function analytics.block_start(day date, level integer) authenticated EXECUTE", "function analytics.day_blocks(p_from date, p_to date) authenticated EXECUTE",
  "schema analytics authenticated USAGE", "function analytics.subtree_daily(roots uuid[], tenants uuid[], from_day date, to_day date) authenticated EXECUTE");
allow("comparison and benchmarks (lib/analytics, migration 20261201016500): asset-count bands (immutable, reads nothing); customers' metrics from the rollups (security invoker: RLS decides what is summed); a customer's own percentile among anonymous peers (security definer, reviewed below)",
  ...["analytics.size_band(assets bigint)", "analytics.customer_metrics(p_customers uuid[], p_from date, p_to date, p_only uuid[])", "analytics.peer_benchmark(p_tenant uuid, p_group text, p_from date, p_to date, p_own_only uuid[])"].map((f) => `function ${f} authenticated EXECUTE`));

allow("the alert list's full-text search through its index (lib/alerts/list.ts, migration 20261201026100): ids and a count of the caller's visible alerts only (security definer, reviewed below); its own schema, not served by PostgREST",
  "schema search authenticated USAGE", "function search.alert_page(p_q text, p_tenants uuid[], p_severity text, p_statuses text[], p_assignee uuid, p_unassigned boolean, p_group uuid, p_no_group boolean, p_my_groups boolean, p_from timestamp with time zone, p_before timestamp with time zone, p_sort text, p_page integer, p_page_size integer, p_cap integer) authenticated EXECUTE");

// Health monitoring (issue 12 point 3, migration 20261201014500).
allow("tenant health states and their history (lib/health): read by MSSP staff of an ancestor and the tenant's admins and analysts (policy); written only by the evaluation job (service role health.evaluate). A transition's id is not granted: one sequence numbers every tenant's transitions, so its gaps counted the platform's health changes (20261201032300)",
  "table public.tenant_health authenticated SELECT",
  ...["tenant_id", "from_state", "to_state", "reasons", "occurred_at", "notified"].map((c) => `column public.tenant_health_transitions.${c} authenticated SELECT`));

// Bulk operations (issue 13 point 5, migration 20261201018000).
allow("bulk runs and their items (lib/bulk): read, planned and updated by the MSSP's admins (policies), within what the triggers of migration 20261201030500 let each change (runs on an MSSP only, their operation fixed, running or undoing only as oneself; items recorded only by the person the run acts as); never deleted through authenticated",
  ...["bulk_runs", "bulk_run_items"].flatMap((t) => each(`table public.${t} authenticated`, ["SELECT", "INSERT", "UPDATE"])));

// Customer reports (issue 13 point 4, migration 20261201017000).
allow("stored reports and their schedules (lib/reports): read by admins and analysts of the tenant or an ancestor (policy); people ask for a report (a queued row, as themselves) and add or remove schedules after the PDP allowed reports:export; only the worker (service role reports.generate) changes a report",
  "table public.report_schedules authenticated SELECT", "table public.report_schedules authenticated DELETE");
allow("what people read of a stored report (20261201033200): every column but its file, `content`, which the download reads on the service path after the PDP allowed reports:export (a tenant's scoped policy may be narrower than the roles' policy)",
  ...["tenant_id", "id", "kind", "format", "period_start", "period_end", "status", "progress", "include_usage", "schedule_id", "size_bytes", "error", "created_by", "created_at", "finished_at", "handovers", "covered_tenant_ids"].map(
    (c) => `column public.reports.${c} authenticated SELECT`,
  ));
allow("what a person's report request and schedule say (20261201030910: lib/reports/store.ts): no schedule_id (only the worker queues a schedule's report), none of the worker's columns; a schedule's first run is the database's (trigger)",
  ...["tenant_id", "kind", "format", "period_start", "period_end", "include_usage", "created_by"].map((c) => `column public.reports.${c} authenticated INSERT`),
  ...["tenant_id", "kind", "format", "cadence", "recipients", "created_by"].map((c) => `column public.report_schedules.${c} authenticated INSERT`));
allow("resuming a paused report schedule (migration 20261201029000): the pause cleared, as the caller (policy: created_by = auth.uid()), from its next run, which the database sets (20261201030910); only the worker pauses one",
  ...["paused_at", "paused_reason", "created_by"].map((c) => `column public.report_schedules.${c} authenticated UPDATE`));

// Custom domains (issue 14 point 3, migration 20261201021000).
allow("custom domains (lib/domains): read by admins of the tenant or an ancestor (policy); written only by the service role (domains.manage after the PDP allowed domains:manage; domains.verify for the scheduled re-check)",
  "table public.custom_domains authenticated SELECT");

// Branding (issue 14 points 1-2, migration 20261201020000).
allow("brand assets and drafts (lib/branding): read and written by the admins of the tenant or an ancestor (policies, PDP branding:manage); assets are content-addressed and never updated or deleted through authenticated",
  "table public.brand_assets authenticated SELECT", "table public.brand_assets authenticated INSERT",
  ...each("table public.brand_drafts authenticated", ["SELECT", "INSERT", "UPDATE", "DELETE"]));

// Plans and billing (issue 12, migration 20261201014000).
allow("billing plans, their prices and customers' assignments (lib/billing): read and changed by the MSSP's admins only (policies); triggers refuse overlaps, currency mismatches, another MSSP's plan and price changes of an invoiced plan",
  ...["billing_plans", "billing_plan_prices", "billing_plan_assignments"].flatMap((t) => each(`table public.${t} authenticated`, ["SELECT", "INSERT", "UPDATE", "DELETE"])));
allow("invoices and their lines (lib/billing): read by admins of the customer or an ancestor (policy); written only by the service role (billing.invoicing) after the PDP allowed billing:manage",
  "table public.billing_invoices authenticated SELECT", "table public.billing_invoice_lines authenticated SELECT");
allow("the billing schema holds the tiers check function (immutable, reads nothing) and the counters (no grant)", "schema billing authenticated USAGE", "function billing.valid_tiers(tiers jsonb) authenticated EXECUTE");

// Extension functions: PUBLIC may execute what ltree and pgcrypto install, as
// Postgres installs them and Supabase ships them; they read no table.
const PUBLIC_EXTENSIONS = ["ltree", "pgcrypto"];

interface Grant {
  entry: string;
  ext: string | null;
}

const GRANTS_SQL = `
  with roles(oid, name) as (
    select 0::oid, 'PUBLIC' union all
    select oid, rolname::text from pg_roles where rolname = any ($1::text[])
  ), sch as (
    select oid, nspname, nspacl, nspowner from pg_namespace
     where nspname not in ('pg_catalog', 'information_schema') and nspname not like 'pg\\_%'
  ), ent as (
    select 'schema' as kind, n.nspname::text as obj, a.grantee, a.privilege_type, null::oid as objid, null::oid as classid
      from sch n cross join lateral aclexplode(coalesce(n.nspacl, acldefault('n', n.nspowner))) a
    union all
    select case c.relkind when 'S' then 'sequence' else 'table' end, format('%I.%I', n.nspname, c.relname), a.grantee, a.privilege_type,
           c.oid, 'pg_class'::regclass::oid
      from pg_class c join sch n on n.oid = c.relnamespace
      cross join lateral aclexplode(coalesce(c.relacl, acldefault(case c.relkind when 'S' then 's' else 'r' end::"char", c.relowner))) a
     where c.relkind in ('r', 'p', 'v', 'm', 'f', 'S')
    union all
    select 'column', format('%I.%I.%I', n.nspname, c.relname, att.attname), a.grantee, a.privilege_type, null, null
      from pg_class c join sch n on n.oid = c.relnamespace
      join pg_attribute att on att.attrelid = c.oid and att.attnum > 0 and not att.attisdropped and att.attacl is not null
      cross join lateral aclexplode(att.attacl) a
    union all
    select 'function', format('%I.%I(%s)', n.nspname, p.proname, pg_get_function_identity_arguments(p.oid)), a.grantee, a.privilege_type,
           p.oid, 'pg_proc'::regclass::oid
      from pg_proc p join sch n on n.oid = p.pronamespace
      cross join lateral aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) a
  )
  select e.kind || ' ' || e.obj || ' ' || r.name || ' ' || e.privilege_type as entry,
         (select x.extname from pg_depend d join pg_extension x on x.oid = d.refobjid
           where d.classid = e.classid and d.objid = e.objid and d.deptype = 'e' and d.refclassid = 'pg_extension'::regclass) as ext
    from ent e join roles r on r.oid = e.grantee
   order by 1`;

const grants = (url: string) => withClient(url, async (c) => (await c.query<Grant>(GRANTS_SQL, [ROLES])).rows);

/** What is held but not allowed; extension functions for PUBLIC counted apart. */
function unexpected(rows: Grant[]): string[] {
  return rows
    .filter((g) => !ALLOWED.has(g.entry))
    .filter((g) => !(g.ext && PUBLIC_EXTENSIONS.includes(g.ext) && / PUBLIC EXECUTE$/.test(g.entry) && g.entry.startsWith("function extensions.")))
    .map((g) => g.entry);
}

describe("privileges of anon, authenticated, portal_app and PUBLIC", () => {
  test("control: the scan covers every schema the portal uses, graphile_worker and jobs_engine included", async () => {
    const schemas = await withClient(db.url, async (c) =>
      (await c.query<{ s: string }>(`select distinct n.nspname as s from pg_class c join pg_namespace n on n.oid = c.relnamespace
                                      where c.relkind in ('r', 'p') and n.nspname not like 'pg\\_%' and n.nspname <> 'information_schema'`)).rows.map((r) => r.s),
    );
    for (const s of ["public", "audit", "keyring", "vault", "jobs_engine", "graphile_worker", "supabase_migrations"]) {
      assert.ok(schemas.includes(s), `tables in ${s}`);
    }
  });

  test("every privilege held on any table, column, sequence, schema or function is on the allowlist", async () => {
    assert.deepEqual(unexpected(await grants(db.url)), []);
  });

  test("every allowlist entry is still held (a stale entry would hide a later grant)", async () => {
    const held = new Set((await grants(db.url)).map((g) => g.entry));
    assert.deepEqual([...ALLOWED.keys()].filter((e) => !held.has(e)), []);
  });

  test("control: a grant added by hand is caught (table, column, sequence, function, schema)", async () => {
    await withClient(db.url, async (c) => {
      await c.query("begin");
      try {
        await c.query("grant select on graphile_worker.jobs to authenticated");
        await c.query("grant update (parent_id) on public.tenants to authenticated");
        await c.query("grant usage on sequence graphile_worker.tasks_id_seq to anon");
        await c.query("grant execute on function keyring.unwrap_dek(uuid, integer) to portal_app");
        await c.query("grant usage on schema jobs_engine to public");
        await c.query("create function public.probe_fn() returns int language sql as 'select 1'");
        const rows = (await c.query<Grant>(GRANTS_SQL, [ROLES])).rows;
        assert.deepEqual(unexpected(rows).sort(), [
          "column public.tenants.parent_id authenticated UPDATE",
          "function keyring.unwrap_dek(tenant uuid, dek_version integer) portal_app EXECUTE",
          "function public.probe_fn() PUBLIC EXECUTE",
          "schema jobs_engine PUBLIC USAGE",
          "sequence graphile_worker.tasks_id_seq anon USAGE",
          "table graphile_worker.jobs authenticated SELECT",
        ].sort());
      } finally {
        await c.query("rollback");
      }
    });
  });
});

describe("effective privileges, default privileges and the API roles' own memberships", () => {
  // The ACL scan above reads grants as written. These read what each role can
  // actually do (has_*_privilege follows role membership), so a privilege
  // reached through a role anon or authenticated was made a member of is
  // caught too, and default privileges that would grant the next object
  // created are refused before that object exists.
  const EFFECTIVE_SQL = `
    with r(name) as (select unnest($1::text[]))
    select 'table ' || format('%I.%I', n.nspname, c.relname) || ' ' || r.name || ' ' || p.priv as entry
      from pg_class c join pg_namespace n on n.oid = c.relnamespace cross join r
      cross join unnest(array['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER']) p(priv)
     where c.relkind in ('r', 'p', 'v', 'm', 'f') and n.nspname not in ('pg_catalog', 'information_schema') and n.nspname not like 'pg\\_%'
       and has_table_privilege(r.name, c.oid, p.priv)
    union all
    select 'function ' || format('%I.%I(%s)', n.nspname, f.proname, pg_get_function_identity_arguments(f.oid)) || ' ' || r.name || ' EXECUTE'
      from pg_proc f join pg_namespace n on n.oid = f.pronamespace cross join r
     where n.nspname not in ('pg_catalog', 'information_schema', 'extensions') and n.nspname not like 'pg\\_%'
       and has_function_privilege(r.name, f.oid, 'EXECUTE')
    order by 1`;

  test("what anon, authenticated and portal_app can effectively do to tables and functions is exactly what the allowlist grants them", async () => {
    const effective = await withClient(db.url, async (c) => (await c.query<{ entry: string }>(EFFECTIVE_SQL, [ROLES])).rows.map((r) => r.entry));
    // A function PUBLIC may execute is executable by each role; the allowlist names it once, for PUBLIC.
    const allowed = (e: string) => ALLOWED.has(e) || ALLOWED.has(e.replace(/ (anon|authenticated|portal_app|portal_collector) EXECUTE$/, " PUBLIC EXECUTE"));
    assert.deepEqual(effective.filter((e) => !allowed(e)), []);
    assert.ok(effective.includes("table public.alerts authenticated SELECT"), "control: the effective scan sees a real grant");
  });

  test("control: a privilege reached through a role membership is caught by the effective scan", async () => {
    await withClient(db.url, async (c) => {
      await c.query("begin");
      try {
        await c.query("create role lint_reader nologin");
        await c.query("grant select on keyring.keks to lint_reader");
        await c.query("alter role authenticated inherit"); // before the grant: on Postgres 16+ a grant takes the member's setting
        await c.query("grant lint_reader to authenticated");
        const rows = (await c.query<{ entry: string }>(EFFECTIVE_SQL, [ROLES])).rows.map((r) => r.entry);
        assert.ok(rows.includes("table keyring.keks authenticated SELECT"), rows.filter((r) => r.includes("keyring")).join("\n"));
      } finally {
        await c.query("rollback");
      }
    });
  });

  test("no default privileges grant future objects to PUBLIC, anon, authenticated, service_role or portal_app", async () => {
    const sql = `select format('%s in %s for %s: %s', pg_get_userbyid(d.defaclrole), coalesce(n.nspname, 'any schema'), d.defaclobjtype,
                        case a.grantee when 0 then 'PUBLIC' else pg_get_userbyid(a.grantee) end || ' ' || a.privilege_type) as entry
                   from pg_default_acl d left join pg_namespace n on n.oid = d.defaclnamespace cross join lateral aclexplode(d.defaclacl) a
                  where a.grantee = 0 or pg_get_userbyid(a.grantee) = any ($1::text[])`;
    const roles = [...ROLES, "service_role"];
    assert.deepEqual(await withClient(db.url, async (c) => (await c.query(sql, [roles])).rows), []);
    await withClient(db.url, async (c) => {
      await c.query("begin");
      try {
        await c.query("alter default privileges in schema public grant select on tables to anon");
        assert.equal((await c.query(sql, [roles])).rows.length, 1, "control: a default privilege is seen");
      } finally {
        await c.query("rollback");
      }
    });
  });

  test("anon, authenticated and service_role belong to no role; only portal_app (besides superusers) belongs to them", async () => {
    await withClient(db.url, async (c) => {
      const { rows } = await c.query<{ role: string; member_of: string[]; members: string[] }>(`
        select r.rolname as role,
               array(select g.rolname::text from pg_auth_members m join pg_roles g on g.oid = m.roleid where m.member = r.oid order by 1) as member_of,
               array(select u.rolname::text from pg_auth_members m join pg_roles u on u.oid = m.member
                      where m.roleid = r.oid and not u.rolsuper order by 1) as members
          from pg_roles r where r.rolname in ('anon', 'authenticated', 'service_role') order by 1`);
      assert.deepEqual(rows, ["anon", "authenticated", "service_role"].map((role) => ({ role, member_of: [], members: ["portal_app"] })));
      const attrs = await c.query(`select rolname, rolcanlogin, rolsuper, rolcreaterole, rolcreatedb, rolbypassrls from pg_roles
                                    where rolname in ('anon', 'authenticated') order by 1`);
      for (const a of attrs.rows) assert.deepEqual({ ...a, rolname: undefined }, { rolname: undefined, rolcanlogin: false, rolsuper: false, rolcreaterole: false, rolcreatedb: false, rolbypassrls: false }, a.rolname);
    });
  });
});

describe("portal_app", () => {
  test("is a member of exactly anon, authenticated and service_role, without admin option or inheritance; nobody is a member of it", async () => {
    await withClient(db.url, async (c) => {
      const cols = (await c.query<{ attname: string }>(`select attname from pg_attribute where attrelid = 'pg_auth_members'::regclass and attnum > 0`)).rows.map((r) => r.attname);
      const extra = ["inherit_option", "set_option"].filter((o) => cols.includes(o)); // Postgres 16+
      const { rows } = await c.query(`
        select r.rolname as role, m.admin_option${extra.map((o) => `, m.${o}`).join("")}
          from pg_auth_members m join pg_roles r on r.oid = m.roleid join pg_roles u on u.oid = m.member
         where u.rolname = 'portal_app' order by 1`);
      const expected = ["anon", "authenticated", "service_role"].map((role) => ({
        role,
        admin_option: false,
        ...(extra.includes("inherit_option") ? { inherit_option: false } : {}),
        ...(extra.includes("set_option") ? { set_option: true } : {}),
      }));
      assert.deepEqual(rows, expected);
      const members = await c.query(`select u.rolname from pg_auth_members m join pg_roles u on u.oid = m.member where m.roleid = 'portal_app'::regrole`);
      assert.deepEqual(members.rows, []);
      const attrs = await c.query(`select rolsuper, rolinherit, rolcreaterole, rolcreatedb, rolreplication, rolbypassrls from pg_roles where rolname = 'portal_app'`);
      assert.deepEqual(attrs.rows[0], { rolsuper: false, rolinherit: false, rolcreaterole: false, rolcreatedb: false, rolreplication: false, rolbypassrls: false });
    });
  });
});

describe("portal_collector", () => {
  // Migration 20261201027600: the collector asks the API for its credentials; its old login could set any
  // claims it liked (request.jwt.claims is a setting every session may change) and read every tenant.
  test("belongs to no role, may not log in, and as itself can neither switch to authenticated nor read or build claims", async () => {
    await withClient(db.url, async (c) => {
      const member = await c.query(`select 1 from pg_auth_members m join pg_roles u on u.oid = m.member where u.rolname = 'portal_collector'`);
      assert.equal(member.rowCount, 0, "a member of nothing");
      const members = await c.query(`select 1 from pg_auth_members m where m.roleid = 'portal_collector'::regrole`);
      assert.equal(members.rowCount, 0);
      const attrs = await c.query(`select rolcanlogin, rolsuper, rolinherit, rolcreaterole, rolcreatedb, rolreplication, rolbypassrls from pg_roles where rolname = 'portal_collector'`);
      assert.deepEqual(attrs.rows[0], { rolcanlogin: false, rolsuper: false, rolinherit: false, rolcreaterole: false, rolcreatedb: false, rolreplication: false, rolbypassrls: false });
      const refused = async (sql: string) => {
        await c.query("begin");
        try {
          await c.query("set local role portal_collector");
          await assert.rejects(c.query(sql), (e: { code?: string }) => e.code === "42501", sql);
        } finally {
          await c.query("rollback");
        }
      };
      // The attack the old login allowed was a person's claims, then the switch and a read: it may switch to no role.
      for (const role of ["authenticated", "service_role", "anon", "portal_app"]) {
        const { rows } = await c.query<{ may: boolean }>("select pg_has_role('portal_collector', $1, 'MEMBER') as may", [role]);
        assert.equal(rows[0].may, false, role);
      }
      await refused("select 1 from public.tenants limit 1");
      await refused("select 1 from public.alerts limit 1");
      await refused("select public.api_key_access_token('{}'::jsonb)");
      await refused("select public.custom_access_token_hook('{}'::jsonb)");
    });
  });
});

describe("the service-role path", () => {
  const root = process.cwd();
  async function sources(dir: string): Promise<string[]> {
    const out: string[] = [];
    for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) out.push(...(await sources(full)));
      else if (/\.(ts|tsx)$/.test(entry.name)) out.push(full);
    }
    return out;
  }

  /** The closed list: the string literals of `export type ServicePurpose = ...;`. */
  async function closedList(): Promise<string[]> {
    const text = (await readFile(path.join(root, "lib/db/service-role.ts"), "utf8")).replace(/\/\*[\s\S]*?\*\//g, "");
    const block = /export type ServicePurpose =([\s\S]*?);/.exec(text)?.[1] ?? "";
    return [...block.matchAll(/\|\s*"([^"]+)"/g)].map((m) => m[1]);
  }

  /** Every withServiceRole( and withServiceRoleIn( call in `dir`, with its purpose (a literal, or a const of the same file holding one). */
  async function callSites(dir: string): Promise<{ at: string; purpose: string | null }[]> {
    const out: { at: string; purpose: string | null }[] = [];
    for (const file of await sources(path.join(root, dir))) {
      if (file === path.join(root, "lib/db/service-role.ts")) continue;
      const text = await readFile(file, "utf8");
      const lines = text.split("\n");
      lines.forEach((line, i) => {
        if (/^\s*(\/\/|\*)/.test(line)) return; // comments
        for (const m of line.matchAll(/withServiceRole(?:In)?\(/g)) {
          const rest = line.slice((m.index ?? 0) + m[0].length);
          const literal = /^\s*"([^"]+)"\s*,/.exec(rest);
          const ident = /^\s*([A-Za-z_$][\w$]*)\s*,/.exec(rest);
          let purpose: string | null = literal?.[1] ?? null;
          if (!purpose && ident) {
            const def = new RegExp(`const\\s+${ident[1]}\\s*(?::\\s*ServicePurpose\\s*)?=\\s*"([^"]+)"`).exec(text);
            purpose = def?.[1] ?? null;
          }
          out.push({ at: `${path.relative(root, file)}:${i + 1}`, purpose });
        }
      });
    }
    return out;
  }

  test("every call site in lib/ names a purpose from the closed list, and every listed purpose is used", async () => {
    const list = await closedList();
    assert.ok(list.length >= 8, `closed list: ${list.join(", ")}`);
    const sites = await callSites("lib");
    assert.ok(sites.length >= 20, `found ${sites.length} call sites`);
    assert.deepEqual(sites.filter((s) => s.purpose === null || !list.includes(s.purpose)), [], "call sites without a listed, literal purpose");
    const used = new Set(sites.map((s) => s.purpose));
    assert.deepEqual(list.filter((p) => !used.has(p)), [], "listed purposes no code uses");
  });

  test("developer tooling (scripts/) names listed purposes too", async () => {
    const list = await closedList();
    assert.deepEqual((await callSites("scripts")).filter((s) => s.purpose === null || !list.includes(s.purpose)), []);
  });

  test("the inventory: every call site, by purpose (printed for the manual review in docs/security-model.md)", async () => {
    const sites = [...(await callSites("lib")), ...(await callSites("scripts"))];
    const byPurpose = new Map<string, string[]>();
    for (const s of sites) byPurpose.set(s.purpose ?? "?", [...(byPurpose.get(s.purpose ?? "?") ?? []), s.at]);
    console.log([...byPurpose].sort().map(([p, at]) => `${p}\n${at.map((a) => `  ${a}`).join("\n")}`).join("\n"));
    assert.ok(byPurpose.size >= 8);
  });

  test("no page, route or component switches to the service role", async () => {
    for (const dir of ["app", "components"]) assert.deepEqual(await callSites(dir), [], dir);
  });

  test("only lib/db/service-role.ts and two reviewed places issue SET ROLE service_role", async () => {
    const found: string[] = [];
    for (const dir of ["lib", "app", "components"]) {
      for (const file of await sources(path.join(root, dir))) {
        const code = (await readFile(file, "utf8")).split("\n").filter((l) => !/^\s*(\/\/|\*)/.test(l)).join("\n");
        if (/set\s+(local\s+)?role\s+service_role/i.test(code)) found.push(path.relative(root, file));
      }
    }
    assert.deepEqual(found.sort(), [
      "lib/db/service-role.ts",
      // Developer tooling run as the owner (npm run db:seed), never by the portal: switches only where the owner cannot bypass RLS.
      "lib/demo/seed.ts",
      // The export's REPEATABLE READ snapshot: the same switch and purpose ("lifecycle.archive") as withServiceRole, opened by hand.
      "lib/lifecycle/archive/tx.ts",
    ]);
  });
});

describe("security-definer functions the API roles can call", () => {
  // Supabase's linter warns about every SECURITY DEFINER function that anon or
  // authenticated may execute (each is an RPC that runs with its owner's
  // rights). Issue 9, finding 10: public.accept_invitation was one, and is
  // gone; only the RLS helpers below remain, each returning the caller's own scope.
  const REVIEWED = [
    "tenancy.active_tenant_id()",
    "tenancy.caller_admin_rank_on(target uuid)",
    "tenancy.frozen_tenant_ids()",
    "tenancy.tenant_ids_with_role(roles text[])",
    "tenancy.visible_tenant_ids()",
    // The same two sets as arrays, for the policies (migration 20261201027000): the memo, else the two above.
    "tenancy.ids_with_role(roles text[])",
    "tenancy.visible_ids()",
    // The users policy's per-row check (migration 20261201025300): whether one user has a membership in a
    // tenant of tenancy.visible_tenant_ids(); tests/visible-users.test.ts compares it with the rule as written.
    "tenancy.user_is_visible(target uuid)",
    // lib/settings: must read the ancestors' values and locks, which the caller's RLS hides; answers
    // only for tenants in tenancy.visible_tenant_ids() (tests/tenant-settings.test.ts tries others).
    "settings.effective(p_tenants uuid[])",
    // lib/rules: a customer sees the MSSP's rules as inherited (read-only); answers only for a
    // tenant in tenancy.visible_tenant_ids() (tests/workflows.test.ts asks as another customer).
    "workflows.rules_for(tenant uuid)",
    // lib/groups: a customer picks the MSSP's groups as inherited (names and member counts only);
    // answers only for a tenant in tenancy.visible_tenant_ids() (tests/groups-db.test.ts asks as others).
    "workflows.groups_for(tenant uuid)",
    // lib/alerts/people.ts: what the people on an alert the caller cannot see by name are at its tenant
    // (MSSP staff, a member above, a former member: one word each), for alerts of tenants in
    // tenancy.visible_tenant_ids() only (tests/alert-assignee-eligibility.test.ts asks as another customer).
    "workflows.people_standing(alert_tenants uuid[], alert_ids uuid[], include_timeline boolean)",
    // lib/people/standing.ts: the same words for the people a tenant's API keys and own assignee groups
    // reference, for a tenant in tenancy.visible_tenant_ids() only (tests/people-standing-in.test.ts asks as others).
    "tenancy.people_standing_in(tenant uuid)",
    // lib/api/gateway: an API key records its own last use (time, address), at most once a minute;
    // it updates only the row whose id is the caller's key claim (tenancy.api_key_id()), nothing else.
    "api.touch_key(ip text)",
    // lib/collector: a collector's key unwraps its own tenant's DEK (live key, collectors:write),
    // and nobody else's; a person gets 42501 (tests/collector-own-key.test.ts).
    "api.unwrap_own_dek(dek_version integer)",
    // lib/collector/open-credentials.ts: a collector's key sets last_used_at of the credentials it opened
    // in this transaction (a credential.opened row whose actor is the key), its own tenant's only, once a minute;
    // a person or any other key marks nothing (tests/collector-credentials-last-used.test.ts).
    "api.touch_opened_credentials(credential_ids uuid[])",
    // lib/usage: the tenants whose usage the caller may read (admin roles, or its key's usage:read scope,
    // which a key may not read from api_keys itself); a subset of tenancy.visible_tenant_ids() (tests/usage-rls.test.ts).
    "usage.readable_tenant_ids()",
    // Its array for the usage tables' policies (migration 20261201027000).
    "usage.readable_ids()",
    // lib/analytics: a customer's own percentile among its MSSP's other customers (the tenant's /benchmark);
    // ranks the peers (the customers the caller holds no membership in) inside the database and returns only
    // the caller's own value, its percentile and the peers' count as a band (nothing below 5 peers, nor for a
    // group 1 to 4 short of all), for a customer the caller holds mssp_admin, mssp_analyst or tenant_admin
    // on (tests/analytics-compare.test.ts asks as an analyst, a viewer, another customer and another MSSP;
    // tests/benchmark-anonymity.test.ts tries to single a peer out).
    "analytics.peer_benchmark(p_tenant uuid, p_group text, p_from date, p_to date, p_own_only uuid[])",
    // lib/alerts/list.ts: a full-text search's capped count and page of ids, as the owner so the search
    // index can be used (through RLS it cannot: the match is not leakproof); only alerts of
    // tenancy.visible_tenant_ids() within the tenants asked, never a row (tests/alert-search.test.ts
    // compares it with the list through RLS and asks for other tenants' alerts).
    "search.alert_page(p_q text, p_tenants uuid[], p_severity text, p_statuses text[], p_assignee uuid, p_unassigned boolean, p_group uuid, p_no_group boolean, p_my_groups boolean, p_from timestamp with time zone, p_before timestamp with time zone, p_sort text, p_page integer, p_page_size integer, p_cap integer)",
    // lib/audit/record.ts: a person's audit row, replacing INSERT on audit_log (which the Data API would
    // serve); the actor is auth.uid(), the tenant one of tenancy.visible_ids(), never an auth:* action
    // (tests/audit-record-function.test.ts forges each as a viewer and gets 42501).
    "audit.record(p_tenant uuid, p_action text, p_target_type text, p_target_id text, p_outcome text, p_details jsonb, p_request_id text)",
  ];
  test("anon and authenticated may execute no security-definer function but the reviewed RLS helpers", async () => {
    const rows = await withClient(db.url, async (c) =>
      (await c.query<{ fn: string; anon: boolean }>(
        `select format('%I.%I(%s)', n.nspname, p.proname, pg_get_function_identity_arguments(p.oid)) as fn,
                has_function_privilege('anon', p.oid, 'execute') as anon
           from pg_proc p join pg_namespace n on n.oid = p.pronamespace
          where p.prosecdef and n.nspname not in ('pg_catalog', 'information_schema')
            and (has_function_privilege('authenticated', p.oid, 'execute') or has_function_privilege('anon', p.oid, 'execute'))
          order by 1`,
      )).rows,
    );
    assert.deepEqual(rows.filter((r) => !REVIEWED.includes(r.fn)), [], "security-definer functions callable by anon/authenticated");
    assert.deepEqual(rows.filter((r) => r.anon), [], "anon executes none");
    assert.ok(!rows.some((r) => r.fn.startsWith("public.accept_invitation")));
  });
});

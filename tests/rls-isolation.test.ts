// Cross-tenant reads and writes are refused, for every tenant-scoped table and
// across every kind of boundary in the tree: sibling customers, a site against
// its parent customer and MSSP, sibling sites, and the other MSSP.
//
// Refused means: SELECT returns no rows; UPDATE/DELETE touch no row (or are
// denied outright) and the target rows are unchanged afterwards, checked as
// the owner; INSERT raises 42501. Every case also runs its positive control:
// the target rows exist, the same statement works as the owner, and the actor
// can do the same thing in its own tenant when its role allows.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import pg from "pg";
import { insertFixtures, subtree, USERS, type Fixtures, type TenantSlug, type UserName } from "./helpers/fixtures";
import { as, asOwnerRolledBack, asRolledBack, assertRefused, assertRows, attempt, type Outcome } from "./helpers/sql";
import { createTestDatabase, withClient, type TestDatabase } from "./helpers/test-database";

interface Boundary {
  kind: string;
  actor: UserName;
  /** A tenant the actor holds a role on (directly or through an ancestor). */
  home: TenantSlug;
  target: TenantSlug;
}

const BOUNDARIES: Boundary[] = [
  { kind: "sibling customer", actor: "acmeAdmin", home: "acme", target: "globex" },
  { kind: "sibling customer", actor: "globexAdmin", home: "globex", target: "acme" },
  { kind: "sibling customer", actor: "acmeAnalyst", home: "acme", target: "globex" },
  { kind: "sibling customer", actor: "acmeViewer", home: "acme", target: "globex" },
  { kind: "sibling customer's site", actor: "globexAdmin", home: "globex", target: "acme-eu" },
  { kind: "customer vs its MSSP", actor: "acmeAdmin", home: "acme", target: "mssp-a" },
  { kind: "site vs parent customer", actor: "acmeEuAdmin", home: "acme-eu", target: "acme" },
  { kind: "site vs parent MSSP", actor: "acmeEuAdmin", home: "acme-eu", target: "mssp-a" },
  { kind: "sibling site", actor: "acmeEuAdmin", home: "acme-eu", target: "acme-us" },
  { kind: "sibling site", actor: "acmeUsAdmin", home: "acme-us", target: "acme-eu" },
  { kind: "other MSSP", actor: "msspBAdmin", home: "mssp-b", target: "mssp-a" },
  { kind: "other MSSP", actor: "msspBAdmin", home: "other-co", target: "acme" },
  { kind: "other MSSP", actor: "msspBAdmin", home: "mssp-b", target: "acme-eu" },
  { kind: "other MSSP", actor: "msspBAdmin", home: "other-co", target: "globex" },
  { kind: "other MSSP", actor: "msspAdmin", home: "mssp-a", target: "mssp-b" },
  { kind: "other MSSP", actor: "msspAdmin", home: "acme", target: "other-co" },
  { kind: "other MSSP", actor: "msspAnalyst", home: "globex", target: "other-co" },
  { kind: "other MSSP's customer", actor: "otherCoAdmin", home: "other-co", target: "acme" },
  { kind: "two-customer member vs a third tenant", actor: "twoCustomers", home: "globex", target: "other-co" },
  { kind: "two-customer member vs parent MSSP", actor: "twoCustomers", home: "acme", target: "mssp-a" },
];

const WRITERS = ["mssp_admin", "mssp_analyst", "tenant_admin", "tenant_analyst"];
const DELETERS = ["mssp_admin", "tenant_admin"];
// Who reads the tenant's configuration (settings, workflow rules, their history and runs, channels):
// the roles settings:view allows; and jobs with their steps: the MSSP's staff (migration 20261201032400).
const CONFIGURATION_READERS = ["mssp_admin", "mssp_analyst", "tenant_admin"];
const MSSP_STAFF = ["mssp_admin", "mssp_analyst"];

/** The actor's role on `slug`: the role of the membership whose subtree holds it. */
function roleOn(actor: UserName, slug: TenantSlug): string | undefined {
  return (USERS[actor] as [TenantSlug, string][]).find(([root]) => subtree(root).includes(slug))?.[1];
}

/** Users who are members of `target` and of nothing the actor can see. */
function foreignMembers(fx: Fixtures, actor: UserName, target: TenantSlug): string[] {
  const visible = (USERS[actor] as [TenantSlug, string][]).flatMap(([root]) => subtree(root));
  return (Object.entries(USERS) as [UserName, [TenantSlug, string][]][])
    .filter(([name, ms]) => name !== actor && ms.some(([s]) => s === target) && !ms.some(([s]) => visible.includes(s)))
    .map(([name]) => fx.users[name]);
}

function membersOf(fx: Fixtures, slug: TenantSlug): string[] {
  return (Object.entries(USERS) as [UserName, [TenantSlug, string][]][])
    .filter(([, ms]) => ms.some(([s]) => s === slug))
    .map(([name]) => fx.users[name]);
}

interface Ctx {
  fx: Fixtures;
  actor: UserName;
  /** The tenant the statement is aimed at. */
  slug: TenantSlug;
}

interface TableSpec {
  table:
    | "alerts"
    | "assets"
    | "tenants"
    | "memberships"
    | "users"
    | "invitations"
    | "audit_log"
    | "credentials"
    | "jobs"
    | "job_steps"
    | "tenant_settings"
    | "alert_events"
    | "alert_saved_filters"
    | "notification_channels"
    | "notification_deliveries"
    | "notification_attempts"
    | "workflow_rules"
    | "workflow_rule_versions"
    | "workflow_rule_runs"
    | "alert_raw_events"
    | "collectors"
    | "collector_checkpoints"
    | "api_keys"
    | "assignee_groups"
    | "assignee_group_members"
    | "usage_events"
    | "usage_rollups"
    | "billing_plans"
    | "billing_plan_prices"
    | "billing_plan_assignments"
    | "billing_invoices"
    | "billing_invoice_lines"
    | "tenant_health"
    | "tenant_health_transitions"
    | "bulk_runs"
    | "bulk_run_items"
    | "custom_domains"
    | "brand_assets"
    | "brand_drafts"
    | "reports"
    | "report_schedules"
    | "alert_daily_rollups"
    | "alert_open_counts"
    | "alert_subtree_rollups"
    | "alert_subtree_blocks"
    | "asset_counts";
  key: string;
  /** The column `insert` returns and the scratch-row delete matches on (default id). */
  idColumn?: string;
  /** Rows belonging to the tenant. `$1` is the predicate's parameter. */
  rowsOf(c: Ctx, forTarget: boolean): { where: string; param: unknown };
  insert(c: Ctx): { sql: string; params: unknown[] };
  update: string;
  /** A harmless update the actor may make at home (positive control), if its role allows one. */
  touchHome(c: Ctx, role: string | undefined): { sql: string; params: unknown[] } | undefined;
  /** Whether the actor's role lets it insert/delete rows of this table in its own tenant (`home`). */
  actorWrites(role: string | undefined, home: TenantSlug): { insert: boolean; delete: boolean };
  /** Whether the actor's role lets it read rows of this table in its own tenant (default: yes). */
  homeReadable?(role: string | undefined): boolean;
  /** Rows in every fixture tenant, inserted as the owner before the tests (for tables the shared fixtures leave empty). */
  seed?(owner: pg.Client, fx: Fixtures, slug: TenantSlug): Promise<unknown>;
  /** UPDATE and DELETE are refused for every role, the owner included. */
  appendOnly?: boolean;
}

const viewerRoleFor = (slug: TenantSlug) => (slug.startsWith("mssp") ? "mssp_analyst" : "tenant_viewer");

const tenantRows = (c: Ctx) => ({ where: "tenant_id = $1", param: c.fx.tenants[c.slug] });

/** Someone who may be assigned `slug`'s alerts (so the group-member trigger passes and only RLS decides). */
const assignableIn = (fx: Fixtures, slug: TenantSlug) => (subtree("mssp-b").includes(slug) ? fx.users.msspBAdmin : fx.users.msspAdmin);
/** Per tenant, a seeded group with no members: the members table's inserts go there (no key clash). */
const emptyGroups = new Map<TenantSlug, string>();

const TABLES: TableSpec[] = [
  {
    table: "alerts",
    key: "tenant_id, id",
    rowsOf: tenantRows,
    insert: (c) => ({
      sql: "insert into public.alerts (tenant_id, title, severity, source) values ($1, 'planted', 'high', 'test') returning id",
      params: [c.fx.tenants[c.slug]],
    }),
    // A transition the triage workflow allows (new → acknowledged), so only RLS can refuse it.
    update: "update public.alerts set status = case status when 'new' then 'acknowledged' else status end, assigned_to = null",
    touchHome: (c, r) =>
      WRITERS.includes(r!)
        ? { sql: "update public.alerts set assigned_to = assigned_to where tenant_id = $1", params: [c.fx.tenants[c.slug]] }
        : undefined,
    // People create no alerts: API keys with alerts:write do (migration 20261201031100).
    actorWrites: (r) => ({ insert: false, delete: DELETERS.includes(r!) }),
  },
  {
    table: "assets",
    key: "tenant_id, id",
    rowsOf: tenantRows,
    insert: (c) => ({
      sql: "insert into public.assets (tenant_id, hostname) values ($1, 'planted-' || gen_random_uuid()) returning id",
      params: [c.fx.tenants[c.slug]],
    }),
    update: "update public.assets set criticality = 'low', hostname = hostname || '-tampered'",
    // People neither create nor change assets: API keys with assets:write do (migration 20261201031100).
    touchHome: () => undefined,
    actorWrites: (r) => ({ insert: false, delete: DELETERS.includes(r!) }),
  },
  {
    table: "tenants",
    key: "id",
    rowsOf: (c) => ({ where: "id = $1", param: c.fx.tenants[c.slug] }),
    insert: (c) => ({
      sql: "insert into public.tenants (parent_id, slug, name, kind) values ($1, 'planted-' || substr(md5(random()::text), 1, 8), 'Planted', $2)",
      params: [c.fx.tenants[c.slug], c.slug.startsWith("mssp") ? "customer" : "site"],
    }),
    update: "update public.tenants set name = 'tampered', plan = 'starter'",
    touchHome: () => undefined,
    actorWrites: () => ({ insert: false, delete: false }),
  },
  {
    table: "memberships",
    key: "tenant_id, user_id",
    rowsOf: tenantRows,
    // The classic escalation: grant yourself a role on the other tenant.
    insert: (c) => ({
      sql: "insert into public.memberships (tenant_id, user_id, role) values ($1, $2, $3)",
      params: [c.fx.tenants[c.slug], c.fx.users[c.actor], c.slug.startsWith("mssp") ? "mssp_admin" : "tenant_admin"],
    }),
    // Demote everyone (admins may change roles at or below their rank, in their own subtree).
    update: "update public.memberships set role = case when role like 'mssp%' then 'mssp_analyst' else 'tenant_viewer' end",
    touchHome: (c, r) =>
      DELETERS.includes(r!)
        ? { sql: "update public.memberships set role = role where tenant_id = $1", params: [c.fx.tenants[c.slug]] }
        : undefined,
    actorWrites: () => ({ insert: false, delete: false }),
  },
  {
    table: "users",
    key: "id",
    rowsOf: (c, forTarget) => ({
      where: "id = any ($1::uuid[])",
      param: forTarget ? foreignMembers(c.fx, c.actor, c.slug) : membersOf(c.fx, c.slug),
    }),
    insert: (c) => ({
      sql: "insert into public.users (email, name) values ($1, 'Planted')",
      params: [`planted-${c.slug}-${Math.random().toString(36).slice(2)}@example.test`],
    }),
    update: "update public.users set name = 'tampered'",
    // Everyone may edit their own profile name.
    // (users has no tenant_id: "the rows of a tenant" are the users who are members only there)
    touchHome: (c) => ({ sql: "update public.users set name = name where id = $1", params: [c.fx.users[c.actor]] }),
    actorWrites: () => ({ insert: false, delete: false }),
  },
  {
    table: "invitations",
    key: "tenant_id, id",
    rowsOf: tenantRows,
    insert: (c) => ({
      sql: `insert into public.invitations (tenant_id, email, role, token_hash, invited_by, expires_at)
            values ($1, $2, $3, decode(md5(random()::text), 'hex'), $4, now() + interval '7 days')`,
      params: [c.fx.tenants[c.slug], `invitee-${Math.random().toString(36).slice(2)}@example.test`, viewerRoleFor(c.slug), c.fx.users[c.actor]],
    }),
    update: "update public.invitations set revoked_at = now()",
    touchHome: (c, r) =>
      DELETERS.includes(r!)
        ? { sql: "update public.invitations set revoked_at = revoked_at where tenant_id = $1", params: [c.fx.tenants[c.slug]] }
        : undefined,
    actorWrites: (r) => ({ insert: DELETERS.includes(r!), delete: false }),
    // Only admins see a tenant's invitations.
    homeReadable: (r) => DELETERS.includes(r!),
    seed: (owner, fx, slug) =>
      owner.query(
        `insert into public.invitations (tenant_id, email, role, token_hash, expires_at)
         values ($1, $2, $3, decode(md5($2), 'hex'), now() + interval '7 days')`,
        [fx.tenants[slug], `invited-to-${slug}@example.test`, viewerRoleFor(slug)],
      ),
  },
  {
    table: "audit_log",
    key: "tenant_id, seq",
    rowsOf: tenantRows,
    insert: (c) => ({
      sql: "insert into public.audit_log (tenant_id, action, outcome) values ($1, 'test.planted', 'success')",
      params: [c.fx.tenants[c.slug]],
    }),
    update: "update public.audit_log set outcome = 'denied', details = '{\"tampered\": true}'",
    touchHome: () => undefined,
    // Nobody inserts directly (migration 20261201030100: members record through audit.record,
    // tests/audit-record-function.test.ts); only admins read them.
    actorWrites: () => ({ insert: false, delete: false }),
    homeReadable: (r) => DELETERS.includes(r!),
    seed: (owner, fx, slug) =>
      owner.query("insert into public.audit_log (tenant_id, action, outcome) values ($1, 'test.seed', 'success')", [fx.tenants[slug]]),
    appendOnly: true,
  },
  {
    table: "credentials",
    key: "tenant_id, id",
    rowsOf: tenantRows,
    // Sealed bytes are opaque to the database; key version 1 is every fixture tenant's active key.
    insert: (c) => ({
      sql: `insert into public.credentials (tenant_id, id, connector, name, sealed, key_version, secret_hint)
            values ($1, gen_random_uuid(), 'generic_api_key', 'planted-' || gen_random_uuid(), decode(repeat('ab', 40), 'hex'), 1, 'abcd')
            returning id`,
      params: [c.fx.tenants[c.slug]],
    }),
    // Columns an admin may update (20261201030900: a credential's name, connector and settings never change).
    update: "update public.credentials set secret_hint = 'pwnd', expires_at = now()",
    touchHome: (c, r) =>
      DELETERS.includes(r!)
        ? { sql: "update public.credentials set expires_at = expires_at where tenant_id = $1", params: [c.fx.tenants[c.slug]] }
        : undefined,
    actorWrites: (r) => ({ insert: DELETERS.includes(r!), delete: DELETERS.includes(r!) }),
    seed: (owner, fx, slug) =>
      owner.query(
        `insert into public.credentials (tenant_id, id, connector, name, sealed, key_version, secret_hint)
         values ($1, gen_random_uuid(), 'generic_api_key', 'seeded', decode(repeat('cd', 40), 'hex'), 1, 'wxyz')`,
        [fx.tenants[slug]],
      ),
  },
  {
    table: "jobs",
    key: "tenant_id, id",
    rowsOf: tenantRows,
    // A kind people may queue (migration 20261201030800: key rotations and bulk runs); each insert is
    // rolled back, so one unfinished job per tenant and kind never clashes.
    insert: (c) => ({
      sql: `insert into public.jobs (tenant_id, kind, created_by)
            values ($1, 'bulk.run', $2)
            returning id`,
      params: [c.fx.tenants[c.slug], c.fx.users[c.actor]],
    }),
    // Only the worker (service role) changes jobs: authenticated has no UPDATE or DELETE at all.
    update: "update public.jobs set status = 'failed', last_error = 'tampered'",
    touchHome: () => undefined,
    // Only MSSP admins queue (a customer's admin queues nothing, migration 20261201030800).
    actorWrites: (r) => ({ insert: r === "mssp_admin", delete: false }),
    homeReadable: (r) => MSSP_STAFF.includes(r!),
    seed: (owner, fx, slug) =>
      owner.query("insert into public.jobs (tenant_id, kind, payload) values ($1, 'test.seeded', '{}')", [fx.tenants[slug]]),
  },
  {
    table: "job_steps",
    key: "tenant_id, job_id, position",
    rowsOf: tenantRows,
    // Only the worker writes steps: authenticated may read them and nothing else.
    insert: (c) => ({
      sql: `insert into public.job_steps (tenant_id, job_id, position, name)
            select tenant_id, id, 99, 'planted' from public.jobs where tenant_id = $1 limit 1
            returning job_id`,
      params: [c.fx.tenants[c.slug]],
    }),
    update: "update public.job_steps set status = 'succeeded', last_error = 'tampered'",
    touchHome: () => undefined,
    actorWrites: () => ({ insert: false, delete: false }),
    homeReadable: (r) => MSSP_STAFF.includes(r!),
    seed: (owner, fx, slug) =>
      owner.query(
        `with j as (insert into public.jobs (tenant_id, kind, payload) values ($1, 'test.seeded-steps', '{}') returning tenant_id, id)
         insert into public.job_steps (tenant_id, job_id, position, name) select tenant_id, id, 0, 'seeded' from j`,
        [fx.tenants[slug]],
      ),
  },
  {
    table: "tenant_settings",
    key: "tenant_id, key",
    idColumn: "key",
    rowsOf: tenantRows,
    // A key outside features/limits/integrations, so RLS (not the MSSP-only trigger) is what refuses it.
    insert: (c) => ({
      sql: `insert into public.tenant_settings (tenant_id, key, value, changed_by)
            values ($1, 'test.planted_' || substr(md5(random()::text), 1, 12), 'true', $2) returning key`,
      params: [c.fx.tenants[c.slug], c.fx.users[c.actor]],
    }),
    // Turn a setting and lock it for everything below.
    update: `update public.tenant_settings set value = '"tampered"', locked = true`,
    touchHome: (c, r) =>
      DELETERS.includes(r!)
        ? { sql: "update public.tenant_settings set value = value where tenant_id = $1", params: [c.fx.tenants[c.slug]] }
        : undefined,
    actorWrites: (r) => ({ insert: DELETERS.includes(r!), delete: DELETERS.includes(r!) }),
    homeReadable: (r) => CONFIGURATION_READERS.includes(r!),
    seed: (owner, fx, slug) =>
      owner.query("insert into public.tenant_settings (tenant_id, key, value) values ($1, 'test.seeded', '1')", [fx.tenants[slug]]),
  },
  {
    table: "alert_events",
    key: "tenant_id, id",
    rowsOf: tenantRows,
    // A comment, as the actor, on the tenant's alert: the one kind of row people insert.
    insert: (c) => ({
      sql: `insert into public.alert_events (tenant_id, alert_id, kind, actor_id, body)
            values ($1, $2, 'comment', $3, 'planted') returning id`,
      params: [c.fx.tenants[c.slug], c.fx.alerts[c.slug][0], c.fx.users[c.actor]],
    }),
    // Nothing is edited: authenticated has no UPDATE or DELETE.
    update: "update public.alert_events set body = 'tampered', to_status = 'resolved'",
    touchHome: () => undefined,
    actorWrites: (r) => ({ insert: WRITERS.includes(r!), delete: false }),
    // A status change of the tenant's first alert, as a system job would write it.
    seed: (owner, fx, slug) =>
      owner.query(
        `insert into public.alert_events (tenant_id, alert_id, kind, from_status, to_status)
         values ($1, $2, 'status', 'new', 'acknowledged')`,
        [fx.tenants[slug], fx.alerts[slug][0]],
      ),
  },
  {
    table: "alert_saved_filters",
    key: "tenant_id, id",
    rowsOf: tenantRows,
    insert: (c) => ({
      sql: `insert into public.alert_saved_filters (tenant_id, user_id, name, query)
            values ($1, $2, 'planted-' || gen_random_uuid(), '?q=planted') returning id`,
      params: [c.fx.tenants[c.slug], c.fx.users[c.actor]],
    }),
    update: "update public.alert_saved_filters set query = '?q=tampered'",
    touchHome: () => undefined,
    // Anyone who sees the tenant saves and deletes their own filters there.
    actorWrites: (r) => ({ insert: r !== undefined, delete: r !== undefined }),
    // Every fixture user has a filter in every tenant (as if saved before losing access), so the
    // target holds rows of the actor itself: only the tenant half of the policy can hide them.
    seed: (owner, fx, slug) =>
      owner.query(
        `insert into public.alert_saved_filters (tenant_id, user_id, name, query)
         select $1, u, 'seeded', '?status=new' from unnest($2::uuid[]) u`,
        [fx.tenants[slug], Object.values(fx.users)],
      ),
  },
  {
    table: "notification_channels",
    key: "tenant_id, id",
    rowsOf: tenantRows,
    insert: (c) => ({
      sql: `insert into public.notification_channels (tenant_id, id, name, kind, recipients)
            values ($1, gen_random_uuid(), 'planted-' || gen_random_uuid(), 'email', '{planted@example.test}') returning id`,
      params: [c.fx.tenants[c.slug]],
    }),
    // Redirect the tenant's notifications to someone else.
    update: "update public.notification_channels set recipients = '{attacker@example.test}', enabled = false",
    touchHome: (c, r) =>
      DELETERS.includes(r!)
        ? { sql: "update public.notification_channels set name = name where tenant_id = $1", params: [c.fx.tenants[c.slug]] }
        : undefined,
    actorWrites: (r) => ({ insert: DELETERS.includes(r!), delete: DELETERS.includes(r!) }),
    homeReadable: (r) => CONFIGURATION_READERS.includes(r!),
    seed: (owner, fx, slug) =>
      owner.query(
        `insert into public.notification_channels (tenant_id, id, name, kind, recipients)
         values ($1, gen_random_uuid(), 'seeded', 'email', '{soc@example.test}')`,
        [fx.tenants[slug]],
      ),
  },
  {
    table: "notification_deliveries",
    key: "tenant_id, id",
    rowsOf: tenantRows,
    // Only the delivery path (service role) writes deliveries.
    insert: (c) => ({
      sql: `insert into public.notification_deliveries (tenant_id, channel_id, kind, reason, payload)
            select tenant_id, id, 'email', 'test', '{"planted": true}' from public.notification_channels where tenant_id = $1 limit 1
            returning id`,
      params: [c.fx.tenants[c.slug]],
    }),
    update: "update public.notification_deliveries set status = 'delivered', payload = '{\"tampered\": true}'",
    touchHome: () => undefined,
    actorWrites: () => ({ insert: false, delete: false }),
    // Only admins read a tenant's deliveries.
    homeReadable: (r) => DELETERS.includes(r!),
    seed: (owner, fx, slug) =>
      owner.query(
        `with ch as (insert into public.notification_channels (tenant_id, id, name, kind, recipients)
                     values ($1, gen_random_uuid(), 'seeded-deliveries', 'email', '{soc@example.test}') returning tenant_id, id)
         insert into public.notification_deliveries (tenant_id, channel_id, kind, reason, payload)
         select tenant_id, id, 'email', 'test', '{"seeded": true}' from ch`,
        [fx.tenants[slug]],
      ),
  },
  {
    table: "notification_attempts",
    key: "tenant_id, delivery_id, attempt",
    idColumn: "delivery_id",
    rowsOf: tenantRows,
    insert: (c) => ({
      sql: `insert into public.notification_attempts (tenant_id, delivery_id, attempt, outcome)
            select tenant_id, id, 99, 'delivered' from public.notification_deliveries where tenant_id = $1 limit 1
            returning delivery_id`,
      params: [c.fx.tenants[c.slug]],
    }),
    update: "update public.notification_attempts set outcome = 'delivered', error = 'tampered'",
    touchHome: () => undefined,
    actorWrites: () => ({ insert: false, delete: false }),
    homeReadable: (r) => DELETERS.includes(r!),
    seed: (owner, fx, slug) =>
      owner.query(
        `with ch as (insert into public.notification_channels (tenant_id, id, name, kind, recipients)
                     values ($1, gen_random_uuid(), 'seeded-attempts', 'email', '{soc@example.test}') returning tenant_id, id),
              d as (insert into public.notification_deliveries (tenant_id, channel_id, kind, reason, payload, status, attempts)
                    select tenant_id, id, 'email', 'test', '{"seeded": true}', 'failed', 1 from ch returning tenant_id, id)
         insert into public.notification_attempts (tenant_id, delivery_id, attempt, outcome, error)
         select tenant_id, id, 1, 'failed', 'seeded' from d`,
        [fx.tenants[slug]],
      ),
  },
  {
    table: "assignee_groups",
    key: "tenant_id, id",
    rowsOf: tenantRows,
    insert: (c) => ({
      sql: "insert into public.assignee_groups (tenant_id, name) values ($1, 'planted-' || gen_random_uuid()) returning id",
      params: [c.fx.tenants[c.slug]],
    }),
    update: "update public.assignee_groups set name = 'tampered-' || gen_random_uuid()",
    touchHome: (c, r) =>
      DELETERS.includes(r!) ? { sql: "update public.assignee_groups set name = name where tenant_id = $1", params: [c.fx.tenants[c.slug]] } : undefined,
    actorWrites: (r) => ({ insert: DELETERS.includes(r!), delete: DELETERS.includes(r!) }),
    seed: (owner, fx, slug) => owner.query("insert into public.assignee_groups (tenant_id, name) values ($1, 'seeded')", [fx.tenants[slug]]),
  },
  {
    table: "assignee_group_members",
    key: "tenant_id, group_id, user_id",
    idColumn: "group_id",
    rowsOf: tenantRows,
    // Into the tenant's empty seeded group, someone assignable there: only the policy can refuse it.
    insert: (c) => ({
      sql: "insert into public.assignee_group_members (tenant_id, group_id, user_id) values ($1, $2, $3) returning group_id",
      params: [c.fx.tenants[c.slug], emptyGroups.get(c.slug), assignableIn(c.fx, c.slug)],
    }),
    // No UPDATE is granted: memberships are added and removed.
    update: "update public.assignee_group_members set added_at = now() - interval '1 day'",
    touchHome: () => undefined,
    actorWrites: (r) => ({ insert: DELETERS.includes(r!), delete: DELETERS.includes(r!) }),
    seed: async (owner, fx, slug) => {
      const { rows } = await owner.query<{ id: string; name: string }>(
        "insert into public.assignee_groups (tenant_id, name) values ($1, 'seeded-members'), ($1, 'seeded-empty') returning id, name",
        [fx.tenants[slug]],
      );
      emptyGroups.set(slug, rows.find((r) => r.name === "seeded-empty")!.id);
      await owner.query("insert into public.assignee_group_members (tenant_id, group_id, user_id) values ($1, $2, $3)", [
        fx.tenants[slug],
        rows.find((r) => r.name === "seeded-members")!.id,
        assignableIn(fx, slug),
      ]);
    },
  },
  {
    table: "workflow_rules",
    key: "tenant_id, id",
    rowsOf: tenantRows,
    insert: (c) => ({
      sql: `insert into public.workflow_rules (tenant_id, name, enabled, definition)
            values ($1, 'planted-' || gen_random_uuid(), false, '{"planted": true}') returning id`,
      params: [c.fx.tenants[c.slug]],
    }),
    update: `update public.workflow_rules set enabled = not enabled, definition = '{"tampered": true}'`,
    touchHome: (c, r) =>
      DELETERS.includes(r!)
        ? { sql: "update public.workflow_rules set name = name where tenant_id = $1", params: [c.fx.tenants[c.slug]] }
        : undefined,
    actorWrites: (r) => ({ insert: DELETERS.includes(r!), delete: DELETERS.includes(r!) }),
    homeReadable: (r) => CONFIGURATION_READERS.includes(r!),
    // Disabled, so no alert inserted by the matrix queues an evaluation.
    seed: (owner, fx, slug) =>
      owner.query("insert into public.workflow_rules (tenant_id, name, enabled, definition) values ($1, 'seeded', false, '{}')", [
        fx.tenants[slug],
      ]),
  },
  {
    table: "workflow_rule_versions",
    key: "tenant_id, rule_id, version",
    idColumn: "rule_id",
    rowsOf: tenantRows,
    // Only the rules' trigger writes history: authenticated may read it and nothing else.
    insert: (c) => ({
      sql: `insert into public.workflow_rule_versions (tenant_id, rule_id, version, change, name, position, enabled, definition)
            values ($1, gen_random_uuid(), 1, 'created', 'planted', 100, true, '{}') returning rule_id`,
      params: [c.fx.tenants[c.slug]],
    }),
    update: `update public.workflow_rule_versions set change = 'deleted', definition = '{"tampered": true}'`,
    touchHome: () => undefined,
    actorWrites: () => ({ insert: false, delete: false }),
    homeReadable: (r) => CONFIGURATION_READERS.includes(r!),
    // Through the trigger, as the history is written in production.
    seed: (owner, fx, slug) =>
      owner.query("insert into public.workflow_rules (tenant_id, name, enabled, definition) values ($1, 'seeded-history', false, '{}')", [
        fx.tenants[slug],
      ]),
  },
  {
    table: "workflow_rule_runs",
    key: "tenant_id, alert_id, rule_id, stage",
    idColumn: "rule_id",
    rowsOf: tenantRows,
    // Only the evaluation job (service role) records runs.
    insert: (c) => ({
      sql: `insert into public.workflow_rule_runs (tenant_id, alert_id, rule_tenant_id, rule_id, rule_version, stage, outcome)
            values ($1, $2, $1, gen_random_uuid(), 1, 'escalation', 'applied') returning rule_id`,
      params: [c.fx.tenants[c.slug], c.fx.alerts[c.slug][1]],
    }),
    update: `update public.workflow_rule_runs set outcome = 'skipped', actions = '[{"tampered": true}]'`,
    touchHome: () => undefined,
    actorWrites: () => ({ insert: false, delete: false }),
    homeReadable: (r) => CONFIGURATION_READERS.includes(r!),
    seed: (owner, fx, slug) =>
      owner.query(
        `insert into public.workflow_rule_runs (tenant_id, alert_id, rule_tenant_id, rule_id, rule_version, stage, outcome)
         values ($1, $2, $1, gen_random_uuid(), 1, 'match', 'applied')`,
        [fx.tenants[slug], fx.alerts[slug][0]],
      ),
  },
  {
    // Sealed raw payloads of API-ingested alerts (migration 20261201010500): read by visibility,
    // inserted by API keys with alerts:write only (20261201031500: people never), never updated or
    // deleted as `authenticated` (no grant). Fixture
    // tenants seal under key version 1; the bytes are not a real seal (RLS does not look at them).
    table: "alert_raw_events",
    key: "tenant_id, alert_id",
    idColumn: "alert_id",
    rowsOf: tenantRows,
    insert: (c) => ({
      sql: `insert into public.alert_raw_events (tenant_id, alert_id, sealed, key_version)
            values ($1, $2, decode(repeat('a5', 48), 'hex'), 1) returning alert_id`,
      params: [c.fx.tenants[c.slug], c.fx.alerts[c.slug][1]],
    }),
    update: "update public.alert_raw_events set sealed = decode(repeat('ff', 48), 'hex')",
    touchHome: () => undefined,
    actorWrites: () => ({ insert: false, delete: false }),
    seed: (owner, fx, slug) =>
      owner.query(`insert into public.alert_raw_events (tenant_id, alert_id, sealed, key_version) values ($1, $2, decode(repeat('5a', 48), 'hex'), 1)`, [
        fx.tenants[slug],
        fx.alerts[slug][0],
      ]),
  },
  {
    // Collector heartbeats (migration 20261201010500): API keys with collectors:write report
    // (20261201031500: people neither register nor update one), admins remove.
    table: "collectors",
    key: "tenant_id, id",
    rowsOf: tenantRows,
    insert: (c) => ({
      sql: "insert into public.collectors (tenant_id, name) values ($1, 'planted-' || gen_random_uuid()) returning id",
      params: [c.fx.tenants[c.slug]],
    }),
    update: "update public.collectors set last_error = 'tampered', version = '6.6.6'",
    touchHome: () => undefined,
    actorWrites: (r) => ({ insert: false, delete: DELETERS.includes(r!) }),
    seed: (owner, fx, slug) => owner.query("insert into public.collectors (tenant_id, name, version) values ($1, 'seeded', '1.0')", [fx.tenants[slug]]),
  },
  {
    // Collector checkpoints (migration 20261201011500): API keys with collectors:write record and
    // advance (20261201031500: people never), admins reset.
    // Deterministic collector and credential ids per tenant (seeded below): cp-a/cred-a holds the
    // seeded row, cp-b/cred-b is where a planted row goes (so it never collides with the seeded one).
    table: "collector_checkpoints",
    key: "tenant_id, collector_id, credential_id",
    idColumn: "credential_id",
    rowsOf: tenantRows,
    insert: (c) => ({
      sql: `insert into public.collector_checkpoints (tenant_id, collector_id, credential_id, cursor)
            values ($1::uuid, md5('cp-b:' || $1::uuid::text)::uuid, md5('cred-b:' || $1::uuid::text)::uuid, 'planted') returning credential_id`,
      params: [c.fx.tenants[c.slug]],
    }),
    update: "update public.collector_checkpoints set cursor = 'tampered', alerts_sent = 666",
    touchHome: () => undefined,
    actorWrites: (r) => ({ insert: false, delete: DELETERS.includes(r!) }),
    seed: (owner, fx, slug) =>
      owner.query(
        `with t as (select $1::uuid as id),
              c as (insert into public.collectors (tenant_id, id, name)
                    select t.id, md5(x || ':' || t.id::text)::uuid, x from t, unnest(array['cp-a', 'cp-b']) x returning id),
              k as (insert into public.credentials (tenant_id, id, connector, name, sealed, key_version, secret_hint)
                    select t.id, md5(x || ':' || t.id::text)::uuid, 'generic_api_key', x, decode(repeat('cd', 40), 'hex'), 1, 'wxyz'
                      from t, unnest(array['cred-a', 'cred-b']) x returning id)
         insert into public.collector_checkpoints (tenant_id, collector_id, credential_id, cursor, alerts_sent)
         select t.id, md5('cp-a:' || t.id::text)::uuid, md5('cred-a:' || t.id::text)::uuid, 'seeded', 3
           from t where (select count(*) from c) = 2 and (select count(*) from k) = 2`,
        [fx.tenants[slug]],
      ),
  },
  {
    // API keys (migration 20261201010000): admins of the tenant or an ancestor read, create (as
    // themselves) and revoke; nobody deletes; a key row is never readable by the key's own principal.
    table: "api_keys",
    key: "tenant_id, id",
    rowsOf: tenantRows,
    insert: (c) => ({
      sql: `insert into public.api_keys (tenant_id, id, name, secret_hash, scopes, expires_at, created_by)
            values ($1, gen_random_uuid(), 'planted', sha256(gen_random_uuid()::text::bytea), '{alerts:read,alerts:write}', now() + interval '30 days', $2)
            returning id`,
      params: [c.fx.tenants[c.slug], c.fx.users[c.actor]],
    }),
    update: "update public.api_keys set revoked_at = now()",
    touchHome: (c, r) =>
      DELETERS.includes(r!)
        ? { sql: "update public.api_keys set revoked_at = revoked_at where tenant_id = $1", params: [c.fx.tenants[c.slug]] }
        : undefined,
    actorWrites: (r) => ({ insert: DELETERS.includes(r!), delete: false }),
    homeReadable: (r) => DELETERS.includes(r!),
    seed: (owner, fx, slug) =>
      owner.query(
        `insert into public.api_keys (tenant_id, id, name, secret_hash, scopes, expires_at)
         values ($1, gen_random_uuid(), 'seeded', sha256(gen_random_uuid()::text::bytea), '{alerts:read}', now() + interval '30 days')`,
        [fx.tenants[slug]],
      ),
  },
];

const USAGE_TABLES: TableSpec[] = [
  {
    // Usage events (migration 20261201012000): admins of the tenant or an ancestor read; nobody writes
    // through authenticated (service-role purposes usage.meter and usage.rollup only).
    table: "usage_events",
    // Not id: members may not read it (one sequence counts every tenant's events, 20261201032300).
    key: "tenant_id, metric, idempotency_key",
    rowsOf: tenantRows,
    insert: (c) => ({
      sql: `insert into public.usage_events (tenant_id, metric, quantity, occurred_at, idempotency_key, source)
            values ($1, 'alerts_ingested', 1000, now(), 'planted-' || gen_random_uuid(), 'planted') returning tenant_id`,
      params: [c.fx.tenants[c.slug]],
    }),
    update: "update public.usage_events set quantity = quantity + 1000000",
    touchHome: () => undefined,
    actorWrites: () => ({ insert: false, delete: false }),
    homeReadable: (r) => DELETERS.includes(r!),
    seed: (owner, fx, slug) =>
      owner.query(
        "insert into public.usage_events (tenant_id, metric, quantity, occurred_at, idempotency_key, source) values ($1, 'api_requests', 7, now(), 'seeded', 'test')",
        [fx.tenants[slug]],
      ),
  },
  {
    // Usage rollups: the same readers; rewritten only by the rollup job (service role).
    table: "usage_rollups",
    key: "tenant_id, grain, metric, period_start",
    rowsOf: tenantRows,
    insert: (c) => ({
      sql: `insert into public.usage_rollups (tenant_id, grain, period_start, metric, quantity, events)
            values ($1, 'day', date_trunc('day', now() at time zone 'UTC') at time zone 'UTC' - interval '30 days', 'alerts_ingested', 1, 1)`,
      params: [c.fx.tenants[c.slug]],
    }),
    update: "update public.usage_rollups set quantity = 0",
    touchHome: () => undefined,
    actorWrites: () => ({ insert: false, delete: false }),
    homeReadable: (r) => DELETERS.includes(r!),
    seed: (owner, fx, slug) =>
      owner.query(
        "insert into public.usage_rollups (tenant_id, grain, period_start, metric, quantity, events) values ($1, 'day', date_trunc('day', now() at time zone 'UTC') at time zone 'UTC', 'api_requests', 7, 1)",
        [fx.tenants[slug]],
      ),
  },
];
TABLES.push(...USAGE_TABLES);

// Billing (migration 20261201014000). Seeded in every fixture tenant as the owner: a plan and a
// draft invoice with one line (the schema does not tie them to a kind of tenant; RLS alone decides).
const MSSP_OF = "(select r.id from public.tenants r join public.tenants t on t.path operator(extensions.<@) r.path where t.id = $1 and r.parent_id is null)";
/** Per tenant, its seeded plan (inserts name it by id: an INSERT … SELECT of a plan the actor cannot see would insert nothing rather than be refused). */
const seededPlans = new Map<TenantSlug, string>();
/** Per MSSP, the plan the seeded assignments use (left out of billing_plans' rows: the owner could not delete it while assigned). */
const assignedPlans = new Map<TenantSlug, string>();
const msspOf = (slug: TenantSlug): TenantSlug => (subtree("mssp-b").includes(slug) ? "mssp-b" : "mssp-a");
const BILLING_TABLES: TableSpec[] = [
  {
    // Plans: the MSSP's admins read and change them; customers never read a plan.
    table: "billing_plans",
    key: "tenant_id, id",
    rowsOf: (c) => ({ where: "tenant_id = $1 and name <> 'Assigned plan'", param: c.fx.tenants[c.slug] }),
    insert: (c) => ({
      sql: "insert into public.billing_plans (tenant_id, name, currency) values ($1, 'planted-' || gen_random_uuid(), 'EUR') returning id",
      params: [c.fx.tenants[c.slug]],
    }),
    update: "update public.billing_plans set name = name || ' (planted)'",
    touchHome: () => undefined,
    actorWrites: (r) => ({ insert: r === "mssp_admin", delete: r === "mssp_admin" }),
    homeReadable: (r) => r === "mssp_admin",
    seed: async (owner, fx, slug) => {
      const { rows } = await owner.query<{ id: string }>("insert into public.billing_plans (tenant_id, name, currency, base_fee) values ($1, 'Seeded plan', 'EUR', 100) returning id", [fx.tenants[slug]]);
      seededPlans.set(slug, rows[0].id);
    },
  },
  {
    // Plan prices: as their plan.
    table: "billing_plan_prices",
    key: "tenant_id, plan_id, metric",
    idColumn: "metric",
    rowsOf: tenantRows,
    insert: (c) => ({
      sql: `insert into public.billing_plan_prices (tenant_id, plan_id, metric, tiers) values ($1, $2, 'storage_bytes', '[{"up_to": null, "unit_price": 1}]') returning metric`,
      params: [c.fx.tenants[c.slug], seededPlans.get(c.slug)],
    }),
    update: "update public.billing_plan_prices set included = included + 1000000",
    touchHome: () => undefined,
    actorWrites: (r) => ({ insert: r === "mssp_admin", delete: r === "mssp_admin" }),
    homeReadable: (r) => r === "mssp_admin",
    seed: (owner, fx, slug) =>
      owner.query(
        `insert into public.billing_plan_prices (tenant_id, plan_id, metric, included, tiers)
         select tenant_id, id, 'assets_managed', 10, '[{"up_to": 100, "unit_price": 800}, {"up_to": null, "unit_price": 600}]' from public.billing_plans where tenant_id = $1 and name = 'Seeded plan'`,
        [fx.tenants[slug]],
      ),
  },
  {
    // Plan assignments: which plan bills the tenant; the MSSP's admins only (customers read their plan on their invoice).
    table: "billing_plan_assignments",
    key: "tenant_id, id",
    rowsOf: tenantRows,
    insert: (c) => ({
      sql: `insert into public.billing_plan_assignments (tenant_id, plan_tenant_id, plan_id, starts_on, ends_on)
            values ($1, $2, $3, '2019-01-01', '2019-02-01') returning id`,
      params: [c.fx.tenants[c.slug], c.fx.tenants[msspOf(c.slug)], assignedPlans.get(msspOf(c.slug))],
    }),
    update: "update public.billing_plan_assignments set ends_on = null",
    touchHome: () => undefined,
    actorWrites: (r) => ({ insert: r === "mssp_admin", delete: r === "mssp_admin" }),
    homeReadable: (r) => r === "mssp_admin",
    seed: async (owner, fx, slug) => {
      const mssp = msspOf(slug);
      if (!assignedPlans.has(mssp)) {
        const { rows } = await owner.query<{ id: string }>("insert into public.billing_plans (tenant_id, name, currency) values ($1, 'Assigned plan', 'EUR') returning id", [fx.tenants[mssp]]);
        assignedPlans.set(mssp, rows[0].id);
      }
      await owner.query(
        "insert into public.billing_plan_assignments (tenant_id, plan_tenant_id, plan_id, starts_on, ends_on) values ($1, $2, $3, '2020-01-01', '2020-02-01')",
        [fx.tenants[slug], fx.tenants[mssp], assignedPlans.get(mssp)],
      );
    },
  },
  {
    // Invoices: the MSSP's admins read, the customer's admins once finalized; nobody writes through authenticated (service role, billing.invoicing).
    table: "billing_invoices",
    key: "tenant_id, id",
    rowsOf: tenantRows,
    insert: (c) => ({
      sql: `insert into public.billing_invoices (tenant_id, mssp_id, period_start, period_end, currency, plan_name, subtotal, total)
            values ($1, ${MSSP_OF}, '2020-02-01', '2020-03-01', 'EUR', 'planted', 0, 0) returning id`,
      params: [c.fx.tenants[c.slug]],
    }),
    update: "update public.billing_invoices set total = total + 1000000",
    touchHome: () => undefined,
    actorWrites: () => ({ insert: false, delete: false }),
    homeReadable: (r) => r === "mssp_admin", // the seeded invoices are drafts: a customer sees finalized ones only (tests/billing-invoices.test.ts)
    seed: (owner, fx, slug) =>
      owner.query(
        `with i as (insert into public.billing_invoices (tenant_id, mssp_id, period_start, period_end, currency, plan_name, subtotal, total)
                    values ($1, ${MSSP_OF}, '2020-01-01', '2020-02-01', 'EUR', 'Seeded plan', 100, 100) returning tenant_id, id)
         insert into public.billing_invoice_lines (tenant_id, invoice_id, line_no, kind, description, amount)
         select tenant_id, id, 1, 'base_fee', 'Seeded plan: monthly base fee', 100 from i`,
        [fx.tenants[slug]],
      ),
  },
  {
    table: "billing_invoice_lines",
    key: "tenant_id, invoice_id, line_no",
    idColumn: "line_no",
    rowsOf: tenantRows,
    insert: (c) => ({
      sql: `insert into public.billing_invoice_lines (tenant_id, invoice_id, line_no, kind, description, amount)
            select tenant_id, id, 2, 'base_fee', 'planted', 1000000 from public.billing_invoices where tenant_id = $1 limit 1 returning line_no`,
      params: [c.fx.tenants[c.slug]],
    }),
    update: "update public.billing_invoice_lines set amount = amount + 1000000",
    touchHome: () => undefined,
    actorWrites: () => ({ insert: false, delete: false }),
    homeReadable: (r) => r === "mssp_admin",
  },
];
TABLES.push(...BILLING_TABLES);

const HEALTH_TABLES: TableSpec[] = [
  {
    // Health states (migration 20261201014500): staff of an ancestor and the tenant's admins and
    // analysts read (not viewers); written only by the evaluation job (service role health.evaluate).
    table: "tenant_health",
    key: "tenant_id",
    rowsOf: tenantRows,
    insert: (c) => ({
      sql: "insert into public.tenant_health (tenant_id, state, since, evaluated_at) values ($1, 'down', now(), now()) on conflict (tenant_id) do update set state = 'down' returning tenant_id",
      params: [c.fx.tenants[c.slug]],
    }),
    update: "update public.tenant_health set state = 'healthy', signals = '[]'",
    touchHome: () => undefined,
    actorWrites: () => ({ insert: false, delete: false }),
    homeReadable: (r) => WRITERS.includes(r!),
    seed: (owner, fx, slug) =>
      owner.query("insert into public.tenant_health (tenant_id, state, since, evaluated_at) values ($1, 'degraded', now(), now())", [fx.tenants[slug]]),
  },
  {
    // Health history: the same readers; appended only by the evaluation job.
    table: "tenant_health_transitions",
    // Not id: members may not read it (one sequence counts every tenant's changes, 20261201032300).
    key: "tenant_id, occurred_at, to_state",
    rowsOf: tenantRows,
    insert: (c) => ({
      sql: "insert into public.tenant_health_transitions (tenant_id, from_state, to_state, occurred_at) values ($1, 'healthy', 'down', now()) returning tenant_id",
      params: [c.fx.tenants[c.slug]],
    }),
    update: "update public.tenant_health_transitions set to_state = 'healthy'",
    touchHome: () => undefined,
    actorWrites: () => ({ insert: false, delete: false }),
    homeReadable: (r) => WRITERS.includes(r!),
    seed: (owner, fx, slug) =>
      owner.query("insert into public.tenant_health_transitions (tenant_id, from_state, to_state, occurred_at) values ($1, null, 'degraded', now())", [fx.tenants[slug]]),
  },
];
TABLES.push(...HEALTH_TABLES);

/** Per tenant, a seeded finished bulk run, and a dry run planned by its MSSP's admin: the items' inserts go to the latter. */
const seededRuns = new Map<TenantSlug, string>();
const plannedRuns = new Map<TenantSlug, string>();
/** Runs are planned on an MSSP only (migration 20261201030500): its admins insert runs and items there, not on a customer. */
const bulkWrites = (r: string | undefined, home: TenantSlug) => ({ insert: r === "mssp_admin" && home.startsWith("mssp"), delete: false });
const BULK_TABLES: TableSpec[] = [
  {
    // Bulk runs (migration 20261201018000): the MSSP's admins read, plan and update them; nobody deletes one (history).
    // Planned as a dry run on the MSSP only (20261201030500).
    table: "bulk_runs",
    key: "tenant_id, id",
    rowsOf: tenantRows,
    insert: (c) => ({
      sql: "insert into public.bulk_runs (tenant_id, operation, total, created_by) values ($1, 'resume', 1, auth.uid()) returning id",
      params: [c.fx.tenants[c.slug]],
    }),
    update: "update public.bulk_runs set status = 'undone', note = 'tampered'",
    touchHome: () => undefined,
    actorWrites: bulkWrites,
    homeReadable: (r) => r === "mssp_admin",
    seed: async (owner, fx, slug) => {
      const { rows } = await owner.query<{ id: string }>("insert into public.bulk_runs (tenant_id, operation, total, status) values ($1, 'rotate_keys', 1, 'finished') returning id", [fx.tenants[slug]]);
      seededRuns.set(slug, rows[0].id);
      const { rows: planned } = await owner.query<{ id: string }>(
        "insert into public.bulk_runs (tenant_id, operation, total, created_by) values ($1, 'resume', 1, $2) returning id",
        [fx.tenants[slug], assignableIn(fx, slug)],
      );
      plannedRuns.set(slug, planned[0].id);
    },
  },
  {
    // Bulk run items: the same readers; nobody's statement inserts or changes one (migration 20261201031700): the
    // portal's dry run and its worker write them through the service role, inside the person's own transaction.
    table: "bulk_run_items",
    key: "tenant_id, run_id, target_tenant_id",
    idColumn: "target_tenant_id",
    rowsOf: tenantRows,
    insert: (c) => ({
      sql: "insert into public.bulk_run_items (tenant_id, run_id, target_tenant_id, position, target_name, planned) values ($1, $2, $1, 0, 'planted', 'planted') returning target_tenant_id",
      params: [c.fx.tenants[c.slug], plannedRuns.get(c.slug)],
    }),
    update: "update public.bulk_run_items set status = 'done', message = 'tampered'",
    touchHome: () => undefined,
    actorWrites: () => ({ insert: false, delete: false }),
    homeReadable: (r) => r === "mssp_admin",
    seed: (owner, fx, slug) =>
      owner.query("insert into public.bulk_run_items (tenant_id, run_id, target_tenant_id, position, target_name, planned, status) values ($1, $2, $1, 0, 'seeded', 'x', 'done')", [fx.tenants[slug], seededRuns.get(slug)]),
  },
];
TABLES.push(...BULK_TABLES);

const REPORT_TABLES: TableSpec[] = [
  {
    // Stored reports (migration 20261201017000): admins and analysts of the tenant or an ancestor read them
    // and ask for one (a queued row, as themselves); only the worker (service role) changes or deletes one.
    table: "reports",
    key: "tenant_id, id",
    rowsOf: tenantRows,
    insert: (c) => ({
      sql: `insert into public.reports (tenant_id, kind, format, period_start, period_end, created_by)
            values ($1, 'executive', 'pdf', now() - interval '2 days', now() - interval '1 day', auth.uid()) returning id`,
      params: [c.fx.tenants[c.slug]],
    }),
    update: "update public.reports set error = 'tampered', progress = 0",
    touchHome: () => undefined,
    actorWrites: (r) => ({ insert: WRITERS.includes(r!), delete: false }),
    homeReadable: (r) => WRITERS.includes(r!),
    seed: (owner, fx, slug) =>
      owner.query(
        "insert into public.reports (tenant_id, kind, format, period_start, period_end, status, progress, content, size_bytes) values ($1, 'operational', 'csv', now() - interval '8 days', now() - interval '1 day', 'ready', 100, 'x', 1)",
        [fx.tenants[slug]],
      ),
  },
  {
    // Report schedules: the same readers; they add schedules as themselves and remove them.
    table: "report_schedules",
    key: "tenant_id, id",
    rowsOf: tenantRows,
    insert: (c) => ({
      // No next_run_at: the database sets a schedule's first run (20261201030910).
      sql: "insert into public.report_schedules (tenant_id, kind, format, cadence, created_by) values ($1, 'executive', 'pdf', 'weekly', auth.uid()) returning id",
      params: [c.fx.tenants[c.slug]],
    }),
    update: "update public.report_schedules set recipients = '{attacker@evil.test}'",
    touchHome: () => undefined,
    actorWrites: (r) => ({ insert: WRITERS.includes(r!), delete: WRITERS.includes(r!) }),
    homeReadable: (r) => WRITERS.includes(r!),
    seed: (owner, fx, slug) =>
      owner.query("insert into public.report_schedules (tenant_id, kind, format, cadence, next_run_at) values ($1, 'operational', 'csv', 'monthly', now() + interval '20 days')", [fx.tenants[slug]]),
  },
];
TABLES.push(...REPORT_TABLES);

const DOMAIN_TABLES: TableSpec[] = [
  {
    // Custom domains (migration 20261201021000): admins of the tenant or an ancestor read;
    // written only through the service role (domains.manage, after the PDP allowed domains:manage).
    table: "custom_domains",
    key: "tenant_id, id",
    rowsOf: tenantRows,
    insert: (c) => ({
      sql: "insert into public.custom_domains (tenant_id, domain, skeleton, token) values ($1, 'planted-' || gen_random_uuid() || '.test', 'planted', 'planted-token-0123456789abcdef') returning id",
      params: [c.fx.tenants[c.slug]],
    }),
    update: "update public.custom_domains set status = 'verified', verified_at = now()",
    touchHome: () => undefined,
    actorWrites: () => ({ insert: false, delete: false }),
    homeReadable: (r) => r === "mssp_admin" || r === "tenant_admin",
    seed: (owner, fx, slug) =>
      owner.query("insert into public.custom_domains (tenant_id, domain, skeleton, token) values ($1, $2, $2, 'seed-token-0123456789abcdefgh')", [fx.tenants[slug], `seed.${slug}.test`]),
  },
];
TABLES.push(...DOMAIN_TABLES);

// Branding (issue 14, migration 20261201020000): logos and the draft brand, read and written by the
// admins of the tenant or an ancestor (branding:manage); assets are immutable (no update, no delete grant).
const BRAND_TABLES: TableSpec[] = [
  {
    table: "brand_assets",
    key: "tenant_id, sha256",
    idColumn: "sha256",
    rowsOf: tenantRows,
    insert: (c) => ({
      sql: `insert into public.brand_assets (tenant_id, sha256, content_type, bytes, width, height)
            select $1, encode(extensions.digest(b, 'sha256'), 'hex'), 'image/png', b, 1, 1
              from (select convert_to(gen_random_uuid()::text, 'UTF8') as b) x returning sha256`,
      params: [c.fx.tenants[c.slug]],
    }),
    update: "update public.brand_assets set content_type = 'image/svg+xml'",
    touchHome: () => undefined,
    actorWrites: (r) => ({ insert: DELETERS.includes(r!), delete: false }),
    homeReadable: (r) => DELETERS.includes(r!),
    seed: (owner, fx, slug) =>
      owner.query(
        "insert into public.brand_assets (tenant_id, sha256, content_type, bytes, width, height) select $1, encode(extensions.digest(b, 'sha256'), 'hex'), 'image/png', b, 2, 2 from (select convert_to($2::text, 'UTF8') as b) x",
        [fx.tenants[slug], `seed-logo-${slug}`],
      ),
  },
  {
    table: "brand_drafts",
    key: "tenant_id",
    idColumn: "tenant_id",
    rowsOf: tenantRows,
    insert: (c) => ({
      sql: `insert into public.brand_drafts (tenant_id, draft) values ($1, '{"productName":"Planted"}')
            on conflict (tenant_id) do update set draft = excluded.draft returning tenant_id`,
      params: [c.fx.tenants[c.slug]],
    }),
    update: `update public.brand_drafts set draft = '{"productName":"Hijacked"}'`,
    touchHome: () => undefined,
    // One draft per tenant: a positive-control delete at home would remove the seeded row other pairs target.
    actorWrites: (r) => ({ insert: DELETERS.includes(r!), delete: false }),
    homeReadable: (r) => DELETERS.includes(r!),
    seed: (owner, fx, slug) => owner.query(`insert into public.brand_drafts (tenant_id, draft) values ($1, '{"productName":"Seeded"}')`, [fx.tenants[slug]]),
  },
];
TABLES.push(...BRAND_TABLES);

// Alert rollups (issue 13, migration 20261201016000): read like alerts; written only by the alert
// triggers (every fixture tenant has rows from its fixture alerts).
const ANALYTICS_TABLES: TableSpec[] = [
  {
    table: "alert_daily_rollups",
    key: "tenant_id, day, severity",
    rowsOf: tenantRows,
    insert: (c) => ({
      sql: "insert into public.alert_daily_rollups (tenant_id, day, severity, created) values ($1, '2000-01-01', 'high', 1000)",
      params: [c.fx.tenants[c.slug]],
    }),
    update: "update public.alert_daily_rollups set created = created + 1000",
    touchHome: () => undefined,
    actorWrites: () => ({ insert: false, delete: false }),
  },
  {
    table: "alert_open_counts",
    key: "tenant_id, severity",
    rowsOf: tenantRows,
    insert: (c) => ({
      sql: "insert into public.alert_open_counts (tenant_id, severity, open) values ($1, 'info', 1000)",
      params: [c.fx.tenants[c.slug]],
    }),
    update: "update public.alert_open_counts set open = open + 1000",
    touchHome: () => undefined,
    actorWrites: () => ({ insert: false, delete: false }),
  },
  {
    table: "alert_subtree_rollups",
    key: "tenant_id, day, severity",
    rowsOf: tenantRows,
    insert: (c) => ({
      sql: "insert into public.alert_subtree_rollups (tenant_id, day, severity, created) values ($1, '2000-01-01', 'high', 1000)",
      params: [c.fx.tenants[c.slug]],
    }),
    update: "update public.alert_subtree_rollups set created = created + 1000",
    touchHome: () => undefined,
    actorWrites: () => ({ insert: false, delete: false }),
  },
  {
    table: "alert_subtree_blocks",
    key: "tenant_id, level, start_day",
    rowsOf: tenantRows,
    insert: (c) => ({
      sql: "insert into public.alert_subtree_blocks (tenant_id, level, start_day, created) values ($1, 0, '2000-01-01', 1000)",
      params: [c.fx.tenants[c.slug]],
    }),
    update: "update public.alert_subtree_blocks set created = created + 1000",
    touchHome: () => undefined,
    actorWrites: () => ({ insert: false, delete: false }),
  },
  {
    table: "asset_counts",
    key: "tenant_id",
    rowsOf: tenantRows,
    insert: (c) => ({
      sql: "insert into public.asset_counts as x (tenant_id, assets) values ($1, 1000) on conflict (tenant_id) do update set assets = x.assets + 1000",
      params: [c.fx.tenants[c.slug]],
    }),
    update: "update public.asset_counts set assets = assets + 1000",
    touchHome: () => undefined,
    actorWrites: () => ({ insert: false, delete: false }),
  },
];
TABLES.push(...ANALYTICS_TABLES);

/** Tables without tenant_id that are still tenant-scoped through a relation. */
const SCOPED_WITHOUT_TENANT_ID = ["tenants", "users"];

// Created at load time so the matrix below can cover exactly the tables this schema has.
const db: TestDatabase = await createTestDatabase();
const existing = new Set(
  (await withClient(db.url, (c) => c.query<{ t: string }>("select tablename as t from pg_tables where schemaname = 'public'"))).rows.map((r) => r.t),
);
const COVERED = TABLES.filter((t) => existing.has(t.table));
let fx: Fixtures;
let owner: pg.Client;

before(async () => {
  fx = await insertFixtures(db.url);
  owner = new pg.Client({ connectionString: db.url });
  await owner.connect();
  for (const spec of COVERED) {
    for (const slug of Object.keys(fx.tenants) as TenantSlug[]) await spec.seed?.(owner, fx, slug);
  }
});
after(async () => {
  await owner?.end();
  await db.drop();
});

async function snapshot(spec: TableSpec, c: Ctx): Promise<unknown[]> {
  const { where, param } = spec.rowsOf(c, true);
  const { rows } = await owner.query(
    `select to_jsonb(x) as row from public.${spec.table} x where ${where} order by to_jsonb(x)::text`,
    [param],
  );
  return rows.map((r) => r.row);
}

/** Refused update/delete: denied outright, or touched nothing. */
function assertNoEffect(o: Outcome): void {
  if (!o.ok) assert.equal(o.code, "42501", `unexpected error ${o.code}: ${o.message}`);
  else assert.equal(o.rowCount, 0, `statement touched ${o.rowCount} rows across the boundary`);
}

test("guard: every tenant-scoped table in public is in this matrix", async () => {
  const { rows } = await owner.query<{ relname: string }>(`
    select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where n.nspname = 'public' and c.relkind in ('r', 'p')
       and exists (select 1 from pg_attribute a where a.attrelid = c.oid and a.attname = 'tenant_id' and not a.attisdropped)`);
  const scoped = [...rows.map((r) => r.relname), ...SCOPED_WITHOUT_TENANT_ID].sort();
  assert.deepEqual(COVERED.map((t) => t.table).sort(), scoped, "add the new table to TABLES above");
});

for (const b of BOUNDARIES) {
  describe(`${b.kind}: ${b.actor} (role on ${b.home}) against ${b.target}`, () => {
    for (const spec of COVERED) {
      const target = (): Ctx => ({ fx, actor: b.actor, slug: b.target });
      const home = (): Ctx => ({ fx, actor: b.actor, slug: b.home });
      const role = () => roleOn(b.actor, b.home);
      const can = () => spec.actorWrites(role(), b.home);

      test(`cannot read ${b.target} ${spec.table}`, async () => {
        const t = spec.rowsOf(target(), true);
        const h = spec.rowsOf(home(), false);
        const sql = (where: string) => `select ${spec.key} from public.${spec.table} where ${where}`;
        const [seenTarget, seenHome] = await as(fx, b.actor, async ({ client }) => [
          await attempt(client, sql(t.where), [t.param]),
          await attempt(client, sql(h.where), [h.param]),
        ]);
        assertRows(seenTarget, 0);
        // Positive control: the same query sees the actor's own rows (where its role may read them).
        if (spec.homeReadable?.(role()) ?? true) assertRows(seenHome);
        else assertRows(seenHome, 0);
        const existing = await owner.query(sql(t.where), [t.param]);
        assert.ok((existing.rowCount ?? 0) > 0, "fixture: the target rows exist");
      });

      test(`cannot insert into ${b.target} ${spec.table}`, async () => {
        const ins = spec.insert(target());
        const before = await snapshot(spec, target());
        const [intoTarget, intoHome] = await asRolledBack(fx, b.actor, async ({ client }) => {
          // Without RETURNING: the SELECT policy would refuse returning a planted row anyway,
          // which would hide a loosened INSERT policy.
          const r = await attempt(client, ins.sql.replace(/\s+returning\s+\w+\s*$/i, ""), ins.params);
          const own = spec.insert(home());
          return [r, can().insert ? await attempt(client, own.sql, own.params) : undefined];
        });
        assertRefused(intoTarget);
        if (intoHome) assertRows(intoHome, 1); // positive control: the actor may insert at home
        assertRows(await asOwnerRolledBack(owner, ins.sql, ins.params), 1); // the statement itself is valid
        assert.deepEqual(await snapshot(spec, target()), before);
      });

      test(`cannot update ${b.target} ${spec.table}`, async () => {
        const t = spec.rowsOf(target(), true);
        const touch = spec.touchHome(home(), role());
        const before = await snapshot(spec, target());
        assert.ok(before.length > 0, "fixture: the target has rows");
        const [onTarget, onHome] = await as(fx, b.actor, async ({ client }) => [
          await attempt(client, `${spec.update} where ${t.where}`, [t.param]),
          touch ? await attempt(client, touch.sql, touch.params) : undefined,
        ]);
        assertNoEffect(onTarget);
        if (onHome) assertRows(onHome); // positive control
        const asOwner = await asOwnerRolledBack(owner, `${spec.update} where ${t.where}`, [t.param]);
        if (spec.appendOnly) assertRefused(asOwner); // nobody may, the owner included
        else assertRows(asOwner);
        assert.deepEqual(await snapshot(spec, target()), before, "target rows changed");
      });

      test(`cannot delete ${b.target} ${spec.table}`, async () => {
        const t = spec.rowsOf(target(), true);
        const before = await snapshot(spec, target());
        assert.ok(before.length > 0, "fixture: the target has rows");
        // A scratch row at home that the actor may delete, when its role allows.
        let scratch: string | undefined;
        if (can().delete) {
          const own = spec.insert(home());
          scratch = (await owner.query(own.sql, own.params)).rows[0][spec.idColumn ?? "id"];
        }
        const [onTarget, onHome] = await as(fx, b.actor, async ({ client }) => [
          await attempt(client, `delete from public.${spec.table} where ${t.where}`, [t.param]),
          scratch ? await attempt(client, `delete from public.${spec.table} where ${spec.idColumn ?? "id"} = $1`, [scratch]) : undefined,
        ]);
        assertNoEffect(onTarget);
        if (onHome) assertRows(onHome, 1); // positive control
        const asOwner = await asOwnerRolledBack(owner, `delete from public.${spec.table} where ${t.where}`, [t.param]);
        // The owner's delete reaches the rows (a tenant with children or history is only held back by a foreign key).
        if (spec.appendOnly) assertRefused(asOwner);
        else if (!(spec.table === "tenants" && !asOwner.ok && asOwner.code === "23503")) assertRows(asOwner);
        assert.deepEqual(await snapshot(spec, target()), before, "target rows changed");
      });

      const rowTable = spec.table;
      if (rowTable === "alerts" || rowTable === "assets") {
        test(`cannot move its ${b.home} ${spec.table} row into ${b.target}`, async () => {
          const row = fx[rowTable][b.home][1];
          const [moved, kept] = await as(fx, b.actor, async ({ client }) => [
            await attempt(client, `update public.${spec.table} set tenant_id = $1 where tenant_id = $2 and id = $3`, [
              fx.tenants[b.target],
              fx.tenants[b.home],
              row,
            ]),
            // Only granted columns in place: an alert's triage columns (20261201028100), an asset's ingested ones (20261201031100).
            await attempt(client, `update public.${spec.table} set ${rowTable === "alerts" ? "assigned_to = assigned_to" : "os = os"} where id = $1`, [row]),
          ]);
          if (rowTable === "alerts") {
            assertRefused(moved); // no column grant on tenant_id: refused whoever asks
            assertRows(kept, spec.touchHome(home(), role()) ? 1 : 0);
          } else if (spec.touchHome(home(), role())) {
            assertRefused(moved); // WITH CHECK: the new row would be outside the actor's tenants
            assertRows(kept, 1); // positive control: the same row is writable in place
          } else {
            assertNoEffect(moved);
            assertRows(kept, 0);
          }
          const { rows } = await owner.query(`select tenant_id from public.${spec.table} where id = $1`, [row]);
          assert.deepEqual(rows, [{ tenant_id: fx.tenants[b.home] }]);
        });
      }
    }
  });
}

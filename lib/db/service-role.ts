// The named service-role path (DESIGN.md: "Service role ... used only by jobs
// that must cross tenants by design ... each in a named module"). Each caller
// names its purpose from the closed list below, so `grep withServiceRole` is
// the complete inventory of RLS-bypassing code.
import type pg from "pg";
import { drizzle } from "drizzle-orm/node-postgres";
import { schema } from "@/drizzle/schema";
import type { Db } from "./with-tenant";
import { inTransaction } from "./with-tenant";
import { sqlState } from "./sql-state";
import { withLogContext } from "@/lib/log";

export type ServicePurpose =
  /** Credential check before any user is known (lib/auth/credentials.ts); whether the person may sign in on a tenant's custom domain (lib/auth/host-rule.ts). */
  | "auth.sign-in"
  /** Host -> tenant resolution for the proxy and the 404 page (lib/tenancy/resolve-host.ts). */
  | "tenancy.resolve-host"
  /** The second factor: TOTP secrets, recovery codes, code lockout, whether MFA is required (lib/auth/mfa.ts). */
  | "auth.mfa"
  /** Session records: created at sign-in, revoked at sign-out and on password, MFA and membership changes (lib/auth/sessions.ts). */
  | "auth.session"
  /** Auth events into the audit trail of each tenant the user is a member of, before or without a session (lib/auth/events.ts). */
  | "auth.events"
  /** Audit rows of denied attempts, written outside the refused transaction; and the chain verifier (lib/audit). */
  | "audit.record-denied"
  | "audit.verify"
  /** An invitation link opened before sign-in, its mailbox code, the account an invitee creates and the acceptance (lib/team/accept.ts); the invitee's memberships and the tenant's primary custom domain, which its mailed link's host depends on (lib/team/links.ts). */
  | "team.invitation"
  /** The email outbox: queue a message inside the caller's transaction, deliver it (lib/mail). */
  | "mail.outbox"
  /** Password reset by emailed code, before any user is signed in (lib/account/password-reset.ts). */
  | "account.password-reset"
  /** Tenant keys: unwrap a DEK for the key cache, key status, KEK rotation, crypto-shredding (lib/vault/keys.ts). */
  | "vault.keys"
  /** Durable jobs: claim, heartbeat, finish; and the handlers that re-seal a tenant's credentials (lib/jobs). */
  | "jobs.worker"
  /** Tenant lifecycle workflows: provision, suspend, move, offboard and purge across the tree (lib/lifecycle). */
  | "lifecycle.workflow"
  /** Export, restore and import of one tenant's rows (lib/lifecycle/archive). */
  | "lifecycle.archive"
  /** Shared rate-limit buckets, counted before any user is known (lib/ratelimit). */
  | "ratelimit"
  /** Workflows: rule evaluation and escalation on new alerts, notification deliveries and their channels' secrets (lib/rules, lib/notify). */
  | "workflows.engine"
  /** An operator's command: list a tenant's raw events that do not open and, confirmed, delete them with an audit row (lib/ingest/raw-unopenable.ts). */
  | "ingest.unopenable-raw-events"
  /** Data retention: the daily purge of each tenant's alerts older than its limits.data_retention_days (lib/retention). */
  | "retention.purge"
  /** Usage metering: events written inside the ingestion and API transactions, the minute counter of API requests (lib/usage/record.ts). */
  | "usage.meter"
  /** Usage metering: the rollup and nightly snapshot jobs, across every tenant (lib/usage/rollup.ts, lib/usage/snapshot.ts). */
  | "usage.rollup"
  /** Health monitoring: the every-minute evaluation of every tenant's signals, its states, history and notifications (lib/health). */
  | "health.evaluate"
  /** Billing: drafting, finalizing and crediting invoices (after the PDP allowed billing:manage, or the monthly drafting job), for suspended and offboarded customers too (lib/billing). */
  | "billing.invoicing"
  /** Custom domains: add, verify, remove (after the PDP allowed domains:manage), the uniqueness and look-alike checks across every tenant (lib/domains). */
  | "domains.manage"
  /** Custom domains: the scheduled re-check of every domain's DNS records, grace and unrouting (lib/domains/tasks.ts). */
  | "domains.verify"
  /** Bulk operations: what lib/bulk alone writes of a run, inside the person's own transaction: a dry run's items, each tenant's result (its `before` and `after`), a run's notes and its end (lib/bulk/engine.ts). */
  | "bulk.engine"
  /** Reports: the worker generating a queued report of one tenant, the schedules that queue them, their mail (lib/reports). */
  | "reports.generate"
  /** Reports: a stored report's file, read for its download after RLS showed the report to the caller and the PDP allowed reports:export (lib/reports/download.ts); people may not select the content column. */
  | "reports.download"
  /** Reports: which accounts a schedule's recipient addresses belong to, to ask as each whether it may open the tenant's reports (lib/reports/recipients.ts). */
  | "reports.recipients"
  /** Branding: the brand of a host before anyone signs in (sign-in page, root layout, emails, PDFs) and its logo files (lib/branding). */
  | "branding.resolve"
  /** Branding (lib/branding/assets.ts): deleting the uploaded images no brand uses (after a brand page's upload, publish or discard, and the daily sweep), finding which tenants above a writer keep an image it names (to lock them), and renewing an image uploaded again. */
  | "branding.assets"
  /** The Prometheus endpoint: job queue depth and failures, rollup progress, counted across tenants, no tenant data (lib/metrics). */
  | "metrics.scrape"
  /**
   * `npm run bench -- --only=load` only: the alert page's data without session, PDP or RLS, as the owner with an
   * explicit tenant filter (lib/alerts/baseline.ts). Refuses unless the server was started with BENCH_BASELINE_PAGES=1.
   */
  | "bench.baseline";

export async function withServiceRole<T>(purpose: ServicePurpose, fn: (db: Db) => Promise<T>): Promise<T> {
  return withLogContext({ purpose }, () => serviceTransaction(purpose, fn));
}

// The opening in one simple-protocol round trip (begin; claims and
// application_name; set local role), like withTenant's: the rate limiter opens
// a service-role transaction on every API request. The purpose comes from the
// closed list above and is escaped by the driver all the same.
function openingSql(client: pg.PoolClient, purpose: ServicePurpose): string {
  return [
    "begin",
    `select set_config('request.jwt.claims', ${client.escapeLiteral(JSON.stringify({ role: "service_role" }))}, true), ` +
      `set_config('application_name', ${client.escapeLiteral(`service:${purpose}`)}, true)`,
    "set local role service_role",
  ].join(";\n");
}

function serviceTransaction<T>(purpose: ServicePurpose, fn: (db: Db) => Promise<T>): Promise<T> {
  return inTransaction(
    async (client) => fn(drizzle(client, { schema }) as Db),
    (client) => client.query(openingSql(client, purpose)),
  );
}

/** The caller's identity, as withServiceRoleIn reads it before the switch and puts it back after. */
interface Identity {
  role: string;
  claims: string | null;
  app: string | null;
}

// withServiceRoleIn's switch in ONE simple-protocol round trip (savepoint; the
// caller's role, claims and application_name, read; the service role's claims;
// set local role) and its way back in one more, instead of six: the bulk
// engine switches for every tenant's result (npm run bench -- --only=bulk,
// docs/bulk-operations.md). The purpose comes from the closed list above; what
// goes back is what the server just answered (the role from the catalog, the
// claims the transaction was opened with). A simple query cannot take
// parameters, so they go in as literals escaped by the driver (escapeLiteral
// doubles quotes and backslashes), as withTenant's opening does. The writes
// in between keep their parameters.
//
// Each call's savepoint has a name of its own (savepointName): nested calls (a
// service-role write inside another's fn) must each roll back to, and release,
// their own. With one shared name, `rollback to savepoint` and `release
// savepoint` act on the most recent of that name: an inner call's failure left
// its savepoint behind (rolled back to, never released), the outer's way back
// then released that leftover, and the outer's own failure rolled back only to
// it, keeping the outer's writes and leaving the caller's transaction running
// as service_role.
let savepoints = 0;
function savepointName(): string {
  savepoints = (savepoints + 1) % Number.MAX_SAFE_INTEGER;
  return `service_role_in_${savepoints}`;
}

function switchInSql(client: pg.PoolClient, purpose: ServicePurpose, savepoint: string): string {
  return [
    `savepoint ${savepoint}`,
    "select current_user::text as role, current_setting('request.jwt.claims', true) as claims, current_setting('application_name', true) as app",
    `select set_config('request.jwt.claims', ${client.escapeLiteral(JSON.stringify({ role: "service_role" }))}, true), ` +
      `set_config('application_name', ${client.escapeLiteral(`service:${purpose}`)}, true)`,
    "set local role service_role",
  ].join(";\n");
}

function switchBackSql(client: pg.PoolClient, previous: Identity, savepoint: string): string {
  return [
    `select set_config('request.jwt.claims', ${client.escapeLiteral(previous.claims ?? "")}, true), ` +
      `set_config('application_name', ${client.escapeLiteral(previous.app ?? "")}, true), ` +
      `set_config('role', ${client.escapeLiteral(previous.role)}, true)`,
    `release savepoint ${savepoint}`,
  ].join(";\n");
}

/**
 * Runs `fn` as service_role inside a transaction the caller already holds
 * (withTenant's, say), then gives the transaction back exactly as it was:
 * same role, same claims. For writes that must commit or roll back with the
 * caller's change but that the caller's role may not make itself (an email
 * queued with the invitation it announces: lib/mail/outbox.ts). A savepoint
 * wraps it, so a failure inside `fn` undoes the switch as well. The switch
 * costs two round trips, one in and one back (switchInSql, switchBackSql).
 */
export async function withServiceRoleIn<T>(purpose: ServicePurpose, db: Db, fn: (db: Db) => Promise<T>): Promise<T> {
  const client = db.$client;
  const savepoint = savepointName();
  // Undoes this call's work and switch, and drops its savepoint, in one round trip.
  const undo = `rollback to savepoint ${savepoint};\nrelease savepoint ${savepoint}`;
  let previous: Identity;
  try {
    // One result per statement: the caller's identity is the second.
    const results = (await client.query(switchInSql(client, purpose, savepoint))) as unknown as pg.QueryResult<Identity>[];
    previous = results[1].rows[0];
  } catch (error) {
    // Failed after the savepoint (the switch refused, a timeout): back to it. Refused at the savepoint
    // itself (the caller's transaction had already failed, 25P02): none was made here, so none is
    // rolled back to; and since the name is this call's own, a rollback to it can never reach an
    // outer withServiceRoleIn's savepoint (that is the outer one's to undo).
    if (sqlState(error) !== "25P02") await client.query(undo).catch(() => {});
    throw error;
  }
  try {
    const result = await fn(db);
    // Back to the caller's identity, and the savepoint released.
    await client.query(switchBackSql(client, previous, savepoint));
    return result;
  } catch (error) {
    await client.query(undo);
    throw error;
  }
}

/**
 * As the service role on the caller's own connection when it already holds a
 * transaction (`within`: withServiceRoleIn), else in a transaction of its own
 * (withServiceRole). Code that may run inside withTenant passes its tx.db, so
 * it never waits for a second pooled connection while holding one
 * (lib/db/held-connection.ts).
 */
export function withServiceRoleOn<T>(purpose: ServicePurpose, within: Db | undefined, fn: (db: Db) => Promise<T>): Promise<T> {
  return within ? withServiceRoleIn(purpose, within, fn) : withServiceRole(purpose, fn);
}

// Writing the audit trail (supabase/migrations/20261123000500_audit_log.sql).
//
// Two ways in:
//   recordAudit(tx, event)        inside the caller's withTenant transaction,
//                                 so the row commits or rolls back with the
//                                 change it describes, through audit.record
//                                 (migration 20261201030100): `authenticated`
//                                 holds no INSERT on audit_log, so nobody
//                                 forges rows through the Data API. Actor =
//                                 the transaction's auth.uid(); the function
//                                 refuses (42501) a tenant out of scope.
//   recordDenied(caller, event)   a refused attempt, in a transaction of its
//                                 own through the named service-role path,
//                                 because the attempt itself never commits.
//
// Call recordDenied AFTER the refused transaction has ended, never from inside
// it: that transaction may hold the tenant's chain lock (it wrote an audit row
// already), and the second connection would wait for it forever. Inside a
// transaction that carries on (a refusal caught with a savepoint), write the
// denial with recordAudit(tx, { outcome: "denied", ... }) instead.
//
// Writers of one tenant queue on its chain head until they commit, so write
// the audit row as late in the transaction as is convenient.
import { z } from "zod";
import { AUDIT_OUTCOMES, type AuditOutcome } from "@/drizzle/schema";
import { withServiceRole } from "@/lib/db/service-role";
import type { Db, TenantTx } from "@/lib/db/with-tenant";
import { requestId as currentRequestId } from "@/lib/request-id";

export { AUDIT_OUTCOMES, type AuditOutcome };

/** Same shapes the table's check constraints enforce; checked here first for a clear error. */
const NAME = /^[a-z0-9][a-z0-9_.:-]{0,99}$/;

const eventSchema = z.object({
  tenantId: z.string().uuid(),
  /** What was done or attempted, in the PDP's vocabulary where there is one: "users:manage", "credentials:rotate". */
  action: z.string().regex(NAME, "action must look like resource:verb (lowercase, at most 100 characters)"),
  targetType: z.string().regex(NAME).nullish(),
  targetId: z.string().min(1).max(200).nullish(),
  outcome: z.enum(AUDIT_OUTCOMES),
  details: z.record(z.string(), z.unknown()).nullish(),
  /** Defaults to the current request's x-request-id (set by proxy.ts); pass it explicitly outside a request. */
  requestId: z.string().min(1).max(100).nullish(),
});

export type AuditEvent = z.input<typeof eventSchema>;

/** Keys whose values never reach the audit trail, at any depth (matched case-insensitively, anywhere in the key). */
const SECRET_KEY = /pass|secret|token|key|code|otp|credential|authorization|cookie|signature|private|salt/i;
const MAX_STRING = 500;
const MAX_ITEMS = 50;
const MAX_DEPTH = 4;

/**
 * Details without anything that looks like a secret: keys matching SECRET_KEY
 * are dropped (not masked: their presence says nothing useful either),
 * strings are cut to 500 characters, arrays to 50 items, nesting to 4 levels.
 * Dates become ISO strings; functions, symbols and undefined are dropped.
 */
export function scrubDetails(details: Record<string, unknown> | null | undefined): Record<string, unknown> {
  const scrub = (value: unknown, depth: number): unknown => {
    if (value === null || typeof value === "boolean") return value;
    if (typeof value === "number") return Number.isFinite(value) ? value : String(value);
    if (typeof value === "bigint") return value.toString();
    if (typeof value === "string") return value.length > MAX_STRING ? `${value.slice(0, MAX_STRING)}…` : value;
    if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
    if (depth >= MAX_DEPTH) return "[nested too deep]";
    if (Array.isArray(value)) {
      return value.slice(0, MAX_ITEMS).map((v) => scrub(v, depth + 1) ?? null);
    }
    if (typeof value === "object") {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value as Record<string, unknown>).slice(0, MAX_ITEMS)) {
        if (SECRET_KEY.test(k)) continue;
        const s = scrub(v, depth + 1);
        if (s !== undefined) out[k.slice(0, 100)] = s;
      }
      return out;
    }
    return undefined;
  };
  return (scrub(details ?? {}, 0) as Record<string, unknown>) ?? {};
}

/** The current request's id, or null outside a request (a script, a test, a job). */
async function ambientRequestId(): Promise<string | null> {
  try {
    return await currentRequestId();
  } catch {
    return null;
  }
}

/** The table holds at most 16 KiB of details per row; past that, say so rather than fail the write. */
const MAX_DETAILS_BYTES = 16_000;
function boundedJson(details: Record<string, unknown>): string {
  const json = JSON.stringify(details);
  if (Buffer.byteLength(json, "utf8") <= MAX_DETAILS_BYTES) return json;
  return JSON.stringify({ truncated: true, keys: Object.keys(details).slice(0, MAX_ITEMS) });
}

async function prepare(event: AuditEvent) {
  const e = eventSchema.parse(event);
  return {
    tenantId: e.tenantId,
    action: e.action,
    targetType: e.targetType ?? null,
    targetId: e.targetId ?? null,
    outcome: e.outcome as AuditOutcome,
    details: boundedJson(scrubDetails(e.details)),
    requestId: e.requestId ?? (await ambientRequestId())?.slice(0, 100) ?? null,
  };
}

function dbOf(tx: TenantTx | Db): Db {
  return "claims" in tx && "db" in tx ? tx.db : (tx as Db);
}

/**
 * Writes one audit row in the caller's transaction. The actor is the
 * transaction's user (auth.uid(); the email is looked up by the database), so
 * this works with any withTenant `tx` or its `db` (and a service-role or owner
 * transaction, for a row without actor). Throws on an invalid event or if
 * audit.record refuses the row with 42501 (a tenant outside the caller's
 * scope, an `auth:*` action): the caller's transaction then rolls back,
 * change included, which is the point.
 */
export async function recordAudit(tx: TenantTx | Db, event: AuditEvent): Promise<void> {
  const e = await prepare(event);
  // The driver directly: its error keeps the SQLSTATE (42501 for a refused
  // row) and, unlike a wrapped query error, does not echo the parameters.
  await dbOf(tx).$client.query("select audit.record($1, $2, $3, $4, $5, $6::jsonb, $7)", [
    e.tenantId,
    e.action,
    e.targetType,
    e.targetId,
    e.outcome,
    e.details,
    e.requestId,
  ]);
}

/**
 * Writes one audit row as `actorId` through the service role (inside the
 * caller's service-role transaction): for work a user asked for that runs on
 * the service path after the PDP allowed it, such as a lifecycle change
 * audited on a second tenant (the old MSSP of a moved customer).
 */
export async function recordAuditAs(db: Db, actorId: string | null, event: AuditEvent): Promise<void> {
  const e = await prepare(event);
  await db.$client.query(
    `insert into public.audit_log (tenant_id, actor_id, action, target_type, target_id, outcome, details, request_id)
     values ($1, $2, $3, $4, $5, $6, $7::jsonb, $8)`,
    [e.tenantId, actorId === null ? null : z.string().uuid().parse(actorId), e.action, e.targetType, e.targetId, e.outcome, e.details, e.requestId],
  );
}

export interface DeniedCaller {
  /** The signed-in user who was refused; null when nobody is known (e.g. an unknown email). */
  userId: string | null;
  email?: string | null;
}

/**
 * Records a refused attempt in its own committed transaction (service role:
 * the caller's own transaction is rolled back or never started). The outcome
 * is always "denied". See the note at the top of this file on where to call it.
 */
export async function recordDenied(caller: DeniedCaller, event: Omit<AuditEvent, "outcome">): Promise<void> {
  const e = await prepare({ ...event, outcome: "denied" });
  const actorId = caller.userId === null ? null : z.string().uuid().parse(caller.userId);
  const email = caller.email ? caller.email.slice(0, 320) : null;
  await withServiceRole("audit.record-denied", async (db) => {
    // Never hang a request on a chain lock: fail loudly instead.
    await db.$client.query("set local lock_timeout = '5s'");
    await db.$client.query(
      `insert into public.audit_log (tenant_id, actor_id, actor_email, action, target_type, target_id, outcome, details, request_id)
       values ($1, $2, $3, $4, $5, $6, 'denied', $7::jsonb, $8)`,
      [e.tenantId, actorId, email, e.action, e.targetType, e.targetId, e.details, e.requestId],
    );
  });
}

// Authentication events (issue 9, finding 8): sign-in, its failures and
// lockouts, MFA changes, recovery-code use, session revocation and sign-out.
// Each becomes
//   1. a structured log line (pino, lib/log): `event: "auth.<type>"`, the
//      request id (lib/request-id.ts), the host's tenant, the user, the
//      outcome and reason; and
//   2. when the account is known, one row per tenant the user is a member of
//      in the hash-chained audit trail (action `auth:<type>`, target the
//      user), so the admins of those tenants and of the MSSP above see it
//      (the audit trail's RLS: admins read their subtree), and nobody else.
//      The host the person used and their client address are kept only in
//      the rows of tenants on that host's line (the host's tenant, its
//      ancestors and descendants; on the console, the branches of the
//      person's MSSP memberships). The row of an unrelated tenant (a second
//      customer, another MSSP's) says `host: "another portal"` and carries no
//      address: its admins see that the person signed in, not where, nor
//      which other tenant's portal they use.
//
// A failure for an email that has no account is logged only: there is no
// tenant whose admins it concerns, and the caller sees the same answer either
// way (lib/auth/credentials.ts). Failures and lockouts of real accounts are
// recorded with deferAuthEvent, which does not hold up the answer, so the time
// a failed sign-in takes does not tell whether the account exists.
//
// Other modules call recordAuthEvent / deferAuthEvent (password reset, an
// accepted invitation, …); add the type to AUTH_EVENT_TYPES first.
import { z } from "zod";
import { withServiceRole } from "@/lib/db/service-role";
import { log, safeError, type Logger } from "@/lib/log";

export const AUTH_EVENT_TYPES = [
  "sign-in",
  "sign-in-failed",
  "sign-in-locked",
  "sign-out",
  "session-revoked",
  "mfa-enrolled",
  "mfa-disabled",
  "mfa-replaced",
  "recovery-code-used",
  "recovery-codes-regenerated",
  "password-changed",
  "password-reset-requested",
  "invitation-accepted",
  "handoff-refused",
] as const;
export type AuthEventType = (typeof AUTH_EVENT_TYPES)[number];

/** The audit action of every auth event starts with this; the audit pages filter on it. */
export const AUTH_ACTION_PREFIX = "auth:";

type Outcome = "success" | "failure" | "denied";
const OUTCOME: Record<AuthEventType, Outcome> = {
  "sign-in": "success",
  "sign-in-failed": "failure",
  "sign-in-locked": "denied",
  "sign-out": "success",
  "session-revoked": "success",
  "mfa-enrolled": "success",
  "mfa-disabled": "success",
  "mfa-replaced": "success",
  "recovery-code-used": "success",
  "recovery-codes-regenerated": "success",
  "password-changed": "success",
  "password-reset-requested": "success",
  "invitation-accepted": "success",
  "handoff-refused": "denied",
};

const SHORT = /^[a-z][a-z0-9_.-]{0,39}$/;

const eventSchema = z.object({
  type: z.enum(AUTH_EVENT_TYPES),
  /** The account concerned; null when there is none (an unknown email): log only. */
  userId: z.string().uuid().nullable(),
  /** Why: wrong_password, mfa_invalid, password, mfa, sign_out, password_changed, … */
  reason: z.string().regex(SHORT).optional(),
  /** How the user proved who they are: password, totp, recovery. */
  method: z.enum(["password", "totp", "recovery", "handoff"]).optional(),
  /** The session concerned (its random id, not the cookie). */
  sessionId: z.string().uuid().optional(),
  /** How many sessions a revocation ended. */
  count: z.number().int().min(0).optional(),
  /** The client source as TRUST_PROXY says (lib/ratelimit clientSource), or "unknown". */
  source: z.string().max(80).optional(),
});

export type AuthEvent = z.input<typeof eventSchema>;

/** Where the request came in: its id and host, captured at the call. */
interface RequestContext {
  requestId: string | null;
  host: string | null;
  /** The host as the proxy resolved it (a verified custom domain is its tenant's host); else parsed from `host`. */
  target?: HostArea | null;
}

/** The host's tenant (by slug), the portal's own console, or null when unknown. */
type HostArea = { area: "tenant"; slug: string } | { area: "console" };

function areaOf(target: { area: string; slug?: string }): HostArea | null {
  if (target.area === "tenant" && target.slug) return { area: "tenant", slug: target.slug };
  return target.area === "console" ? { area: "console" } : null;
}

async function requestContext(): Promise<RequestContext> {
  try {
    const { headers } = await import("next/headers");
    const h = await headers();
    const host = (h.get("host") ?? "").toLowerCase().slice(0, 200) || null;
    const { hostTarget } = await import("@/lib/tenancy/host");
    return { requestId: h.get("x-request-id")?.slice(0, 100) ?? null, host, target: areaOf(hostTarget(h)) };
  } catch {
    // Outside a request (a script, a test, a job).
    return { requestId: null, host: null };
  }
}

/** The host's area: acme.<domain> (or acme's verified domain) is acme's, the portal's own host the console. */
async function hostArea(context: RequestContext): Promise<HostArea | null> {
  if (context.target !== undefined) return context.target;
  if (!context.host) return null;
  try {
    const { parseHost } = await import("@/lib/tenancy/host");
    return areaOf(parseHost(context.host));
  } catch {
    return null;
  }
}

export interface RecordOptions {
  /** false: the log line only (a repeat the audit trail already has). */
  audit?: boolean;
  /** The request the event belongs to, when recorded after it (deferAuthEvent). */
  context?: RequestContext;
}

let sink: Logger = log;
/** Tests read the lines back through their own logger. Returns the previous one. */
export function setAuthEventLogger(logger: Logger): Logger {
  const previous = sink;
  sink = logger;
  return previous;
}

/**
 * Records one event: the log line, then (for a known account) the audit rows.
 * Never throws: a failure to record is itself logged, and the sign-in or
 * change it describes goes on.
 */
export async function recordAuthEvent(event: AuthEvent, opts: RecordOptions = {}): Promise<void> {
  const parsed = eventSchema.safeParse(event);
  if (!parsed.success) {
    sink.error({ event: "auth.event-invalid", problem: parsed.error.issues[0]?.message }, "an auth event was not recorded: invalid");
    return;
  }
  const e = parsed.data;
  const context = opts.context ?? (await requestContext());
  const host = await hostArea(context);
  // The log line's tenant: "acme", or "console" for the portal's own host.
  const tenant = host?.area === "tenant" ? host.slug : (host?.area ?? null);
  const outcome = OUTCOME[e.type];
  let tenantIds: string[] = [];
  let auditError: unknown = null;
  if (e.userId && opts.audit !== false) {
    try {
      tenantIds = await writeAuditRows(e, outcome, context.requestId, host);
    } catch (error) {
      auditError = error;
    }
  }
  const line = {
    event: `auth.${e.type}`,
    outcome,
    requestId: context.requestId,
    tenant,
    userId: e.userId,
    ...(e.reason && { reason: e.reason }),
    ...(e.method && { method: e.method }),
    ...(e.sessionId && { sessionId: e.sessionId }),
    ...(e.count !== undefined && { count: e.count }),
    ...(e.source && { source: e.source }),
    auditTenants: tenantIds,
  };
  if (outcome === "success") sink.info(line, `auth: ${e.type}`);
  else sink.warn(line, `auth: ${e.type}`);
  if (auditError) {
    sink.error({ event: "auth.event-audit-failed", type: e.type, userId: e.userId, requestId: context.requestId, err: safeError(auditError) }, "an auth event was logged but not written to the audit trail");
  }
}

/** What an unrelated tenant's row says instead of the host: a sign-in happened elsewhere. */
export const ANOTHER_PORTAL = "another portal";

/**
 * One row per tenant the user is a member of, in one statement, tenants in a
 * fixed order (each insert takes that tenant's chain lock). The database fills
 * in the time, the chain links and the actor's email.
 *
 * Each row gets the host and the client address only when its tenant is on
 * the host's line (see the top of this file); with no host known (outside a
 * request, an unknown host), no row gets the address, since none can be
 * placed on a line.
 */
async function writeAuditRows(e: z.output<typeof eventSchema>, outcome: Outcome, requestId: string | null, host: HostArea | null): Promise<string[]> {
  const far: Record<string, unknown> = {};
  if (e.reason) far.reason = e.reason;
  if (e.method) far.method = e.method;
  if (e.sessionId) far.session = e.sessionId;
  if (e.count !== undefined) far.sessions = e.count;
  const near: Record<string, unknown> = { ...far };
  if (host) {
    far.host = ANOTHER_PORTAL;
    near.host = host.area === "tenant" ? host.slug : "console";
    if (e.source) near.source = e.source;
  }
  const slug = host?.area === "tenant" ? host.slug : null;
  const onConsole = host?.area === "console";
  return withServiceRole("auth.events", async (db) => {
    // Never hang a sign-in on a chain lock.
    await db.$client.query("set local lock_timeout = '5s'");
    // line: the host's tenant, or on the console the person's MSSP memberships.
    const { rows } = await db.$client.query<{ tenant_id: string }>(
      `with line as (
         select t.path from public.tenants t where not $7::boolean and t.slug = $6::text
         union all
         select t.path from public.memberships k join public.tenants t on t.id = k.tenant_id
          where $7::boolean and k.user_id = $1::uuid and t.kind = 'mssp'
       )
       insert into public.audit_log (tenant_id, actor_id, action, target_type, target_id, outcome, details, request_id)
       select m.tenant_id, $1::uuid, $2, 'user', $1::text, $3,
              case when exists (select 1 from line l
                                 where m.path operator(extensions.<@) l.path or m.path operator(extensions.@>) l.path)
                   then $4::jsonb else $8::jsonb end,
              $5
         from (select distinct t.id as tenant_id, t.path
                 from public.memberships mm join public.tenants t on t.id = mm.tenant_id
                where mm.user_id = $1::uuid) m
        order by m.tenant_id
       returning tenant_id`,
      [e.userId, `${AUTH_ACTION_PREFIX}${e.type}`, outcome, JSON.stringify(near), requestId, slug, onConsole, JSON.stringify(far)],
    );
    return rows.map((r) => r.tenant_id);
  });
}

// Events recorded without holding up the caller; tests wait for them.
const pending = new Set<Promise<void>>();

/**
 * Records the event without waiting for it (the request context is captured
 * now). For failures and lockouts at sign-in, whose answer must take the same
 * time whether or not the account exists.
 */
export function deferAuthEvent(event: AuthEvent, opts: Omit<RecordOptions, "context"> = {}): void {
  const p = requestContext()
    .then((context) => recordAuthEvent(event, { ...opts, context }))
    .finally(() => pending.delete(p));
  pending.add(p);
}

/** Waits until every deferred event so far is recorded (tests, and a graceful shutdown). */
export async function settleAuthEvents(): Promise<void> {
  while (pending.size > 0) await Promise.allSettled([...pending]);
}

// A locked (email, source) answers "locked" on every further attempt; one
// audit row per user, source and lockout window is enough (every attempt is
// still logged). Per process: replicas each write their own first one.
const LOCKED_WINDOW_MS = 15 * 60_000;
const lockedSeen = new Map<string, number>();

/** True the first time in the window for this user and source. */
export function firstLockedInWindow(userId: string, source: string, now = Date.now()): boolean {
  const key = `${userId}\n${source}`;
  const last = lockedSeen.get(key);
  if (last !== undefined && now - last < LOCKED_WINDOW_MS) return false;
  if (lockedSeen.size > 10_000) {
    for (const [k, t] of lockedSeen) if (now - t >= LOCKED_WINDOW_MS) lockedSeen.delete(k);
    if (lockedSeen.size > 10_000) lockedSeen.clear();
  }
  lockedSeen.set(key, now);
  return true;
}

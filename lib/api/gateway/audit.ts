// Refused API requests reach the audit trail of the tenant they concern (the
// key's, and on a host or tenant mismatch also the other tenant's), as a
// `denied` row whose actor is the key. Floods must not turn into audit floods
// (each row takes the tenant's chain lock), nor let an outsider silence a
// tenant's own refusals. Per tenant written to, buckets in lib/ratelimit:
//   - per reason and source, AUDITS_PER_MINUTE rows a minute. The source of a
//     row about the tenant's own key is that key; of a key of another tenant
//     (sent to this tenant's host, or addressing it) that other tenant, all
//     its keys together: making more keys buys an outsider nothing; without a
//     key, the client as the gateway knows it (lib/ratelimit clientSource);
//   - on top, a ceiling of CEILING_PER_MINUTE rows a minute for the rows about
//     the tenant's own keys, and another as large for all the rest (other
//     tenants' keys, no key): outsiders fill only theirs, never the tenant's.
// A refusal past a budget is logged (as every refusal is) and counted; the
// first one in a minute writes one summary row (reason `refusals_not_audited`,
// `details.count`: those not written one by one since the previous summary).
// docs/api.md "Refused requests in the audit trail".
import { recordDenied } from "@/lib/audit/record";
import { log, safeError } from "@/lib/log";
import { perWindow, reset, take, UNKNOWN_SOURCE } from "@/lib/ratelimit";

export const AUDITS_PER_MINUTE = 10;
export const CEILING_PER_MINUTE = 60;
/** The reason of the summary row. */
export const NOT_AUDITED_REASON = "refusals_not_audited";

/** A counter, not a limit: it never runs out (a bucket whose spent tokens are the count). */
const COUNTER = { capacity: 1e9, refillPerSecond: 1e-9 };

export interface ApiRefusal {
  /** The key that was refused, when the key text named one. */
  keyId: string | null;
  /** Tenants whose trail gets the row (deduplicated): the key's own tenant first. */
  tenantIds: (string | null | undefined)[];
  reason: string;
  status: number;
  method: string;
  path: string;
  requestId: string;
  /** The request's client source (lib/ratelimit clientSource), for a refusal naming no key. */
  client?: string;
  details?: Record<string, unknown>;
}

/** The per-source bucket and the ceiling class of a row about `r` in `tenantId`'s trail. */
function budgetOf(r: ApiRefusal, tenantId: string, keyTenantId: string | null): { source: string; own: boolean } {
  if (r.keyId && keyTenantId === tenantId) return { source: `key:${r.keyId}`, own: true };
  if (r.keyId && keyTenantId) return { source: `tenant:${keyTenantId}`, own: false };
  return { source: `client:${(r.client ?? UNKNOWN_SOURCE).slice(0, 80)}`, own: false };
}

export async function auditRefusal(r: ApiRefusal): Promise<void> {
  const keyTenantId = typeof r.tenantIds[0] === "string" ? r.tenantIds[0] : null;
  const tenants = [...new Set(r.tenantIds.filter((t): t is string => typeof t === "string"))];
  log.warn(
    { event: "api.refused", reason: r.reason, status: r.status, method: r.method, path: r.path.slice(0, 200), client_id: r.keyId },
    `API request refused: ${r.reason}`,
  );
  if (tenants.length === 0) return;
  for (const tenantId of tenants) {
    try {
      const { source, own } = budgetOf(r, tenantId, keyTenantId);
      const perSource = await take(`api:audit:${tenantId}:${r.reason}:${source}`, perWindow(AUDITS_PER_MINUTE, 60));
      const ceiling = perSource.allowed && (await take(`api:audit:${tenantId}:${own ? "own" : "others"}`, perWindow(CEILING_PER_MINUTE, 60)));
      if (!ceiling || !ceiling.allowed) {
        await notAudited(tenantId, r);
        continue;
      }
      await recordDenied(
        { userId: r.keyId, email: null },
        {
          tenantId,
          action: "api.request",
          targetType: "api_client",
          targetId: r.keyId ?? undefined,
          requestId: r.requestId,
          details: { reason: r.reason, status: r.status, method: r.method, path: r.path.slice(0, 300), ...r.details },
        },
      );
    } catch (error) {
      log.error({ event: "api.refusal-not-audited", err: safeError(error) }, "could not record a refused API request");
    }
  }
}

/** A refusal past its budget: counted; the first of a minute writes the summary row with the count. */
async function notAudited(tenantId: string, r: ApiRefusal): Promise<void> {
  const counter = `api:audit:${tenantId}:not-audited`;
  const counted = await take(counter, COUNTER);
  log.info({ event: "api.refusal-audit-suppressed", tenant_id: tenantId, reason: r.reason, client_id: r.keyId }, "refused API request over the audit budget: logged only");
  const summary = await take(`api:audit:${tenantId}:summary`, perWindow(1, 60));
  if (!summary.allowed) return;
  const count = Math.max(1, Math.round(COUNTER.capacity - counted.remaining));
  await reset(counter);
  await recordDenied(
    { userId: null, email: null },
    {
      tenantId,
      action: "api.request",
      targetType: "api_client",
      requestId: r.requestId,
      details: {
        reason: NOT_AUDITED_REASON,
        count,
        note: "Refused API requests over the audit budget since the previous such row: in the logs only (event api.refused).",
      },
    },
  );
}

// Refused API requests reach the audit trail of the tenant they concern (the
// key's, and on a host mismatch also the host's), as a `denied` row whose
// actor is the key. Floods must not turn into audit floods (each row takes
// the tenant's chain lock): per tenant written to and reason, at most
// AUDITS_PER_MINUTE rows a minute are written (a bucket in lib/ratelimit); the
// rest are logged. Keyed by the tenant, not the key: another tenant's admin
// who makes more keys (limits.api_keys) and sends them all to this tenant's
// host still writes at most that many rows a minute into this tenant's trail.
import { recordDenied } from "@/lib/audit/record";
import { log, safeError } from "@/lib/log";
import { perWindow, take } from "@/lib/ratelimit";

const AUDITS_PER_MINUTE = 10;

export interface ApiRefusal {
  /** The key that was refused, when the key text named one. */
  keyId: string | null;
  /** Tenants whose trail gets the row (deduplicated). */
  tenantIds: (string | null | undefined)[];
  reason: string;
  status: number;
  method: string;
  path: string;
  requestId: string;
  details?: Record<string, unknown>;
}

export async function auditRefusal(r: ApiRefusal): Promise<void> {
  const tenants = [...new Set(r.tenantIds.filter((t): t is string => typeof t === "string"))];
  log.warn(
    { event: "api.refused", reason: r.reason, status: r.status, method: r.method, path: r.path.slice(0, 200), client_id: r.keyId },
    `API request refused: ${r.reason}`,
  );
  if (tenants.length === 0) return;
  try {
    for (const tenantId of tenants) {
      const budget = await take(`api:audit:${tenantId}:${r.reason}`, perWindow(AUDITS_PER_MINUTE, 60));
      if (!budget.allowed) continue;
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
    }
  } catch (error) {
    log.error({ event: "api.refusal-not-audited", err: safeError(error) }, "could not record a refused API request");
  }
}

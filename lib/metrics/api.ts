// API series, fed by three lines in the gateway (lib/api/gateway/index.ts):
// the rate-limit outcome per tenant, every 429 by which limit, and every
// answer by status.
import { portalMetrics } from "./registry";

/** After the rate-limit buckets were taken: `outcome` is allowed, rate_limited_key or rate_limited_tenant. */
export function observeApiAdmission(tenantSlug: string, outcome: string): void {
  const m = portalMetrics();
  m.apiTenantRequests.inc({ tenant: m.tenants.labelOf(tenantSlug), outcome });
}

const LIMIT_OF: Record<string, string> = {
  rate_limited_key: "key",
  rate_limited_tenant: "tenant",
  auth_failures: "auth_failures",
  "quota-exceeded": "ingest_quota",
  concurrency: "concurrency",
};

/** A refusal on its way out: counted when it is a 429 (`reason` from the gateway, or the problem's type). */
export function observeApiRefusal(error: unknown): void {
  const e = error as { problem?: { status?: number; type?: string }; reason?: string; status?: number; type?: string } | null;
  const status = e?.problem?.status ?? e?.status;
  if (status !== 429) return;
  const limit = LIMIT_OF[e?.reason ?? ""] ?? LIMIT_OF[e?.problem?.type ?? e?.type ?? ""] ?? "other";
  portalMetrics().rateLimitDenials.inc({ limit });
}

/** Runs a route handler and counts its answer by status (a throw counts as 500 and is rethrown). */
export async function observeHttp(group: string, handle: () => Promise<Response>): Promise<Response> {
  try {
    const res = await handle();
    portalMetrics().httpRequests.inc({ group, status: String(res.status) });
    return res;
  } catch (error) {
    portalMetrics().httpRequests.inc({ group, status: "500" });
    throw error;
  }
}

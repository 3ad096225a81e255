// The source end of a handoff (lib/auth/handoff.ts): who is asking (the
// session), then what (the target tenant, visible under RLS and allowed by
// the PDP: alerts:read, which every role of a tenant holds, i.e. "may use
// that tenant's portal"), then the token and the URL of the target host's
// landing page. The token travels in the URL's fragment, which browsers never
// send to a server, so it reaches no access log.
import { z } from "zod";
import { isAuthorizationError, principalFromClaims, requireAction, tenantResource } from "@/lib/authz";
import { withTenant } from "@/lib/db/with-tenant";
import { findTenantBySlug } from "@/lib/tenancy/resolve-host";
import { originForConsole, portalOriginFor } from "@/lib/tenancy/origin";
import { SLUG_PATTERN } from "@/lib/tenancy/slug";
import type { SessionUser } from "./session";
import { createHandoff } from "./handoff";

export const handoffQuery = z.object({
  /** The target tenant's slug; "console" for the MSSP console. */
  to: z.string().max(63).refine((s) => s === "console" || SLUG_PATTERN.test(s), "not a portal"),
  /** Where to land on the target: a path of that host (never another origin). */
  next: z
    .string()
    .max(512)
    .regex(/^\/(?![/\\])[^\s]*$/, "a path")
    .optional(),
});

export type HandoffStart = { ok: true; url: string } | { ok: false; status: 403 | 404 };

export async function startHandoff(user: SessionUser, query: z.infer<typeof handoffQuery>): Promise<HandoffStart> {
  let targetTenantId: string | null = null;
  let origin: string;
  if (query.to === "console") {
    origin = await originForConsole();
  } else {
    const tenant = await findTenantBySlug(query.to);
    if (!tenant) return { ok: false, status: 404 };
    targetTenantId = tenant.id;
    origin = await portalOriginFor(tenant);
  }
  try {
    await withTenant({ userId: user.id, email: user.email, sessionId: user.sessionId, activeTenantId: null }, async (tx) => {
      if (targetTenantId === null) {
        if (!tx.claims.tenants.some((m) => m.kind === "mssp")) throw new HandoffDenied();
        return;
      }
      const resource = await tenantResource(tx.db, targetTenantId);
      if (!resource) throw new HandoffDenied();
      await requireAction(principalFromClaims(tx.claims), "alerts:read", resource);
    });
  } catch (error) {
    if (error instanceof HandoffDenied || isAuthorizationError(error)) return { ok: false, status: 403 };
    throw error;
  }
  const token = await createHandoff({ userId: user.id, sessionId: user.sessionId, amr: user.amr ?? ["pwd"], targetHost: new URL(origin).host, targetTenantId });
  const next = query.next ?? (targetTenantId === null ? "/" : "/alerts");
  return { ok: true, url: `${origin}/handoff#token=${token}&next=${encodeURIComponent(next)}` };
}

class HandoffDenied extends Error {}

export { handoffHref } from "./handoff-link";

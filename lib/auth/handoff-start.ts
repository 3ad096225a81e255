// The source end of a handoff (lib/auth/handoff.ts): who is asking (the
// session), then what (the target tenant, visible under RLS and allowed by
// the PDP: alerts:read, which every role of a tenant holds, i.e. "may use
// that tenant's portal"), then the token and the URL of the target host's
// landing page. The token travels in the URL's fragment, which browsers never
// send to a server, so it reaches no access log.
//
// Custom domains: a verified TXT record proves a tenant controls the domain's
// DNS, not that the domain still points at the portal. So a token goes to a
// tenant's custom domain only for a person all of whose memberships are at or
// below that tenant (nothing of theirs lies beyond what that tenant's admins
// run anyway); anyone else, MSSP staff above all, lands on <slug>.<domain>.
// And a session on a custom domain hands off only within that tenant's
// subtree, never to the console or another customer, and only while its person
// is still one of that tenant's own (lib/auth/host-rule.ts signsInOn, checked
// again here): the session was opened there when the rule held, but a
// membership added since (outside the tenant) would otherwise let the tenant,
// replaying the cookie it captured on its domain, start a handoff whose token
// opens a session with the person's whole reach on <slug>.<domain>.
import { z } from "zod";
import { isAuthorizationError, principalFromClaims, requireAction, tenantResource } from "@/lib/authz";
import { withTenant } from "@/lib/db/with-tenant";
import { findTenantBySlug } from "@/lib/tenancy/resolve-host";
import { originForConsole, portalOriginForMember, portalOwnOriginForTenant } from "@/lib/tenancy/origin";
import { pathWithin } from "@/lib/tenancy/path";
import { SLUG_PATTERN } from "@/lib/tenancy/slug";
import { recordAuthEvent } from "./events";
import type { SessionUser } from "./session";
import { createHandoff } from "./handoff";
import { signsInOn } from "./host-rule";

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

export type HandoffStart =
  | { ok: true; url: string }
  | { ok: false; status: 403 | 404; reason?: undefined }
  /** From a custom domain, by someone no longer only of its tenant (a membership outside it added since): sign in at `signInAt`. */
  | { ok: false; status: 403; reason: "wrong_host"; signInAt: string };

/**
 * `fromCustomDomainOf`: the slug of the tenant whose verified custom domain the request came in on
 * (lib/tenancy/host customDomainTenant), if it did.
 */
export async function startHandoff(user: SessionUser, query: z.infer<typeof handoffQuery>, fromCustomDomainOf: string | null = null): Promise<HandoffStart> {
  let target: { id: string; slug: string; kind: string; path: string } | null = null;
  if (query.to !== "console") {
    target = await findTenantBySlug(query.to);
    if (!target) return { ok: false, status: 404 };
  }
  if (fromCustomDomainOf !== null) {
    const from = await findTenantBySlug(fromCustomDomainOf);
    if (!from || !target || !pathWithin(target.path, from.path)) return { ok: false, status: 403 };
    const here = await signsInOn(user.id, fromCustomDomainOf);
    if (!here.ok) {
      await recordAuthEvent({ type: "handoff-refused", userId: user.id, reason: "wrong_host", sessionId: uuidOrUndefined(user.sessionId) });
      const signInAt = here.tenant.kind === "mssp" ? await originForConsole() : await portalOwnOriginForTenant(here.tenant.slug);
      return { ok: false, status: 403, reason: "wrong_host", signInAt };
    }
  }
  let origin: string | undefined;
  try {
    await withTenant({ userId: user.id, email: user.email, sessionId: user.sessionId, activeTenantId: null }, async (tx) => {
      if (target === null) {
        if (!tx.claims.tenants.some((m) => m.kind === "mssp")) throw new HandoffDenied();
        origin = await originForConsole();
        return;
      }
      const resource = await tenantResource(tx.db, target.id);
      if (!resource) throw new HandoffDenied();
      await requireAction(principalFromClaims(tx.claims), "alerts:read", resource);
      origin = await portalOriginForMember(target, tx.claims.tenants);
    });
  } catch (error) {
    if (error instanceof HandoffDenied || isAuthorizationError(error)) return { ok: false, status: 403 };
    throw error;
  }
  const token = await createHandoff({ userId: user.id, sessionId: user.sessionId, amr: user.amr ?? ["pwd"], targetHost: new URL(origin!).host, targetTenantId: target?.id ?? null });
  const next = query.next ?? (target === null ? "/" : "/alerts");
  return { ok: true, url: `${origin}/handoff#token=${token}&next=${encodeURIComponent(next)}` };
}

class HandoffDenied extends Error {}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const uuidOrUndefined = (id: string | undefined) => (id && UUID.test(id) ? id : undefined);

export { handoffHref } from "./handoff-link";

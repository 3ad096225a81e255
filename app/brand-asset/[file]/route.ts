// GET /brand-asset/<sha256> (or mark-<hex>.svg) on any portal host: the
// host's logo or favicon (lib/branding/serve.ts). Public: the sign-in page
// shows them before anyone signs in. The hash in the path changes with the
// content, so a tenant host's published asset (and a colour mark) is cached
// publicly for a year. What depends on more than the URL is cached privately:
// on the console the answer depends on who is signed in (Vary: Cookie), and
// an asset served only for a draft's preview stops being served when the
// draft is discarded (lib/branding/serve.ts ServedAsset.public).
// The content type is the one decided from the bytes at upload, never sniffed
// (nosniff), and every answer carries its own CSP under which nothing in an
// SVG could run or load (the proxy sets no page CSP here: proxy.ts).
// With ?tenant=<slug>: that tenant's asset for a signed-in person who may
// manage its brand (a brand page shown on another host), cached privately.
import { headers } from "next/headers";
import { getSessionUser } from "@/lib/auth/session";
import { isPdpUnavailable } from "@/lib/authz";
import { withTenant } from "@/lib/db/with-tenant";
import { brandAssetFor, brandAssetForManager, type ServedAsset } from "@/lib/branding/serve";
import { hostTarget, type HostTarget } from "@/lib/tenancy/host";
import { findTenantBySlug } from "@/lib/tenancy/resolve-host";
import { tenantSlugSchema } from "@/lib/tenancy/slug";

/** Nothing in an asset runs, loads or frames anything; the page CSP of the proxy is not set on this route. */
const ASSET_CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; sandbox";
const PUBLIC_CACHE = "public, max-age=31536000, immutable";
const PRIVATE_CACHE = "private, max-age=300";

function refusal(status: number, text: string, sessionDependent: boolean): Response {
  const h = new Headers({ "content-type": "text/plain; charset=utf-8", "x-content-type-options": "nosniff", "cache-control": "no-store", "content-security-policy": ASSET_CSP });
  if (sessionDependent) h.set("vary", "cookie");
  return new Response(text, { status, headers: h });
}

async function managedAsset(target: HostTarget, slug: string, file: string): Promise<ServedAsset | null> {
  const user = await getSessionUser();
  if (!user) return null;
  const host = target.area === "tenant" ? await findTenantBySlug(target.slug) : null;
  if (target.area === "tenant" && !host) return null;
  return withTenant({ userId: user.id, email: user.email, sessionId: user.sessionId, activeTenantId: host?.id ?? null }, (tx) => brandAssetForManager(tx, slug, file));
}

export async function GET(request: Request, ctx: { params: Promise<{ file: string }> }) {
  const { file } = await ctx.params;
  const target = hostTarget(await headers());
  const forTenant = new URL(request.url).searchParams.get("tenant");
  // The answer depends on the session: on the console (whose brand is the signed-in person's) and for ?tenant=.
  const sessionDependent = forTenant !== null || target.area !== "tenant";
  let asset: ServedAsset | null;
  if (forTenant === null) {
    asset = await brandAssetFor(target, file);
  } else {
    const slug = tenantSlugSchema.safeParse(forTenant);
    try {
      asset = slug.success ? await managedAsset(target, slug.data, file) : null;
    } catch (error) {
      if (isPdpUnavailable(error)) return refusal(503, "The policy service is unavailable; try again.", true);
      throw error;
    }
  }
  if (!asset) return refusal(404, "Not found", sessionDependent);
  const h = new Headers({
    "content-type": asset.contentType,
    "x-content-type-options": "nosniff",
    "cache-control": forTenant === null && asset.public ? PUBLIC_CACHE : PRIVATE_CACHE,
    "cross-origin-resource-policy": "same-origin",
    "content-disposition": "inline",
    "content-security-policy": ASSET_CSP,
  });
  if (sessionDependent && h.get("cache-control") === PRIVATE_CACHE) h.set("vary", "cookie");
  return new Response(new Uint8Array(asset.bytes), { status: 200, headers: h });
}

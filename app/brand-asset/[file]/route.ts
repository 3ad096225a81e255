// GET /brand-asset/<sha256> (or mark-<hex>.svg) on any portal host: the
// host's logo or favicon (lib/branding/serve.ts). Public: the sign-in page
// shows them before anyone signs in. The hash in the path changes with the
// content, so a response is cached for a year; the content type is the one
// decided from the bytes at upload, never sniffed (nosniff), and an SVG gets
// a CSP under which nothing in it could run or load.
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

const notFound = () => new Response("Not found", { status: 404, headers: { "content-type": "text/plain; charset=utf-8", "x-content-type-options": "nosniff" } });

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
  let asset: ServedAsset | null;
  if (forTenant === null) {
    asset = await brandAssetFor(target, file);
  } else {
    const slug = tenantSlugSchema.safeParse(forTenant);
    try {
      asset = slug.success ? await managedAsset(target, slug.data, file) : null;
    } catch (error) {
      if (isPdpUnavailable(error)) return new Response("The policy service is unavailable; try again.", { status: 503, headers: { "content-type": "text/plain; charset=utf-8" } });
      throw error;
    }
  }
  if (!asset) return notFound();
  const h = new Headers({
    "content-type": asset.contentType,
    "x-content-type-options": "nosniff",
    "cache-control": forTenant === null ? "public, max-age=31536000, immutable" : "private, max-age=300",
    "cross-origin-resource-policy": "same-origin",
    "content-disposition": "inline",
  });
  if (forTenant !== null) h.set("vary", "cookie");
  if (asset.contentType === "image/svg+xml") h.set("content-security-policy", "default-src 'none'; style-src 'unsafe-inline'; sandbox");
  return new Response(new Uint8Array(asset.bytes), { status: 200, headers: h });
}

// GET /brand-asset/<sha256> (or mark-<hex>.svg) on any portal host: the
// host's logo or favicon (lib/branding/serve.ts). Public: the sign-in page
// shows them before anyone signs in. The hash in the path changes with the
// content, so a response is cached for a year; the content type is the one
// decided from the bytes at upload, never sniffed (nosniff), and an SVG gets
// a CSP under which nothing in it could run or load.
import { headers } from "next/headers";
import { brandAssetFor } from "@/lib/branding/serve";
import { hostTarget } from "@/lib/tenancy/host";

export async function GET(_request: Request, ctx: { params: Promise<{ file: string }> }) {
  const { file } = await ctx.params;
  const target = hostTarget(await headers());
  const asset = await brandAssetFor(target, file);
  if (!asset) return new Response("Not found", { status: 404, headers: { "content-type": "text/plain; charset=utf-8", "x-content-type-options": "nosniff" } });
  const h = new Headers({
    "content-type": asset.contentType,
    "x-content-type-options": "nosniff",
    "cache-control": "public, max-age=31536000, immutable",
    "cross-origin-resource-policy": "same-origin",
    "content-disposition": "inline",
  });
  if (asset.contentType === "image/svg+xml") h.set("content-security-policy", "default-src 'none'; style-src 'unsafe-inline'; sandbox");
  return new Response(new Uint8Array(asset.bytes), { status: 200, headers: h });
}

// POST /customers/<slug>/export on the console host: the tenant and its sites
// as a sealed archive, streamed as a download (lib/lifecycle/web). The body is
// JSON {"transferKey": "<32 bytes, base64>"}: the key travels in the body,
// never in the URL or a header that a proxy might log. The tenant must be
// visible to the caller under RLS, the caller MSSP staff, and the PDP must
// allow tenants:export on it; the request and the export are audited.
import { z } from "zod";
import { getSessionUser } from "@/lib/auth/session";
import { beginConsoleExport } from "@/lib/lifecycle/web/console-archive";
import { errorResponse, jsonError, noStore, sameOrigin, transferKeyField } from "@/lib/lifecycle/web/http";
import { tenantSlugSchema } from "@/lib/tenancy/slug";

const bodySchema = z.object({ transferKey: transferKeyField });

export async function POST(request: Request, context: { params: Promise<{ slug: string }> }) {
  const slug = tenantSlugSchema.safeParse((await context.params).slug);
  if (!slug.success) return jsonError(404, "No such tenant.");
  if (!sameOrigin(request)) return jsonError(403, "Export from the tenant's page in the console.");
  const user = await getSessionUser();
  if (!user) return jsonError(401, "Your session has ended. Sign in again; nothing was exported.");
  if (request.headers.get("content-type")?.split(";")[0]?.trim() !== "application/json") {
    return jsonError(415, "Export from the tenant's page in the console.");
  }
  if (Number(request.headers.get("content-length") ?? "0") > 4096) return jsonError(413, "The request is too large.");
  let raw: unknown;
  try {
    raw = await request.json();
  } catch {
    return jsonError(400, "The request is not valid JSON.");
  }
  const body = bodySchema.safeParse(raw);
  if (!body.success) return jsonError(400, `${body.error.issues[0]?.message ?? "Enter the transfer key."} Nothing was exported.`);
  const key = body.data.transferKey;
  try {
    const exp = await beginConsoleExport({ userId: user.id, email: user.email, sessionId: user.sessionId }, { slug: slug.data, transferKey: key }, request.signal);
    exp.done.then(
      () => key.fill(0),
      () => key.fill(0),
    );
    return new Response(exp.stream, {
      headers: {
        ...noStore,
        "Content-Type": "application/octet-stream",
        "Content-Disposition": `attachment; filename="${exp.filename}"`,
        "X-Archive-Filename": exp.filename,
      },
    });
  } catch (error) {
    key.fill(0);
    return errorResponse(error, { event: "lifecycle.console-export-failed", denied: "You may not export this tenant.", nothing: "Nothing was exported." });
  }
}

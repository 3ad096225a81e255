// GET /customers/<slug>/isolation on the console host: the tenant's isolation
// manifests as one YAML file (what provisioning applies, or records as
// rendered when no cluster is configured). The tenant must be visible under
// RLS and the PDP must allow tenants:provision on it.
import { NextResponse } from "next/server";
import { getSessionUser } from "@/lib/auth/session";
import { isAuthorizationError, isPdpUnavailable } from "@/lib/authz";
import { withTenant } from "@/lib/db/with-tenant";
import { isolationYaml } from "@/lib/lifecycle/isolation-download";
import { ManifestValidationError } from "@/lib/lifecycle/isolation/validate";
import { log, safeError } from "@/lib/log";
import { tenantSlugSchema } from "@/lib/tenancy/slug";

const noStore = { "Cache-Control": "no-store" };

export async function GET(_request: Request, context: { params: Promise<{ slug: string }> }) {
  const slug = tenantSlugSchema.safeParse((await context.params).slug);
  if (!slug.success) return NextResponse.json({ error: "No such tenant." }, { status: 404, headers: noStore });
  const user = await getSessionUser();
  if (!user) return NextResponse.json({ error: "Sign in to download this." }, { status: 401, headers: noStore });
  try {
    const yaml = await withTenant({ userId: user.id, email: user.email, sessionId: user.sessionId, activeTenantId: null }, (tx) => isolationYaml(tx, slug.data));
    if (!yaml) return NextResponse.json({ error: "No such tenant." }, { status: 404, headers: noStore });
    return new NextResponse(yaml, {
      headers: { ...noStore, "Content-Type": "application/yaml; charset=utf-8", "Content-Disposition": `attachment; filename="tenant-${slug.data}-isolation.yaml"` },
    });
  } catch (error) {
    if (isAuthorizationError(error)) return NextResponse.json({ error: "You may not download this tenant's manifests." }, { status: 403, headers: noStore });
    if (isPdpUnavailable(error)) return NextResponse.json({ error: error.message }, { status: 503, headers: noStore });
    if (error instanceof ManifestValidationError) {
      // Not the caller's doing, and not transient: the deployment's isolation settings render an invalid object.
      log.error({ event: "lifecycle.isolation-invalid", err: safeError(error) }, "a tenant's manifests failed validation");
      return NextResponse.json({ error: `The manifests failed validation and were not offered: ${error.message}. The portal's isolation settings need fixing.` }, { status: 500, headers: noStore });
    }
    log.error({ event: "lifecycle.isolation-download-failed", err: safeError(error) }, "could not render a tenant's manifests");
    return NextResponse.json({ error: "The manifests could not be rendered; try again." }, { status: 500, headers: noStore });
  }
}

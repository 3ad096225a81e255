// GET /reports/<id>/download on a tenant host: a stored report of the host's
// tenant or its sites. Who is asking first: signed out 401, a host whose
// tenant the person holds no role in 403; then what: RLS and the PDP's
// reports:export decide, anything else (another tenant's report) is 404.
import { NextResponse } from "next/server";
import { z } from "zod";
import { getSessionUser } from "@/lib/auth/session";
import { isPdpUnavailable } from "@/lib/authz";
import { withTenant } from "@/lib/db/with-tenant";
import { log, safeError } from "@/lib/log";
import { reportDownload } from "@/lib/reports/download";
import { fileResponse, noStore } from "@/lib/reports/http";
import { findTenantBySlug } from "@/lib/tenancy/resolve-host";

const slugParam = z.string().min(1).max(63);

export async function GET(_request: Request, context: { params: Promise<{ tenant: string; id: string }> }) {
  const raw = await context.params;
  const user = await getSessionUser();
  if (!user) return NextResponse.json({ error: "Sign in to download this." }, { status: 401, headers: noStore });
  const slug = slugParam.safeParse(raw.tenant);
  const tenant = slug.success ? await findTenantBySlug(slug.data) : null;
  if (!tenant) return NextResponse.json({ error: "No such report." }, { status: 404, headers: noStore });
  const id = z.string().uuid().safeParse(raw.id);
  try {
    const file = await withTenant({ userId: user.id, email: user.email, sessionId: user.sessionId, activeTenantId: tenant.id }, async (tx) => {
      if (tx.claims.tenant_id !== tenant.id) return "forbidden" as const;
      return id.success ? reportDownload(tx, id.data, { withinTenant: tenant.id }) : null;
    });
    if (file === "forbidden") return NextResponse.json({ error: "You don't have access to this tenant." }, { status: 403, headers: noStore });
    return fileResponse(file);
  } catch (error) {
    if (isPdpUnavailable(error)) return NextResponse.json({ error: error.message }, { status: 503, headers: noStore });
    log.error({ event: "reports.download-failed", err: safeError(error) }, "could not serve a report");
    return NextResponse.json({ error: "The report could not be read; try again." }, { status: 500, headers: noStore });
  }
}

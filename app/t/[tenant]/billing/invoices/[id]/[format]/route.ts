// GET /billing/invoices/<id>/pdf|csv on a tenant host: the customer's own
// invoice (RLS: admins of the customer or an ancestor; PDP billing:view).
import { NextResponse } from "next/server";
import { z } from "zod";
import { getSessionUser } from "@/lib/auth/session";
import { isPdpUnavailable } from "@/lib/authz";
import { invoiceDownload } from "@/lib/billing/download";
import { withTenant } from "@/lib/db/with-tenant";
import { log, safeError } from "@/lib/log";
import { findTenantBySlug } from "@/lib/tenancy/resolve-host";

const noStore = { "Cache-Control": "no-store" };
const params = z.object({ tenant: z.string().min(1).max(63), id: z.string().uuid(), format: z.enum(["pdf", "csv"]) });

export async function GET(_request: Request, context: { params: Promise<{ tenant: string; id: string; format: string }> }) {
  const p = params.safeParse(await context.params);
  if (!p.success) return NextResponse.json({ error: "No such invoice." }, { status: 404, headers: noStore });
  const user = await getSessionUser();
  if (!user) return NextResponse.json({ error: "Sign in to download this." }, { status: 401, headers: noStore });
  const tenant = await findTenantBySlug(p.data.tenant);
  if (!tenant) return NextResponse.json({ error: "No such invoice." }, { status: 404, headers: noStore });
  try {
    const file = await withTenant({ userId: user.id, email: user.email, sessionId: user.sessionId, activeTenantId: tenant.id }, async (tx) =>
      tx.claims.tenant_id === tenant.id ? invoiceDownload(tx, p.data.id, p.data.format, tenant.providerName) : null,
    );
    if (!file) return NextResponse.json({ error: "No such invoice." }, { status: 404, headers: noStore });
    return new NextResponse(file.body as BodyInit, { headers: { ...noStore, "Content-Type": file.type, "Content-Disposition": `attachment; filename="${file.filename}"` } });
  } catch (error) {
    if (isPdpUnavailable(error)) return NextResponse.json({ error: error.message }, { status: 503, headers: noStore });
    log.error({ event: "billing.download-failed", err: safeError(error) }, "could not render an invoice");
    return NextResponse.json({ error: "The invoice could not be rendered; try again." }, { status: 500, headers: noStore });
  }
}

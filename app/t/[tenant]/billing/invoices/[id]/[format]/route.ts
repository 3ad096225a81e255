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
const slugParam = z.string().min(1).max(63);
const fileParams = z.object({ id: z.string().uuid(), format: z.enum(["pdf", "csv"]) });
const notFound = () => NextResponse.json({ error: "No such invoice." }, { status: 404, headers: noStore });

// Who may ask comes first, what they ask for second, as on the tenant's pages:
// signed out is 401, a host whose tenant the person has no role in is 403
// whatever the path says, and only then is a malformed id or format a 404.
export async function GET(_request: Request, context: { params: Promise<{ tenant: string; id: string; format: string }> }) {
  const raw = await context.params;
  const user = await getSessionUser();
  if (!user) return NextResponse.json({ error: "Sign in to download this." }, { status: 401, headers: noStore });
  const slug = slugParam.safeParse(raw.tenant);
  const tenant = slug.success ? await findTenantBySlug(slug.data) : null;
  if (!tenant) return notFound();
  const p = fileParams.safeParse(raw);
  try {
    const file = await withTenant({ userId: user.id, email: user.email, sessionId: user.sessionId, activeTenantId: tenant.id }, async (tx) => {
      // claims.tenant_id is the host's tenant only when the person holds a role on it or above.
      if (tx.claims.tenant_id !== tenant.id) return "forbidden" as const;
      return p.success ? invoiceDownload(tx, p.data.id, p.data.format, tenant.providerName) : null;
    });
    if (file === "forbidden") return NextResponse.json({ error: "You don't have access to this tenant." }, { status: 403, headers: noStore });
    if (!file) return notFound();
    return new NextResponse(file.body as BodyInit, { headers: { ...noStore, "Content-Type": file.type, "Content-Disposition": `attachment; filename="${file.filename}"` } });
  } catch (error) {
    if (isPdpUnavailable(error)) return NextResponse.json({ error: error.message }, { status: 503, headers: noStore });
    log.error({ event: "billing.download-failed", err: safeError(error) }, "could not render an invoice");
    return NextResponse.json({ error: "The invoice could not be rendered; try again." }, { status: 500, headers: noStore });
  }
}

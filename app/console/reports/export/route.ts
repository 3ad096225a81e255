// GET /reports/export?from=YYYY-MM-DD&to=YYYY-MM-DD on the console: every
// customer the caller may export reports of (RLS, then the PDP per customer),
// one CSV row each (formula-safe). Who first (401), then what (400 for a bad
// period, with the reason), then whether the caller is MSSP staff (403: the
// console's export, like its pages, is not for a customer's people). A browser's form submission with a bad period goes
// back to /reports, where the form shows the reason beside the dates it kept,
// instead of a page of JSON; a script still gets the 400.
import { NextResponse } from "next/server";
import { getSessionUser } from "@/lib/auth/session";
import { isPdpUnavailable } from "@/lib/authz";
import { withTenant } from "@/lib/db/with-tenant";
import { log, safeError } from "@/lib/log";
import { customerPeriodCsv, exportCustomers } from "@/lib/reports/cross-tenant";
import { noStore } from "@/lib/reports/http";
import { periodFields, periodOfFields } from "@/lib/reports/period";

export async function GET(request: Request) {
  const user = await getSessionUser();
  if (!user) return NextResponse.json({ error: "Sign in to download this." }, { status: 401, headers: noStore });
  const url = new URL(request.url);
  const fields = periodFields.safeParse({ from: url.searchParams.get("from") ?? "", to: url.searchParams.get("to") ?? "" });
  if (!fields.success) {
    if (request.headers.get("accept")?.includes("text/html")) {
      const back = new URLSearchParams({ export_from: url.searchParams.get("from") ?? "", export_to: url.searchParams.get("to") ?? "" });
      return new NextResponse(null, { status: 303, headers: { ...noStore, Location: `/reports?${back}#export-heading` } });
    }
    return NextResponse.json({ error: fields.error.issues.map((i) => i.message).join(" ") }, { status: 400, headers: noStore });
  }
  const period = periodOfFields(fields.data);
  try {
    const rows = await withTenant({ userId: user.id, email: user.email, sessionId: user.sessionId, activeTenantId: null }, (tx) => exportCustomers(tx, period));
    if (!rows) return NextResponse.json({ error: "The customers' export is for MSSP staff." }, { status: 403, headers: noStore });
    return new NextResponse(customerPeriodCsv(rows, period), {
      headers: {
        ...noStore,
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": `attachment; filename="customers-${fields.data.from}-to-${fields.data.to}.csv"`,
        "X-Content-Type-Options": "nosniff",
      },
    });
  } catch (error) {
    if (isPdpUnavailable(error)) return NextResponse.json({ error: error.message }, { status: 503, headers: noStore });
    log.error({ event: "reports.export-failed", err: safeError(error) }, "could not export the customers' figures");
    return NextResponse.json({ error: "The export could not be made; try again." }, { status: 500, headers: noStore });
  }
}

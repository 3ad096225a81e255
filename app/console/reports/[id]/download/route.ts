// GET /reports/<id>/download on the console: a stored report (PDF or CSV).
// Who is asking first (signed out: 401), then what: RLS decides whether the
// report exists for the caller and the PDP's reports:export whether they may
// have it; anything else is 404, another tenant's report included.
import { NextResponse } from "next/server";
import { z } from "zod";
import { getSessionUser } from "@/lib/auth/session";
import { isPdpUnavailable } from "@/lib/authz";
import { withTenant } from "@/lib/db/with-tenant";
import { log, safeError } from "@/lib/log";
import { reportDownload } from "@/lib/reports/download";
import { fileResponse, noStore } from "@/lib/reports/http";

export async function GET(_request: Request, context: { params: Promise<{ id: string }> }) {
  const user = await getSessionUser();
  if (!user) return NextResponse.json({ error: "Sign in to download this." }, { status: 401, headers: noStore });
  const id = z.string().uuid().safeParse((await context.params).id);
  if (!id.success) return NextResponse.json({ error: "No such report." }, { status: 404, headers: noStore });
  try {
    const file = await withTenant({ userId: user.id, email: user.email, sessionId: user.sessionId, activeTenantId: null }, (tx) => reportDownload(tx, id.data));
    return fileResponse(file);
  } catch (error) {
    if (isPdpUnavailable(error)) return NextResponse.json({ error: error.message }, { status: 503, headers: noStore });
    log.error({ event: "reports.download-failed", err: safeError(error) }, "could not serve a report");
    return NextResponse.json({ error: "The report could not be read; try again." }, { status: 500, headers: noStore });
  }
}

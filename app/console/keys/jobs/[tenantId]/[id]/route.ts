// GET /keys/jobs/<tenantId>/<jobId> on the console host: one job's status for
// the Keys page's progress bars. RLS decides whether the caller may see it
// (a job that exists but is not theirs is the same 404 as one that does not).
import { NextResponse } from "next/server";
import { z } from "zod";
import { getSessionUser } from "@/lib/auth/session";
import { withTenant } from "@/lib/db/with-tenant";
import { getJob } from "@/lib/jobs";
import { log, safeError } from "@/lib/log";
import { jobJson } from "@/lib/vault/rotation-page";

const paramsSchema = z.object({ tenantId: z.string().uuid(), id: z.string().uuid() });
const noStore = { "Cache-Control": "no-store" };

export async function GET(_request: Request, context: { params: Promise<{ tenantId: string; id: string }> }) {
  const params = paramsSchema.safeParse(await context.params);
  if (!params.success) return NextResponse.json({ error: "No such job." }, { status: 404, headers: noStore });
  const user = await getSessionUser();
  if (!user) return NextResponse.json({ error: "Sign in to see this job." }, { status: 401, headers: noStore });
  try {
    const job = await withTenant(
      { userId: user.id, email: user.email, sessionId: user.sessionId, activeTenantId: null },
      (tx) => getJob(tx, params.data.tenantId, params.data.id),
    );
    if (!job) return NextResponse.json({ error: "No such job." }, { status: 404, headers: noStore });
    return NextResponse.json(jobJson(job), { headers: noStore });
  } catch (error) {
    log.error({ event: "jobs.status-failed", err: safeError(error) }, "could not read a job's status");
    return NextResponse.json({ error: "The job's status could not be read; try again." }, { status: 500, headers: noStore });
  }
}

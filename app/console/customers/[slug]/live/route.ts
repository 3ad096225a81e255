// GET /customers/<slug>/live on the console host: the tenant's state and its
// lifecycle workflows with their steps, for the live timelines. RLS decides
// whether the caller may see the tenant (unknown and not-yours are the same 404).
import { NextResponse } from "next/server";
import { getSessionUser } from "@/lib/auth/session";
import { withTenant } from "@/lib/db/with-tenant";
import { lifecycleLive } from "@/lib/lifecycle/live";
import { log, safeError } from "@/lib/log";
import { tenantSlugSchema } from "@/lib/tenancy/slug";

const noStore = { "Cache-Control": "no-store" };

export async function GET(_request: Request, context: { params: Promise<{ slug: string }> }) {
  const slug = tenantSlugSchema.safeParse((await context.params).slug);
  if (!slug.success) return NextResponse.json({ error: "No such tenant." }, { status: 404, headers: noStore });
  const user = await getSessionUser();
  if (!user) return NextResponse.json({ error: "Sign in to see this." }, { status: 401, headers: noStore });
  try {
    const live = await withTenant({ userId: user.id, email: user.email, sessionId: user.sessionId, activeTenantId: null }, (tx) => lifecycleLive(tx, slug.data));
    if (!live) return NextResponse.json({ error: "No such tenant." }, { status: 404, headers: noStore });
    return NextResponse.json(live, { headers: noStore });
  } catch (error) {
    log.error({ event: "lifecycle.live-failed", err: safeError(error) }, "could not read a tenant's workflows");
    return NextResponse.json({ error: "The progress could not be read; try again." }, { status: 500, headers: noStore });
  }
}

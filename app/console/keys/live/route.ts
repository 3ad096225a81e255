// GET /keys/live?tenants=<id>,<id> on the console host: the parts of the Keys
// page that change while key jobs run — the rows of those tenants (at most a
// page; the ones whose job just finished), the KEK cards and the recent jobs.
// The page asks for it when a job is queued or finishes, instead of
// re-rendering the whole table. RLS decides which tenants exist; the PDP
// decides the rotate buttons, as on the page.
import { NextResponse } from "next/server";
import { z } from "zod";
import { getSessionUser } from "@/lib/auth/session";
import { withTenant } from "@/lib/db/with-tenant";
import { log, safeError } from "@/lib/log";
import { isOperator } from "@/lib/tenancy/page-context";
import { KEYS_PAGE_SIZE, liveIdsSchema, loadKeysLive } from "@/lib/vault/rotation-page";

const noStore = { "Cache-Control": "no-store" };
const tenantsParam = z
  .string()
  .max(KEYS_PAGE_SIZE * 37)
  .transform((s) => (s === "" ? [] : s.split(",")))
  .pipe(liveIdsSchema);

export async function GET(request: Request) {
  const raw = new URL(request.url).searchParams.get("tenants") ?? "";
  const ids = tenantsParam.safeParse(raw);
  if (!ids.success) {
    return NextResponse.json(
      { error: `tenants must be up to ${KEYS_PAGE_SIZE} tenant ids, separated by commas.` },
      { status: 400, headers: noStore },
    );
  }
  const user = await getSessionUser();
  if (!user) return NextResponse.json({ error: "Sign in to see key status." }, { status: 401, headers: noStore });
  try {
    const data = await withTenant(
      { userId: user.id, email: user.email, sessionId: user.sessionId, activeTenantId: null },
      async (tx) => (isOperator(tx) ? loadKeysLive(tx, ids.data) : null),
    );
    if (!data) return NextResponse.json({ error: "Keys are managed by your MSSP." }, { status: 403, headers: noStore });
    return NextResponse.json(data, { headers: noStore });
  } catch (error) {
    log.error({ event: "keys.live-failed", err: safeError(error) }, "could not read the Keys page's live status");
    return NextResponse.json({ error: "Key status could not be read; try again." }, { status: 500, headers: noStore });
  }
}

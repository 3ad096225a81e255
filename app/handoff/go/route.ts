// GET /handoff/go?to=<slug|console>[&next=/path]: leave this portal for
// another the user may use, signed in (lib/auth/handoff-start.ts). Signed
// out: the sign-in page, coming back here.
import { NextResponse } from "next/server";
import { getSessionUserForEnrolment } from "@/lib/auth/session";
import { handoffQuery, startHandoff } from "@/lib/auth/handoff-start";
import { requestOrigin } from "@/lib/tenancy/origin";
import { customDomainTenant } from "@/lib/tenancy/host";

export const dynamic = "force-dynamic";

export async function GET(request: Request): Promise<Response> {
  const here = new URL(request.url);
  const origin = await requestOrigin();
  const user = await getSessionUserForEnrolment();
  if (!user) return NextResponse.redirect(`${origin}/signin?callbackUrl=${encodeURIComponent(`${here.pathname}${here.search}`)}`, 303);
  // Signed in but required to set up MFA first: there, not to the sign-in page (which sends them back here).
  if (user.mfaEnrollmentRequired) return NextResponse.redirect(`${origin}/account/mfa`, 303);
  const query = handoffQuery.safeParse(Object.fromEntries(here.searchParams));
  if (!query.success) return new Response("That portal link is not valid.\n", { status: 400, headers: { "content-type": "text/plain; charset=utf-8" } });
  // From a tenant's custom domain: only within that tenant (lib/auth/handoff-start.ts).
  const r = await startHandoff(user, query.data, customDomainTenant(request.headers));
  if (!r.ok) {
    const text =
      r.status === 404
        ? "No such portal.\n"
        : r.reason === "wrong_host"
          ? `Your account now reaches beyond this organisation, so it cannot leave this address for another portal. Sign in at ${r.signInAt} instead.\n`
          : "Your account has no access to that portal.\n";
    return new Response(text, { status: r.status, headers: { "content-type": "text/plain; charset=utf-8" } });
  }
  return NextResponse.redirect(r.url, { status: 303, headers: { "cache-control": "no-store", "referrer-policy": "no-referrer" } });
}

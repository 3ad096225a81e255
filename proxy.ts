// Host-based tenant routing. The proxy maps the host to an internal route:
//   console host  /x  -> /console/x
//   tenant host   /x  -> /t/<slug>/x
//   unknown host  /x  -> /unknown-host  (renders the 404 page)
// Because every path is prefixed, a client can never address another
// tenant's internal route: acme.localhost/t/globex/... becomes
// /t/acme/t/globex/..., which does not exist.
import { NextResponse, type NextRequest } from "next/server";
import { parseHost } from "@/lib/tenancy/host";

// Served the same on every host: next-auth's endpoints, the sign-in page
// (which reads the host itself to show the tenant's name) and the user's own
// account pages (two-step verification), which are about the user, not a tenant.
const SHARED_PREFIXES = ["/api/auth", "/signin", "/invite", "/account"];

export function proxy(request: NextRequest) {
  const { pathname, search } = request.nextUrl;
  // Every request gets its own id for the audit trail and logs; a client-sent
  // x-request-id is replaced, never trusted.
  const requestHeaders = new Headers(request.headers);
  requestHeaders.set("x-request-id", crypto.randomUUID());
  // The path as the person asked for it (before the rewrite below), so a
  // layout that sends them to sign in can bring them back here. Set here,
  // never taken from the client.
  requestHeaders.set("x-portal-path", `${pathname}${search}`);
  if (SHARED_PREFIXES.some((p) => pathname === p || pathname.startsWith(`${p}/`))) {
    return NextResponse.next({ request: { headers: requestHeaders } });
  }
  const target = parseHost(request.headers.get("host"));
  const url = request.nextUrl.clone();
  url.search = search;
  switch (target.area) {
    case "console":
      url.pathname = `/console${pathname === "/" ? "" : pathname}`;
      break;
    case "tenant":
      url.pathname = `/t/${target.slug}${pathname === "/" ? "" : pathname}`;
      break;
    default:
      url.pathname = "/unknown-host";
  }
  return NextResponse.rewrite(url, { request: { headers: requestHeaders } });
}

export const config = {
  // Everything but Next's own assets and the favicon.
  matcher: ["/((?!_next/static|_next/image|favicon.ico).*)"],
};

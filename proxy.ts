// Host-based tenant routing. The proxy maps the host to an internal route:
//   console host  /x  -> /console/x
//   tenant host   /x  -> /t/<slug>/x
//   unknown host  /x  -> /unknown-host  (renders the 404 page), next-auth's
//                        endpoints and the sign-in page included
// Because every path is prefixed, a client can never address another
// tenant's internal route: acme.localhost/t/globex/... becomes
// /t/acme/t/globex/..., which does not exist.
//
// It is also the one place that decides which host a request is for
// (issue 9, finding 9): X-Forwarded-Host is overwritten with the validated
// Host, so next-auth (which builds its URLs and redirects from
// X-Forwarded-Host when AUTH_TRUST_HOST is set) and the routing here agree,
// and a client cannot name another host for next-auth's redirects. And it
// sets the security headers with a fresh CSP nonce on every response it
// sees (finding 6; lib/http/security-headers.ts), but for a brand asset's,
// whose route handler sets its own, stricter one (BRAND_ASSET_FILE below).
import { NextResponse, type NextRequest } from "next/server";
import { refuseMalformed, refuseUnreadableForm } from "@/lib/http/request-guard";
import { isHttps, makeNonce, NONCE_HEADER, securityHeaders } from "@/lib/http/security-headers";
import { CUSTOM_DOMAIN_TENANT_HEADER, parseHost, portalAuthority } from "@/lib/tenancy/host";
import { customDomainSlugOfHost } from "@/lib/domains/resolve";
import { isBenchBaselinePath } from "@/lib/alerts/baseline-flag";
import { settings } from "@/lib/config";

// Served the same on every portal host: next-auth's endpoints, the sign-in
// page (neutral: it names no tenant before sign-in) and the user's own
// account pages (two-step verification), which are about the user, not a tenant.
// The tenant API (/api/v1/…) is served on every portal host too, but not
// through here: the matcher below leaves it out (the gateway decides the host,
// request id and headers itself, lib/api/gateway), so Next streams its bodies
// to the gateway instead of copying each whole for the proxy first. Only the
// bare /api/v1 and API paths with a % in them (see the matcher) still come here.
// The API's reference page (/api-docs) too: public, it names no tenant.
// /handoff: moving between portals without signing in again (lib/auth/handoff.ts).
// /brand-asset: the host's logo and favicon (app/brand-asset; the route reads the host itself).
const SHARED_PREFIXES = ["/api/auth", "/api/v1", "/signin", "/invite", "/account", "/api-docs", "/handoff", "/brand-asset"];
// The TLS terminator's question "may I get a certificate for this host?"
// (docs/white-label.md): passed to its route on any host (the terminator asks
// by address), which answers only a question carrying TLS_ASK_SECRET and 404
// to anyone else (lib/domains/ask.ts).
const TLS_ASK_PATH = "/api/tls/ask";
// A brand asset's GET (or HEAD), answered by its route handler (app/brand-asset/[file]/route.ts) with a
// policy of its own under which nothing in an SVG runs or loads. Next writes the proxy's response
// headers before a route handler runs and adds a handler's header only where the proxy set none, so
// the page policy set here would replace the asset's: on these requests the proxy sets no CSP.
const BRAND_ASSET_FILE = /^\/brand-asset\/[^/]+$/;

/**
 * Next.js calls this: a form body Next would fail to parse is refused first
 * (it must be read, so this part is asynchronous), then routeRequest.
 */
export async function proxy(request: NextRequest): Promise<NextResponse> {
  const customTenant = await customDomainSlugOfHost(request.headers.get("host"));
  const response = routeRequest(request, customTenant);
  const served = (customTenant !== null || parseHost(request.headers.get("host")).area !== "unknown") && (response.headers.has("x-middleware-rewrite") || response.headers.has("x-middleware-next"));
  const refused = served ? await refuseUnreadableForm(request) : null;
  if (!refused) return response;
  // The refusal carries the same security headers as any other answer.
  for (const [key, value] of response.headers) if (!key.startsWith("x-middleware-")) refused.headers.set(key, value);
  return refused;
}

/** Host → route, request id, X-Forwarded-Host, security headers, and the refusals that need no body (tests call it directly). */
export function routeRequest(request: NextRequest, customTenant: string | null = null): NextResponse {
  const { pathname, search } = request.nextUrl;
  const rawHost = request.headers.get("host");
  // customTenant: the host is a verified custom domain of that tenant (proxy() looked it up).
  const target = customTenant ? ({ area: "tenant", slug: customTenant } as const) : parseHost(rawHost);
  // The one decision of the request's scheme: X-Forwarded-Proto is overwritten with it below, so the
  // links pages and actions build from that header (requestProtocol, lib/tenancy/host.ts) follow it too.
  const https = isHttps(request.headers.get("x-forwarded-proto"), request.nextUrl.protocol, settings().PORTAL_PROTOCOL);
  const nonce = makeNonce();
  // HSTS covers subdomains only on the portal's own hosts, never on a tenant's custom domain (it may be an apex).
  const security = securityHeaders(nonce, { https, dev: process.env.NODE_ENV === "development", portalHost: !customTenant && target.area !== "unknown" });

  // Every request gets its own id for the audit trail and logs; a client-sent
  // x-request-id is replaced, never trusted.
  const requestHeaders = new Headers(request.headers);
  requestHeaders.set("x-request-id", crypto.randomUUID());
  // The path as the person asked for it (before the rewrite below), so a
  // layout that sends them to sign in can bring them back here. Set here,
  // never taken from the client.
  requestHeaders.set("x-portal-path", `${pathname}${search}`);
  // One source for "which host": the validated Host header. Whatever a client
  // (or a proxy in front) put in X-Forwarded-Host is replaced; on a host that
  // is not the portal's nothing below this proxy runs but the 404 page.
  const authority = portalAuthority(rawHost) ?? (customTenant ? rawHost!.trim().toLowerCase() : null);
  // Only the proxy names a custom domain's tenant (lib/tenancy/host.ts hostTarget).
  requestHeaders.delete(CUSTOM_DOMAIN_TENANT_HEADER);
  if (customTenant) requestHeaders.set(CUSTOM_DOMAIN_TENANT_HEADER, customTenant);
  if (authority) requestHeaders.set("x-forwarded-host", authority);
  else requestHeaders.delete("x-forwarded-host");
  requestHeaders.set("x-forwarded-proto", https ? "https" : "http");
  // Next reads the nonce from the request's policy and puts it on its scripts;
  // the root layout reads it from x-nonce (both set here, never by the client).
  requestHeaders.set("content-security-policy", security["Content-Security-Policy"]);
  requestHeaders.set(NONCE_HEADER, nonce);

  // Input Next.js or next-auth would answer with a 500 gets a clear 4xx instead (lib/http/request-guard.ts).
  const refused = target.area === "unknown" ? null : refuseMalformed(request);
  let response: NextResponse;
  let handlerSetsPolicy = false;
  if (refused) {
    response = refused;
  } else if (request.method === "OPTIONS" && target.area !== "unknown" && !pathname.startsWith("/api/")) {
    // Pages and the portal's own route handlers take GET, HEAD and POST only; Next answers OPTIONS on a
    // page with an empty 400 (a path such as /brand-asset/%2e%2e is a page once its dot-segment is resolved).
    // The tenant API and next-auth answer their own.
    response = new NextResponse(null, { status: 204, headers: { Allow: "GET, HEAD, POST, OPTIONS" } });
  } else if (
    (target.area !== "unknown" && SHARED_PREFIXES.some((p) => pathname === p || pathname.startsWith(`${p}/`))) ||
    // Prometheus's /metrics (lib/metrics: its own bearer token, no session), on the console host only.
    (target.area === "console" && pathname === "/metrics") ||
    // The load bench's baseline pages (lib/alerts/baseline-flag.ts): only in a server started with BENCH_BASELINE_PAGES=1.
    (target.area !== "unknown" && isBenchBaselinePath(pathname)) ||
    pathname === TLS_ASK_PATH
  ) {
    response = NextResponse.next({ request: { headers: requestHeaders } });
    handlerSetsPolicy = (request.method === "GET" || request.method === "HEAD") && BRAND_ASSET_FILE.test(pathname);
  } else {
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
        url.search = "";
    }
    response = NextResponse.rewrite(url, { request: { headers: requestHeaders } });
  }
  for (const [key, value] of Object.entries(security)) {
    if (key === "Content-Security-Policy" && handlerSetsPolicy) continue;
    response.headers.set(key, value);
  }
  return response;
}

export const config = {
  // Everything but Next's own assets, the favicon and the tenant API (see SHARED_PREFIXES): a
  // request the proxy sees has its whole body read into memory before any route runs. An API
  // path with a % in it still comes here: Next's router answers a broken %-encoding with a bare
  // 500 before any route runs, and refuseMalformed answers it with the API's 400 problem instead.
  // (Next tries the matcher on the raw path and on the decoded one.)
  matcher: ["/((?!_next/static|_next/image|favicon.ico|api/v1/[^%]*$).*)"],
};

// Requests refused in the proxy because Next.js or next-auth would answer them
// with a 500 (issue 9, route fuzzing: e2e/fuzz-routes.spec.ts found each):
//
// - a path whose percent-encoding is not UTF-8 (`/customers/%ff/live`):
//   Next's router cannot decode the dynamic segment;
// - a state-changing request whose Origin names another site or is not a URL:
//   Next refuses a cross-site server action by throwing ("Invalid Server
//   Actions request", or `new URL()` on the header), a 500; route handlers
//   check Origin themselves (lib/lifecycle/web/http.ts) and keep doing so.
//   `Origin: null` is not refused here (crossSiteOrigin), but it is not "no
//   Origin" to Next: Next 16's action handler compares the host "null" with
//   the request's and aborts the action ("Invalid Server Actions request":
//   a fetch action's answer carries the error, a no-JavaScript form's post
//   fails). A browser sends `null` for a form post (a navigation) from a page
//   with `Referrer-Policy: no-referrer` (the invitation, password-reset and
//   handoff pages); their actions run from hydrated components through
//   fetch(), whose same-origin POST carries the page's real origin whatever
//   the referrer policy, so none of the portal's own uses meets this;
// - a multipart POST without a boundary, whose body does not parse, or that
//   carries no server-action field: Next reads any multipart POST to a page
//   as a possible no-JavaScript server action and fails on it ("Invalid
//   Server Actions request"; refuseUnreadableForm, the proxy's one await).
//   No route handler of the portal takes multipart (uploads use their own
//   envelope type, lib/lifecycle/web/upload.ts), so this refuses nothing real;
// - a JSON POST to next-auth's endpoints that is not JSON: next-auth parses
//   it unguarded (refuseBadJson, called by app/api/auth/[...nextauth]/route.ts);
// - a callbackUrl parameter to next-auth that is neither a path nor an http(s)
//   URL: next-auth calls it a server misconfiguration, a 500 (refuseBadCallbackUrl).
// Each is answered 400/403/415 with a JSON message, like the route handlers'.
import { NextResponse, type NextRequest } from "next/server";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);
const refuse = (status: number, error: string) => NextResponse.json({ error }, { status, headers: { "Cache-Control": "no-store" } });

function decodable(pathname: string): boolean {
  try {
    decodeURIComponent(pathname);
    return true;
  } catch {
    return false;
  }
}

/** Same host as the request's Host header (the scheme may differ behind a TLS ingress, as Next.js compares too). */
export function crossSiteOrigin(origin: string | null, host: string | null): boolean {
  if (origin === null || origin === "null") return false;
  try {
    return new URL(origin).host !== (host ?? "").toLowerCase();
  } catch {
    return true;
  }
}

/**
 * The tenant API (lib/api/gateway) authenticates with a bearer key, never a
 * cookie, so a cross-site request carries no authority and the Origin check
 * does not apply; it takes JSON only and refuses everything else itself, as
 * RFC 9457 problem documents. Only a path Next cannot decode is refused here
 * (Next's router would fail on it), in the same format.
 */
export function isApiPath(pathname: string): boolean {
  return pathname === "/api/v1" || pathname.startsWith("/api/v1/");
}

/** Synchronous, so the proxy stays synchronous: nothing here reads the body. */
export function refuseMalformed(request: NextRequest): NextResponse | null {
  const { pathname } = request.nextUrl;
  if (isApiPath(pathname)) {
    if (decodable(pathname)) return null;
    const requestId = crypto.randomUUID();
    return NextResponse.json(
      { type: "/api/v1/problems/bad-request", title: "Bad Request", status: 400, detail: "The path has a broken %-encoding.", request_id: requestId },
      { status: 400, headers: { "content-type": "application/problem+json", "cache-control": "no-store", "x-request-id": requestId } },
    );
  }
  if (!decodable(pathname)) return refuse(400, "The address is not valid: it has a broken %-encoding.");
  if (SAFE_METHODS.has(request.method)) return null;
  if (crossSiteOrigin(request.headers.get("origin"), request.headers.get("host"))) {
    return refuse(403, "Requests from another site are refused. Use the portal's own pages.");
  }
  const type = request.headers.get("content-type")?.toLowerCase() ?? "";
  if (type.startsWith("multipart/form-data") && !/;\s*boundary=/.test(type)) {
    return refuse(400, "The form data is not valid multipart (it has no boundary).");
  }
  return null;
}

/** Bodies larger than this are not read here (the route's own limits apply). */
const READ_LIMIT = 1024 * 1024;

/**
 * A multipart POST without a Next-Action header is what a form sends before
 * the page is hydrated (a no-JavaScript server action), so Next parses it
 * as one: a body that is not valid multipart, or one without React's
 * `$ACTION_…` field naming the action, makes that parse a 500.
 */
export async function refuseUnreadableForm(request: NextRequest): Promise<NextResponse | null> {
  if (request.method !== "POST" || request.headers.has("next-action") || isApiPath(request.nextUrl.pathname)) return null;
  if (!(request.headers.get("content-type") ?? "").toLowerCase().startsWith("multipart/form-data")) return null;
  const length = Number(request.headers.get("content-length") ?? "0");
  if (!Number.isFinite(length) || length > READ_LIMIT) return null;
  const form = await request.clone().formData().catch(() => null);
  if (!form) return refuse(400, "The form data could not be read.");
  const namesAnAction = [...form.keys()].some((k) => k.startsWith("$ACTION_"));
  return namesAnAction ? null : refuse(400, "This form was not sent by one of the portal's pages.");
}

/** next-auth parses a JSON body unguarded (a 500 on anything else): its route asks this first. */
export async function refuseBadJson(request: Request): Promise<Response | null> {
  if (SAFE_METHODS.has(request.method)) return null;
  if ((request.headers.get("content-type") ?? "").split(";")[0].trim().toLowerCase() !== "application/json") return null;
  const text = await request.clone().text();
  try {
    JSON.parse(text);
    return null;
  } catch {
    return refuse(400, "The request body is not valid JSON.");
  }
}

/** next-auth answers a callbackUrl that is neither a path nor an http(s) URL with a 500: its route asks this first. */
export function refuseBadCallbackUrl(request: Request): Response | null {
  const value = new URL(request.url).searchParams.get("callbackUrl");
  if (value === null || value.startsWith("/")) return null;
  try {
    const url = new URL(value);
    if (url.protocol === "http:" || url.protocol === "https:") return null;
  } catch {
    // not a URL: refused below
  }
  return refuse(400, "callbackUrl must be a path on this site or an http(s) address.");
}

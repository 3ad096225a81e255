// The security headers every response carries (issue 9, finding 6), in one
// place: the proxy sets them on every request it sees, with a fresh CSP nonce
// per request; next.config.ts sets the static ones on what the proxy does not
// see (Next's own /_next/static files).
//
// Script policy: a per-request nonce with 'strict-dynamic' (no host
// allowlist, no 'unsafe-inline'): Next puts the nonce on its own scripts when
// the request carries the policy (it reads it from the request's
// Content-Security-Policy header), and the chunks those scripts load are
// trusted through 'strict-dynamic'. Styles allow 'unsafe-inline': React and
// the chart library set style attributes, which a nonce cannot cover; CSS
// cannot run script.

export const NONCE_HEADER = "x-nonce";

/** 128 random bits, base64: unpredictable and new for every request. */
export function makeNonce(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return btoa(String.fromCharCode(...bytes));
}

export interface PolicyOptions {
  /** `next dev` needs eval (React's debugging) and its websocket. */
  dev?: boolean;
  /** Over https: also tell the browser to upgrade any http subresource. */
  https?: boolean;
  /**
   * The host is one of the portal's own (its domain, the console, a tenant's <slug>.<domain>): HSTS
   * then covers its subdomains too. Leave it unset for anything else, a tenant's custom domain above
   * all (see HSTS_THIS_HOST).
   */
  portalHost?: boolean;
}

export function contentSecurityPolicy(nonce: string, opts: PolicyOptions = {}): string {
  const directives: [string, ...string[]][] = [
    ["default-src", "'self'"],
    ["script-src", "'self'", `'nonce-${nonce}'`, "'strict-dynamic'", ...(opts.dev ? ["'unsafe-eval'"] : [])],
    ["style-src", "'self'", "'unsafe-inline'"],
    ["img-src", "'self'", "data:", "blob:"],
    ["font-src", "'self'", "data:"],
    ["connect-src", "'self'", ...(opts.dev ? ["ws:", "wss:"] : [])],
    ["object-src", "'none'"],
    ["base-uri", "'none'"],
    ["form-action", "'self'"],
    ["frame-src", "'none'"],
    ["frame-ancestors", "'none'"],
    ["worker-src", "'self'", "blob:"],
    ["manifest-src", "'self'"],
  ];
  if (opts.https) directives.push(["upgrade-insecure-requests"]);
  return directives.map((d) => d.join(" ")).join("; ");
}

/** HSTS for two years on the portal domain and every tenant subdomain. No preload: that is the operator's call. */
export const HSTS = "max-age=63072000; includeSubDomains";

/**
 * HSTS for one host only: a tenant's custom domain (and any host that is not the portal's). The
 * portal runs that host, not the domain around it: a tenant may verify an apex such as acme.com, and
 * includeSubDomains there would pin HTTPS for two years on every *.acme.com host the tenant runs
 * elsewhere, an intranet on plain http included.
 */
export const HSTS_THIS_HOST = "max-age=63072000";

/** The headers that do not depend on the request (also set from next.config.ts). */
export const STATIC_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "X-Content-Type-Options": "nosniff",
  "X-Frame-Options": "DENY",
  "Referrer-Policy": "strict-origin-when-cross-origin",
  "Permissions-Policy":
    "accelerometer=(), autoplay=(), camera=(), display-capture=(), encrypted-media=(), fullscreen=(self), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), midi=(), payment=(), publickey-credentials-get=(self), screen-wake-lock=(), usb=(), xr-spatial-tracking=()",
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Resource-Policy": "same-origin",
  "X-Permitted-Cross-Domain-Policies": "none",
};

/**
 * Whether the request reached the portal over TLS. PORTAL_PROTOCOL, when the
 * deployment sets it, decides for every request: then a client's own
 * X-Forwarded-Proto cannot make the portal believe it came over plain http
 * (a password-reset link mailed as http://, its token in clear on the first
 * hop) nor over https. Unset (development, the tests): the ingress's
 * X-Forwarded-Proto (the app itself listens on plain http behind it), or the
 * URL Next saw. HSTS is only sent over https: over plain http a browser
 * ignores it, and sending it from a local http server would be a lie about
 * the deployment.
 */
export function isHttps(forwardedProto: string | null, urlProtocol: string, configured?: "http" | "https"): boolean {
  if (configured) return configured === "https";
  const first = forwardedProto?.split(",")[0]?.trim().toLowerCase();
  return first ? first === "https" : urlProtocol === "https:";
}

/** HSTS over https only: covering subdomains on the portal's own hosts, this host alone elsewhere. */
function transportSecurity(opts: Pick<PolicyOptions, "https" | "portalHost">): Record<string, string> {
  return opts.https ? { "Strict-Transport-Security": opts.portalHost ? HSTS : HSTS_THIS_HOST } : {};
}

/** Every security header for one response. */
export function securityHeaders(nonce: string, opts: PolicyOptions = {}): Record<string, string> {
  return {
    ...STATIC_SECURITY_HEADERS,
    "Content-Security-Policy": contentSecurityPolicy(nonce, opts),
    ...transportSecurity(opts),
  };
}

/**
 * The headers of a tenant API answer (lib/api/gateway; the proxy does not see the API): JSON only,
 * so a policy under which nothing loads or frames it, and HSTS as for a page of the same host.
 */
export function apiSecurityHeaders(opts: Pick<PolicyOptions, "portalHost"> & { https: boolean }): Record<string, string> {
  return {
    ...STATIC_SECURITY_HEADERS,
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
    ...transportSecurity(opts),
  };
}

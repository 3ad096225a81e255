// The names and attributes of next-auth's cookies (issue 9, finding 5).
//
// secure (production): every cookie is Secure, and the three next-auth uses
// for credentials sign-in carry the __Host- prefix, which the browser accepts
// only with Secure, Path=/ and no Domain, from a secure origin. So the
// cookies are host-only and cannot be set or shadowed by a sibling subdomain
// (a tenant host cannot plant a session cookie for another tenant host) or
// over plain http. Chromium (checked: version 156) treats http://localhost,
// http://*.localhost and http://127.0.0.1 as secure origins and accepts these
// cookies there (the e2e suite runs a production build on
// http://localhost:3100 and http://acme.localhost:3100); on any other
// plain-http host it drops them, so a production build served without TLS
// cannot sign anyone in: it fails closed.
//
// Not secure (`next dev`): plain names without Secure, so a developer on a
// plain-http address that is not localhost can still sign in.
import type { CookiesOptions } from "next-auth";

export const SESSION_COOKIE = "mssp.session-token";
export const CSRF_COOKIE = "mssp.csrf-token";
export const CALLBACK_COOKIE = "mssp.callback-url";

/** The cookie set for next-auth; `secure` adds Secure and the __Host- prefix. */
export function authCookies({ secure }: { secure: boolean }): Partial<CookiesOptions> {
  const prefix = secure ? "__Host-" : "";
  const options = { httpOnly: true, sameSite: "lax" as const, path: "/", secure };
  return {
    sessionToken: { name: `${prefix}${SESSION_COOKIE}`, options },
    csrfToken: { name: `${prefix}${CSRF_COOKIE}`, options },
    callbackUrl: { name: `${prefix}${CALLBACK_COOKIE}`, options },
  };
}

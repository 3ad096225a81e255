// Sessions for HTTP-level tests, obtained the way a browser gets them (the
// CSRF token, then next-auth's credentials callback, with the TOTP code for
// users who have one), plus the broken ones an attacker would try: a forged
// token, a real one with a byte flipped, and a real one re-signed with the
// server's own secret but already expired.
import { randomBytes } from "node:crypto";
import { decode, encode } from "next-auth/jwt";
import { DEMO_PASSWORD } from "@/lib/demo/users";
import { demoTotpSecret, freshTotp, markTotpUsed } from "../helpers";
import { totpStep } from "@/lib/auth/totp";
import { cookieHeader, raw, setCookies } from "./raw-http";

/** scripts/e2e-server.ts runs the portal with this secret. */
export const E2E_NEXTAUTH_SECRET = "e2e-only-secret-not-used-anywhere-else-0123456789";

export interface HttpSession {
  email: string;
  /** The host it was obtained on ("acme.localhost:3100"). */
  host: string;
  /** Every session cookie the sign-in set (name → value), without next-auth's CSRF and callback cookies. */
  cookies: Map<string, string>;
  cookie: string;
}

const NOT_SESSION = /csrf|callback-url/i;

export async function signInOverHttp(host: string, email: string, password = DEMO_PASSWORD): Promise<HttpSession> {
  const secret = password === DEMO_PASSWORD ? demoTotpSecret(email) : undefined;
  for (let attempt = 0; attempt < 2; attempt++) {
    const csrf = await raw({ host, path: "/api/auth/csrf" });
    if (csrf.status !== 200) throw new Error(`csrf on ${host}: ${csrf.status}`);
    const jar = setCookies(csrf);
    const form = new URLSearchParams({ csrfToken: JSON.parse(csrf.body).csrfToken, email, password, callbackUrl: `http://${host}/`, json: "true" });
    if (secret) form.set("code", await freshTotp(secret));
    const res = await raw({
      method: "POST",
      host,
      path: "/api/auth/callback/credentials",
      headers: { "content-type": "application/x-www-form-urlencoded", cookie: cookieHeader(jar), origin: `http://${host}` },
      body: form.toString(),
    });
    const cookies = new Map([...setCookies(res)].filter(([name, value]) => !NOT_SESSION.test(name) && value !== ""));
    if (cookies.size > 0) return { email, host, cookies, cookie: cookieHeader(cookies) };
    // A TOTP step another test already used: wait for a newer one, once.
    if (secret && attempt === 0) {
      markTotpUsed(secret, totpStep() + 1);
      continue;
    }
    throw new Error(`sign-in of ${email} on ${host} set no session cookie (status ${res.status}: ${res.body.slice(0, 200)})`);
  }
  throw new Error("unreachable");
}

/** The same cookie names with random values shaped like a JWE (five base64url parts). */
export function forged(session: HttpSession): string {
  const part = (n: number) => randomBytes(n).toString("base64url");
  const fake = [part(40), "", part(12), part(300), part(16)].join(".");
  return cookieHeader(new Map([...session.cookies.keys()].map((k) => [k, fake])));
}

/** One character of every session cookie changed (in the ciphertext, where any change must fail authentication). */
export function tampered(session: HttpSession): string {
  const flip = (v: string) => {
    const i = Math.floor(v.length / 2);
    const c = v[i] === "A" ? "B" : "A";
    return v.slice(0, i) + c + v.slice(i + 1);
  };
  return cookieHeader(new Map([...session.cookies].map(([k, v]) => [k, flip(v)])));
}

/**
 * The session's own token, decoded with the server's secret and encoded again
 * with the same claims but an expiry an hour ago: authentic, and expired.
 * Null when the cookie is not a next-auth JWT that this secret opens.
 */
export async function expired(session: HttpSession): Promise<string | null> {
  const out = new Map<string, string>();
  for (const [name, value] of session.cookies) {
    const claims = await decode({ token: value, secret: E2E_NEXTAUTH_SECRET }).catch(() => null);
    if (!claims) return null;
    out.set(name, await encode({ token: claims, secret: E2E_NEXTAUTH_SECRET, maxAge: -3600 }));
  }
  return cookieHeader(out);
}

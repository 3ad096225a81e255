// Reading the signed-in session in the App Router (pages, layouts, server
// actions, route handlers), the work next-auth's getServerSession does there
// and nothing it throws away.
//
// getServerSession runs next-auth's whole request handler for a "session"
// request: it sets up the handler (CSRF token, callback URL, provider list),
// decodes the cookie, runs the jwt and session callbacks, then seals a fresh
// token for a rolling cookie and a cleared cookie on failure. In the App
// Router it has no response to put cookies on, so it drops them, and it drops
// the session's `expires` as well. The setup and the re-sealing were ~0.6 ms
// of the server's CPU on every signed-in page under load (the load bench's
// profile, README "Performance"). Here: the same cookie, the same decode
// (authOptions.jwt.decode), the same jwt callback (which checks the session's
// server-side record: revoked, expired, idle or unknown is signed out), the
// same session callback, the same logger for the same failures, and the same
// answer, without the rest. tests/session-read.test.ts holds it to
// getServerSession's answers, case by case.
//
// Route handlers next-auth serves itself (/api/auth/*) still go through
// next-auth: sign-in, sign-out and /api/auth/session are unchanged.
import type { Session } from "next-auth";
import { settings } from "@/lib/config";
import { authOptions } from "./options";

type CookieJar = { get(name: string): { value: string } | undefined };

/**
 * The session cookie's value: the cookie itself, or its chunks (`name.0`,
 * `name.1`, … which next-auth writes for a token over ~4 KB; ours are far
 * smaller) joined in order.
 */
function sessionCookieValue(jar: CookieJar, name: string): string | null {
  const whole = jar.get(name)?.value;
  if (whole) return whole;
  const chunks: string[] = [];
  for (let i = 0; ; i += 1) {
    const chunk = jar.get(`${name}.${i}`)?.value;
    if (chunk === undefined) break;
    chunks.push(chunk);
  }
  return chunks.length > 0 ? chunks.join("") : null;
}

function secret(): string {
  // The secret next-auth seals with: the options' own, else NEXTAUTH_SECRET (lib/config checks it at start).
  const value = authOptions.secret ?? settings().NEXTAUTH_SECRET;
  // next-auth refuses to run without one too; a configuration error, not "signed out".
  if (!value) throw new Error("NEXTAUTH_SECRET is not set: sessions cannot be read");
  return value;
}

/** This request's session (next/headers' cookies), or null when signed out or ended. */
export async function readSession(): Promise<Session | null> {
  const { cookies } = await import("next/headers");
  return sessionFromCookies(await cookies());
}

/** The same from a given cookie jar. */
async function sessionFromCookies(jar: CookieJar): Promise<Session | null> {
  const name = authOptions.cookies?.sessionToken?.name ?? "next-auth.session-token";
  const raw = sessionCookieValue(jar, name);
  if (!raw) return null;
  const key = secret();
  const maxAge = authOptions.session?.maxAge ?? 30 * 24 * 60 * 60;
  try {
    const decoded = await authOptions.jwt!.decode!({ ...authOptions.jwt, secret: key, token: raw });
    if (!decoded) throw new Error("JWT invalid");
    const token = await authOptions.callbacks!.jwt!({ token: decoded } as never);
    const session = await authOptions.callbacks!.session!({
      session: { user: { name: decoded.name, email: decoded.email, image: decoded.picture }, expires: new Date(Date.now() + maxAge * 1000).toISOString() },
      token,
    } as never);
    // getServerSession drops it in the App Router; so do we (nothing reads it).
    const { expires: _dropped, ...rest } = session as Session;
    return Object.keys(rest).length > 0 ? (rest as Session) : null;
  } catch (error) {
    // next-auth's own code for it, so lib/auth/options.ts's logger sorts it as before.
    authOptions.logger?.error?.("JWT_SESSION_ERROR", error as Error);
    return null;
  }
}

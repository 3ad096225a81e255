// next-auth's jwt callback (lib/auth/options.ts), on its own so it can be
// tested without next-auth's provider modules.
//
// At sign-in it opens the session's server-side record (lib/auth/sessions.ts)
// under a fresh random id. On every later read of the session (each
// session read: lib/auth/session-read.ts, /api/auth/session, update()) it checks that record: a
// revoked, expired, idle or unknown session throws SessionEndedError, which
// next-auth answers with "no session" and a cleared cookie, so the request is
// signed out everywhere (pages, actions, route handlers). The same statement
// says whether the user must set up MFA first; the flag is taken from it,
// never from the token or the client.
//
// Host binding: a session is opened for the host of the sign-in (or handoff)
// request and is refused on every other host ("wrong_host"): a cookie a
// tenant captured on its custom domain, which it may point at a server of its
// own (docs/white-label.md), opens nothing on the console or any other portal
// host. Every read of a session comes through here with the request's Host.
import { randomUUID } from "node:crypto";
import type { JWT } from "next-auth/jwt";
import type { User } from "next-auth";
import { recordAuthEvent } from "./events";
import { checkSession, describeUserAgent, openSession, type SessionState } from "./sessions";

/** The session behind a token no longer exists; next-auth treats the request as signed out. */
export class SessionEndedError extends Error {
  constructor(readonly state: Exclude<SessionState, "active">) {
    super(`session ${state}`);
    this.name = "SessionEndedError";
  }
}

type HeaderReader = { get(name: string): string | null };

/** The current request's headers; null outside a request (tests and scripts minting a session directly). */
async function requestHeaders(): Promise<HeaderReader | null> {
  try {
    const { headers } = await import("next/headers");
    return await headers();
  } catch {
    return null;
  }
}

/**
 * The browser, client source and host of the sign-in request. The host is the one the proxy
 * validated (a portal host or a verified custom domain, lib/tenancy/host requestAuthority); a sign-in
 * request without one opens no session (the proxy answers such hosts with its 404 anyway).
 */
async function signInClient(): Promise<{ userAgent: string | null; ip: string | null; host: string | null }> {
  const h = await requestHeaders();
  if (!h) return { userAgent: null, ip: null, host: null };
  const { requestAuthority } = await import("@/lib/tenancy/host");
  const host = requestAuthority(h);
  if (!host) throw new Error("a session is opened only on a portal host");
  const { clientSource } = await import("@/lib/ratelimit");
  let ip: string | null = null;
  try {
    ip = clientSource(h);
  } catch {
    ip = null;
  }
  return { userAgent: describeUserAgent(h.get("user-agent")), ip, host };
}

export async function jwtCallback(params: { token: JWT; user?: User | null; trigger?: "signIn" | "signUp" | "update" }): Promise<JWT> {
  const { token, user } = params;
  if (user) {
    token.sub = user.id;
    token.sid = randomUUID();
    token.mfaEnrollmentRequired = user.mfaEnrollmentRequired ?? false;
    token.amr = user.amr ?? ["pwd"];
    const client = await signInClient();
    const expiresAt = await openSession(token.sid, user.id, client, new Date(), user.handoff ?? null);
    token.sexp = Math.floor(expiresAt.getTime() / 1000);
    await recordAuthEvent({
      type: "sign-in",
      userId: user.id,
      method: user.signInMethod ?? "password",
      sessionId: token.sid,
      ...(client.ip && { source: client.ip }),
    });
    return token;
  }
  const check = await checkSession(token.sid, token.sub, (await requestHeaders())?.get("host") ?? null);
  if (check.state !== "active") throw new SessionEndedError(check.state);
  token.mfaEnrollmentRequired = check.mfaEnrollmentRequired;
  if (check.expiresAt) token.sexp = Math.floor(new Date(check.expiresAt).getTime() / 1000);
  return token;
}

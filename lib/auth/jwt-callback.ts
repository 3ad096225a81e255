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

/** The browser and client source of the sign-in request, if there is one. */
async function signInClient(): Promise<{ userAgent: string | null; ip: string | null }> {
  try {
    const { headers } = await import("next/headers");
    const { clientSource } = await import("@/lib/ratelimit");
    const h = await headers();
    return { userAgent: describeUserAgent(h.get("user-agent")), ip: clientSource(h) };
  } catch {
    return { userAgent: null, ip: null };
  }
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
  const check = await checkSession(token.sid, token.sub);
  if (check.state !== "active") throw new SessionEndedError(check.state);
  token.mfaEnrollmentRequired = check.mfaEnrollmentRequired;
  if (check.expiresAt) token.sexp = Math.floor(new Date(check.expiresAt).getTime() / 1000);
  return token;
}

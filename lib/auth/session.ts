// The signed-in user for the current request, from the next-auth JWT cookie
// and its server-side session record: next-auth's jwt callback checks the
// record on every read (lib/auth/jwt-callback.ts), so a revoked, expired or
// idle session is "signed out" here, for pages, actions and route handlers.
//
// MFA gate. A user whose MFA is required (an MSSP role, or a tenant with
// session.mfa_required on, lib/settings) but not yet confirmed has a session, but may only use the
// enrolment page: requireSessionUser redirects them to /account/mfa, and
// getSessionUser treats them as signed out (so a server action cannot be used
// to skip the enrolment either). Whether they must enrol is read from the
// database on every request, not from the JWT's mfaEnrollmentRequired flag: a
// tenant that turns session.mfa_required on takes effect at the next request, and a
// stale or forged flag can neither skip enrolment nor force it. It comes from
// the same statement that checks the session record (sessions.check_session), so a
// request reads the database once for both.
import { redirect } from "next/navigation";
import { cache } from "react";
import { readSession } from "./session-read";

export interface SessionUser {
  id: string;
  email: string;
  name: string;
  sessionId: string;
  /** Read from the database with the session record on this request (sessions.check_session). */
  mfaEnrollmentRequired: boolean;
  /** Authentication methods of this session (RFC 8176): "pwd", plus "otp" after a code (carried over by a handoff, never raised). */
  amr?: string[];
}

/** Where a user whose MFA is required but not set up is sent, on every host. */
export const MFA_ENROLMENT_PATH = "/account/mfa";

// Once per request where React's cache applies (a layout and its page both
// ask); route handlers and actions ask once anyway. getServerSession's answer
// without its discarded work (lib/auth/session-read.ts says what that is).
const currentSession = cache(readSession);

/** next-auth's session object for this request (checked against its record), for a SessionProvider. */
export const getCurrentSession = currentSession;

/**
 * The session's user, whether or not they still have to set up MFA. Only for
 * the sign-in and enrolment pages and actions; everything else uses
 * getSessionUser or requireSessionUser.
 */
export async function getSessionUserForEnrolment(): Promise<SessionUser | null> {
  const session = await currentSession();
  return session?.user?.id ? session.user : null;
}

/** The signed-in user; null when signed out, or when they must set up MFA first. */
export async function getSessionUser(): Promise<SessionUser | null> {
  const user = await getSessionUserForEnrolment();
  if (!user || user.mfaEnrollmentRequired) return null;
  return user;
}

/** Like getSessionUserForEnrolment, or a redirect to the sign-in page that comes back to `returnTo`. */
export async function requireSignedInUser(returnTo: string): Promise<SessionUser> {
  const user = await getSessionUserForEnrolment();
  if (!user) redirect(`/signin?callbackUrl=${encodeURIComponent(returnTo)}`);
  return user;
}

/**
 * The signed-in user, or a redirect to the sign-in page that comes back to
 * `returnTo`; a user who must set up MFA first is sent to /account/mfa.
 */
export async function requireSessionUser(returnTo: string): Promise<SessionUser> {
  const user = await requireSignedInUser(returnTo);
  if (user.mfaEnrollmentRequired) redirect(MFA_ENROLMENT_PATH);
  return user;
}

import "next-auth";
import "next-auth/jwt";

declare module "next-auth" {
  interface Session {
    user: { id: string; email: string; name: string; sessionId: string; mfaEnrollmentRequired: boolean; amr?: string[] };
  }
  interface User {
    /** MFA is required and not set up yet (lib/auth/credentials.ts authenticate). */
    mfaEnrollmentRequired?: boolean;
    /** Authentication methods used at sign-in (RFC 8176): "pwd", plus "otp" after a code. */
    amr?: string[];
    /** What passed the last step of sign-in, for the auth event. */
    signInMethod?: "password" | "totp" | "recovery" | "handoff";
    /** A handoff from another portal host (lib/auth/handoff.ts): the session family it joins and the source session's end. */
    handoff?: { familyId: string; notAfter: Date };
  }
}

declare module "next-auth/jwt" {
  interface JWT {
    /** The server-side session's id (sessions.user_sessions.id). */
    sid?: string;
    /** The session's absolute end, seconds since the epoch (never extended). */
    sexp?: number;
    mfaEnrollmentRequired?: boolean;
    amr?: string[];
  }
}

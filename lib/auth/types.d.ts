import "next-auth";
import "next-auth/jwt";

declare module "next-auth" {
  interface Session {
    user: { id: string; email: string; name: string; sessionId: string; mfaEnrollmentRequired: boolean };
  }
  interface User {
    /** MFA is required and not set up yet (lib/auth/credentials.ts authenticate). */
    mfaEnrollmentRequired?: boolean;
    /** Authentication methods used at sign-in (RFC 8176): "pwd", plus "otp" after a code. */
    amr?: string[];
  }
}

declare module "next-auth/jwt" {
  interface JWT {
    sid?: string;
    mfaEnrollmentRequired?: boolean;
    amr?: string[];
  }
}

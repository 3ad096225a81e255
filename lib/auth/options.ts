// next-auth configuration: credentials sign-in, JWT sessions in an httpOnly
// host-only cookie. The session holds who the user is, never what they may
// see: tenant scope is rebuilt from the memberships table on every request
// (lib/db/with-tenant.ts), so a removed membership takes effect at once.
//
// Two-step sign-in uses one credentials provider taking {email, password,
// code}: without a code, a right password for a user with MFA fails with
// "mfa_required", and the form asks for the code, then posts all three again.
import type { NextAuthOptions } from "next-auth";
import CredentialsImport from "next-auth/providers/credentials";
import { authenticate } from "./credentials";
import { jwtCallback } from "./jwt-callback";
import { authRedirect } from "@/lib/tenancy/origin";

// next-auth ships CommonJS: Next's bundler hands over its default export, while
// Node's own ESM loader (the integration tests, which call server actions
// directly: tests/helpers/actions.ts) hands over the exports object. Same
// function either way.
const CredentialsProvider = (CredentialsImport as unknown as { default?: typeof CredentialsImport }).default ?? CredentialsImport;

const SESSION_HOURS = 8;

export const authOptions: NextAuthOptions = {
  session: { strategy: "jwt", maxAge: SESSION_HOURS * 3600 },
  pages: { signIn: "/signin", error: "/signin" },
  providers: [
    CredentialsProvider({
      name: "Email and password",
      credentials: {
        email: { label: "Email", type: "email" },
        password: { label: "Password", type: "password" },
        code: { label: "Authentication code", type: "text" },
      },
      async authorize(credentials) {
        const result = await authenticate(credentials ?? {});
        if (result.ok) {
          return {
            id: result.user.id,
            email: result.user.email,
            name: result.user.name,
            mfaEnrollmentRequired: result.mfaEnrollmentRequired,
            amr: result.mfaMethod ? ["pwd", "otp"] : ["pwd"],
          };
        }
        // next-auth hands the message to the client as `error`; the sign-in
        // page maps it to text (lib/auth/sign-in-messages.ts).
        switch (result.reason) {
          case "locked":
          case "mfa_locked":
            throw new Error(`${result.reason}:${result.retryAfterSeconds}`);
          default:
            throw new Error(result.reason);
        }
      },
    }),
  ],
  callbacks: {
    jwt: ({ token, user, trigger }) => jwtCallback({ token, user, trigger }),
    async session({ session, token }) {
      session.user = {
        id: token.sub!,
        email: token.email ?? "",
        name: token.name ?? "",
        sessionId: String(token.sid ?? ""),
        mfaEnrollmentRequired: token.mfaEnrollmentRequired === true,
      };
      return session;
    },
    // Only the current origin: the host decides the tenant, and sign-in must
    // never become an open redirect. The origin is the request's validated
    // Host (lib/tenancy/origin.ts), not next-auth's baseUrl, which it builds
    // from X-Forwarded-Host: proxy.ts overwrites that header with the same
    // validated host, and this check holds even if a deployment put next-auth
    // behind something else (issue 9, finding 9). next-auth's client parses
    // the result with new URL(), so it has to be absolute.
    redirect: ({ url }) => authRedirect(url),
  },
};

// next-auth configuration: credentials sign-in, JWT sessions in an httpOnly
// host-only cookie. The session holds who the user is, never what they may
// see: tenant scope is rebuilt from the memberships table on every request
// (lib/db/with-tenant.ts), so a removed membership takes effect at once.
import { randomUUID } from "node:crypto";
import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { verifyCredentials } from "./credentials";

const SESSION_HOURS = 8;

export const authOptions: NextAuthOptions = {
  session: { strategy: "jwt", maxAge: SESSION_HOURS * 3600 },
  pages: { signIn: "/signin", error: "/signin" },
  providers: [
    CredentialsProvider({
      name: "Email and password",
      credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
      async authorize(credentials) {
        const result = await verifyCredentials(credentials ?? {});
        if (result.ok) return { id: result.user.id, email: result.user.email, name: result.user.name };
        // next-auth hands the message to the client as `error`; the sign-in
        // page maps it to text (lib/auth/credentials.ts signInErrorMessage).
        throw new Error(result.reason === "locked" ? `locked:${result.retryAfterSeconds}` : "invalid");
      },
    }),
  ],
  callbacks: {
    async jwt({ token, user }) {
      if (user) {
        token.sub = user.id;
        token.sid = randomUUID();
      }
      return token;
    },
    async session({ session, token }) {
      session.user = { id: token.sub!, email: token.email ?? "", name: token.name ?? "", sessionId: String(token.sid ?? "") };
      return session;
    },
    // Only the current origin: the host decides the tenant, and sign-in must
    // never become an open redirect. next-auth's client parses the result
    // with new URL(), so it has to be absolute.
    async redirect({ url, baseUrl }) {
      if (url.startsWith("/") && !url.startsWith("//")) return `${baseUrl}${url}`;
      try {
        return new URL(url).origin === baseUrl ? url : baseUrl;
      } catch {
        return baseUrl;
      }
    },
  },
};

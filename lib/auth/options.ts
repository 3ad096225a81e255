// next-auth configuration: credentials sign-in, JWT sessions in an httpOnly
// host-only cookie. The session holds who the user is, never what they may
// see: tenant scope is rebuilt from the memberships table on every request
// (lib/db/with-tenant.ts), so a removed membership takes effect at once.
//
// The JWT names a server-side session record (lib/auth/sessions.ts) that the
// jwt callback checks on every read, so sign-out, a password or MFA change
// and a removed membership end the session although the cookie lives on.
// Its absolute lifetime is SESSION_MAX_AGE_HOURS from sign-in; next-auth
// re-issues the cookie when the session is read, but the record's expiry
// never moves.
//
// Two-step sign-in uses one credentials provider taking {email, password,
// code}: without a code, a right password for a user with MFA fails with
// "mfa_required", and the form asks for the code, then posts all three again.
import type { NextAuthOptions } from "next-auth";
import CredentialsImport from "next-auth/providers/credentials";
import { log } from "@/lib/log";
import { authRedirect, originForConsole, portalOwnOriginForTenant } from "@/lib/tenancy/origin";
import { authCookies } from "./cookies";
import { authenticate } from "./credentials";
import { recordAuthEvent } from "./events";
import { consumeHandoff, handoffUserOf } from "./handoff";
import { handoffQuestion } from "./handoff-messages";
import { signsInOn } from "./host-rule";
import { wrongHostError } from "./sign-in-messages";
import { jwtCallback } from "./jwt-callback";
import { decodeJwt, encodeJwt } from "./jwt-codec";
import { revokeSession, sessionLifetime } from "./sessions";

// next-auth ships CommonJS: Next's bundler hands over its default export, while
// Node's own ESM loader (the integration tests, which call server actions
// directly: tests/helpers/actions.ts) hands over the exports object. Same
// function either way.
const CredentialsProvider = (CredentialsImport as unknown as { default?: typeof CredentialsImport }).default ?? CredentialsImport;

const production = process.env.NODE_ENV === "production";

export const authOptions: NextAuthOptions = {
  session: { strategy: "jwt", maxAge: sessionLifetime().maxAgeSeconds },
  // next-auth's own token format, with the HKDF-derived key kept per secret (lib/auth/jwt-codec.ts).
  jwt: { maxAge: sessionLifetime().maxAgeSeconds, encode: encodeJwt, decode: decodeJwt },
  // Production: __Host- names, Secure, Path=/, no Domain (lib/auth/cookies.ts).
  useSecureCookies: production,
  cookies: authCookies({ secure: production }),
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
            signInMethod: result.mfaMethod ?? "password",
          };
        }
        // next-auth hands the message to the client as `error`; the sign-in
        // page maps it to text (lib/auth/sign-in-messages.ts).
        switch (result.reason) {
          case "locked":
          case "mfa_locked":
            throw new Error(`${result.reason}:${result.retryAfterSeconds}`);
          case "wrong_host":
            // A custom domain and someone not of its tenant (lib/auth/host-rule.ts): where to sign in
            // instead, the portal's own host of that tenant (or the console for an MSSP), never the domain.
            throw new Error(wrongHostError(result.tenant.kind === "mssp" ? await originForConsole() : await portalOwnOriginForTenant(result.tenant.slug)));
          default:
            throw new Error(result.reason);
        }
      },
    }),
    // The other end of a handoff between portal hosts (lib/auth/handoff.ts): a
    // one-time token minted on the source host, consumed here for this host only.
    CredentialsProvider({
      id: "handoff",
      name: "Handoff from another portal",
      credentials: { token: { label: "Token", type: "text" }, confirmed: { label: "Confirmed", type: "text" } },
      async authorize(credentials) {
        const { headers } = await import("next/headers");
        const { requestAuthority } = await import("@/lib/tenancy/host");
        const host = requestAuthority(await headers());
        // Login CSRF: a link opens a session only once the person has seen whose account it is and
        // said yes, unless that account is already the one signed in here. Else anyone could send their
        // own link (a fresh one lives 60 s) to a signed-out person, who would then work, unawares,
        // in the sender's account; or swap the account of someone signed in. Asking spends nothing.
        if (credentials?.confirmed !== "yes") {
          const owner = await handoffUserOf(credentials?.token, host);
          if (owner) {
            const { readSession } = await import("./session-read");
            const here = (await readSession())?.user?.id ?? null;
            if (here === null) throw new Error(handoffQuestion("confirm", owner.email));
            if (here !== owner.id) throw new Error(handoffQuestion("switch", owner.email));
          }
        }
        const result = await consumeHandoff(credentials?.token, host);
        if (!result.ok) throw new Error(`handoff_${result.reason}`);
        const g = result.grant;
        // On a tenant's custom domain only its own people (lib/auth/host-rule.ts). Tokens are minted for
        // it only for them (lib/auth/handoff-start.ts); this holds even if memberships changed since.
        const { customDomainTenant } = await import("@/lib/tenancy/host");
        const customDomainOf = customDomainTenant(await headers());
        if (customDomainOf !== null && !(await signsInOn(g.user.id, customDomainOf)).ok) throw new Error("handoff_wrong_host");
        return { id: g.user.id, email: g.user.email, name: g.user.name, mfaEnrollmentRequired: false, amr: g.amr, signInMethod: "handoff", handoff: { familyId: g.familyId, notAfter: g.notAfter } };
      },
    }),
  ],
  callbacks: {
    jwt: ({ token, user, trigger }) => jwtCallback({ token, user, trigger }),
    async session({ session, token }) {
      // The session's real end, not next-auth's sliding one.
      if (token.sexp) session.expires = new Date(token.sexp * 1000).toISOString();
      session.user = {
        id: token.sub!,
        email: token.email ?? "",
        name: token.name ?? "",
        sessionId: String(token.sid ?? ""),
        mfaEnrollmentRequired: token.mfaEnrollmentRequired === true,
        amr: Array.isArray(token.amr) ? token.amr : ["pwd"],
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
  events: {
    // The token is only decoded here (no jwt callback): end its record.
    async signOut({ token }) {
      const sid = typeof token?.sid === "string" ? token.sid : null;
      const userId = typeof token?.sub === "string" ? token.sub : null;
      if (!sid || !userId) return;
      const ended = await revokeSession(sid, userId, "sign_out");
      await recordAuthEvent({ type: "sign-out", userId, sessionId: sid, ...(ended ? {} : { reason: "already_ended" }) });
    },
  },
  // next-auth's own messages through the portal's logger. A session that
  // ended (SessionEndedError from the jwt callback) is the expected way a
  // revoked cookie is turned away, not an error (one shown on another host
  // than its own is a warning: someone copied it). A cookie that does not
  // decrypt or has expired (jose's JWE…/JWT… errors) is anyone's junk, forged
  // or stale: a warning without stack, so a flood of them cannot bury real
  // errors. A failure inside our own callbacks stays an error.
  logger: {
    error(code, metadata) {
      const m = metadata as { name?: string; message?: string; error?: { name?: string; message?: string } } | undefined;
      const name = m?.name ?? m?.error?.name;
      if (code === "JWT_SESSION_ERROR" && name === "SessionEndedError") {
        const state = (m?.message ?? m?.error?.message ?? "").replace(/^session /, "");
        // A live session's cookie on another host than its own: copied out of the browser that held it.
        if (state === "wrong_host") log.warn({ event: "auth.session-wrong-host" }, "a request came with a session cookie issued for another host");
        else log.info({ event: "auth.session-ended", state }, "a request came with an ended session");
        return;
      }
      if (code === "JWT_SESSION_ERROR" && name && /^(JWE|JWT|JWS|JOSE)/.test(name)) {
        log.warn({ event: "auth.unreadable-session-cookie", reason: name }, "a request came with a session cookie that does not decrypt or has expired");
        return;
      }
      log.error({ event: "next-auth.error", code, message: m?.message ?? m?.error?.message }, "next-auth error");
    },
    warn(code) {
      log.warn({ event: "next-auth.warn", code }, "next-auth warning");
    },
    debug() {},
  },
};

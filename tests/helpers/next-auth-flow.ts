// Drives next-auth's real request handler (next-auth/core AuthHandler) with
// the portal's authOptions: csrf, credentials sign-in, session reads and
// sign-out, with cookies carried by hand like a browser would. Only the
// redirect callback is replaced (it reads the request's Host through
// next/headers, which exists only inside Next).
import { createRequire } from "node:module";
import path from "node:path";
import type { NextAuthOptions } from "next-auth";

// next-auth/core is what next-auth's own route handler calls; its package
// does not export the path, so it is loaded by file.
const { AuthHandler } = createRequire(import.meta.url)(path.resolve("node_modules/next-auth/core/index.js")) as {
  AuthHandler(params: { req: Record<string, unknown>; options: NextAuthOptions }): Promise<unknown>;
};

export interface AuthCookie {
  name: string;
  value: string;
  options: Record<string, unknown>;
}

export interface FlowResponse {
  status?: number;
  body?: unknown;
  redirect?: string;
  cookies: AuthCookie[];
}

export class AuthFlow {
  /** What the browser holds: name -> value (a cleared cookie is removed). */
  jar = new Map<string, string>();
  constructor(
    readonly options: NextAuthOptions,
    readonly origin = "http://acme.localhost:3100",
  ) {}

  static async portal(origin?: string, overrides: Partial<NextAuthOptions> = {}): Promise<AuthFlow> {
    const { authOptions } = await import("@/lib/auth/options");
    const options: NextAuthOptions = {
      ...authOptions,
      // As next-auth's Next route handler does.
      secret: authOptions.secret ?? process.env.NEXTAUTH_SECRET,
      ...overrides,
      callbacks: { ...authOptions.callbacks, redirect: ({ url }) => url },
    };
    return new AuthFlow(options, origin);
  }

  async call(action: string, opts: { method?: "GET" | "POST"; body?: Record<string, unknown>; providerId?: string; cookies?: Map<string, string> } = {}): Promise<FlowResponse> {
    const cookies = Object.fromEntries(opts.cookies ?? this.jar);
    const res = (await AuthHandler({
      req: {
        action,
        method: opts.method ?? "GET",
        providerId: opts.providerId,
        body: opts.body ?? {},
        cookies,
        headers: {},
        query: {},
        origin: this.origin,
      },
      options: this.options,
    })) as FlowResponse;
    res.cookies ??= [];
    if (!opts.cookies) {
      for (const c of res.cookies) {
        const expired = c.options?.maxAge === 0 || (c.options?.expires instanceof Date && c.options.expires.getTime() <= Date.now());
        if (expired || c.value === "") this.jar.delete(c.name);
        else this.jar.set(c.name, c.value);
      }
    }
    return res;
  }

  async csrf(): Promise<string> {
    const res = await this.call("csrf");
    return (res.body as { csrfToken: string }).csrfToken;
  }

  /** Email + password (+ code) through the credentials provider. Returns the redirect (an error in its query when refused). */
  async signIn(email: string, password: string, code = ""): Promise<FlowResponse> {
    const csrfToken = await this.csrf();
    return this.call("callback", { method: "POST", providerId: "credentials", body: { csrfToken, email, password, code, json: "true" } });
  }

  /** The session object next-auth answers with ({} or null-ish when signed out). */
  async session(cookies?: Map<string, string>): Promise<{ user?: { id: string; sessionId: string; mfaEnrollmentRequired: boolean }; expires?: string } | null> {
    const res = await this.call("session", { cookies });
    const body = res.body as Record<string, unknown> | undefined;
    return body && Object.keys(body).length > 0 ? (body as never) : null;
  }

  async signOut(): Promise<FlowResponse> {
    const csrfToken = await this.csrf();
    return this.call("signout", { method: "POST", body: { csrfToken } });
  }

  sessionCookieName(): string {
    return (this.options.cookies?.sessionToken?.name ?? "next-auth.session-token") as string;
  }

  /** A copy of what the browser holds now. */
  snapshot(): Map<string, string> {
    return new Map(this.jar);
  }
}

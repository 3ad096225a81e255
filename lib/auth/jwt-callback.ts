// next-auth's jwt callback (lib/auth/options.ts), on its own so it can be
// tested without next-auth's provider modules.
import { randomUUID } from "node:crypto";
import type { JWT } from "next-auth/jwt";
import type { User } from "next-auth";
import { mfaEnrollmentRequired } from "./mfa";

export async function jwtCallback(params: { token: JWT; user?: User | null; trigger?: "signIn" | "signUp" | "update" }): Promise<JWT> {
  const { token, user, trigger } = params;
  if (user) {
    token.sub = user.id;
    token.sid = randomUUID();
    token.mfaEnrollmentRequired = user.mfaEnrollmentRequired ?? false;
    token.amr = user.amr ?? ["pwd"];
  } else if (trigger === "update" && token.sub) {
    // useSession().update() after enrolling: the flag is re-read from the
    // database; nothing the client sends with the update is used.
    token.mfaEnrollmentRequired = await mfaEnrollmentRequired(token.sub);
  }
  return token;
}

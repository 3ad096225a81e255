// The claims the database sees for a request. Built by
// public.custom_access_token_hook (the same function Supabase Auth calls), so
// the app and a Supabase-issued JWT carry identical tenant claims.
import { z } from "zod";

export const membershipClaimSchema = z.object({
  tenant_id: z.string().uuid(),
  slug: z.string(),
  name: z.string(),
  kind: z.enum(["mssp", "customer", "site"]),
  path: z.string(),
  role: z.string(),
});

export const claimsSchema = z.object({
  sub: z.string().uuid(),
  role: z.literal("authenticated"),
  aud: z.string(),
  tenant_id: z.string().uuid().nullable(),
  tenant_path: z.string().nullable(),
  tenants: z.array(membershipClaimSchema),
}).passthrough();

export type Claims = z.infer<typeof claimsSchema>;
export type MembershipClaim = z.infer<typeof membershipClaimSchema>;

/** Who is calling, as far as the database needs to know. */
export interface Caller {
  userId: string;
  email?: string;
  sessionId?: string;
  /** The tenant the request is about (from the host, or the console switcher). Narrows scope only. */
  activeTenantId?: string | null;
}

const TOKEN_LIFETIME_SECONDS = 3600;

/** The hook's input event, in Supabase Auth's documented shape. */
export function accessTokenHookEvent(caller: Caller, now = new Date()) {
  const iat = Math.floor(now.getTime() / 1000);
  return {
    user_id: caller.userId,
    authentication_method: "password",
    claims: {
      iss: "mssp-portal",
      aud: "authenticated",
      iat,
      exp: iat + TOKEN_LIFETIME_SECONDS,
      sub: caller.userId,
      role: "authenticated",
      aal: "aal1",
      session_id: caller.sessionId ?? null,
      email: caller.email ?? "",
      phone: "",
      is_anonymous: false,
      tenant_id: caller.activeTenantId ?? null,
    },
  };
}

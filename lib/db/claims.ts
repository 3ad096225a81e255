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

/**
 * Present only in the claims of an API key caller (public.api_key_access_token,
 * migration 20261201010000), after the key's secret, expiry, revocation and
 * tenant state were checked in this transaction.
 */
export const apiKeyClaimSchema = z.object({
  id: z.string().uuid(),
  name: z.string(),
  tenant_id: z.string().uuid(),
  tenant_slug: z.string(),
  tenant_path: z.string(),
  scopes: z.array(z.string()),
  expires_at: z.string(),
});

export const claimsSchema = z.object({
  sub: z.string().uuid(),
  role: z.literal("authenticated"),
  aud: z.string(),
  tenant_id: z.string().uuid().nullable(),
  tenant_path: z.string().nullable(),
  tenants: z.array(membershipClaimSchema),
  api_key: apiKeyClaimSchema.nullish(),
}).passthrough();

export type Claims = z.infer<typeof claimsSchema>;
export type MembershipClaim = z.infer<typeof membershipClaimSchema>;
export type ApiKeyClaim = z.infer<typeof apiKeyClaimSchema>;

/** How the key check of an API key caller ended (public.api_key_access_token). */
export type ApiKeyStatus = "ok" | "unknown" | "bad_secret" | "revoked" | "expired" | "tenant_inactive";

/** Who is calling, as far as the database needs to know. */
export interface Caller {
  userId: string;
  email?: string;
  sessionId?: string;
  /** The tenant the request is about (from the host, or the console switcher). Narrows scope only. */
  activeTenantId?: string | null;
  /**
   * An API key caller (lib/api/gateway): its id and SHA-256 of its secret.
   * The claims are then built by public.api_key_access_token, which checks
   * the key in the same transaction; userId must be the key id.
   */
  apiKey?: { id: string; secretHash: Buffer };
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

/** The input of public.api_key_access_token: the hook's claims, for a key. */
export function apiKeyTokenEvent(caller: Caller & { apiKey: NonNullable<Caller["apiKey"]> }, now = new Date()) {
  const { claims } = accessTokenHookEvent({ ...caller, userId: caller.apiKey.id }, now);
  return {
    key_id: caller.apiKey.id,
    secret_sha256: caller.apiKey.secretHash.toString("hex"),
    claims: { ...claims, authentication_method: "api_key", email: "" },
  };
}

// GET /me: who the key is, as the gateway sees it. Proves the whole path
// (key, tenant, PDP, limits, the key's own transaction under RLS) without
// touching any tenant data: the answer comes from the claims the database
// built for this request.
import { z } from "zod";
import { defineEndpoint } from "@/lib/api/endpoint";
import { keyPrefix } from "@/lib/api/keys/format";
import { apiTimestamp } from "@/lib/api/endpoints/shapes";
import { utcMicros } from "@/lib/db/timestamps";

const meSchema = z.object({
  key_id: z.string().uuid(),
  key_prefix: z.string(),
  name: z.string(),
  tenant: z.object({ id: z.string().uuid(), slug: z.string() }),
  addressed_tenant: z.object({ id: z.string().uuid(), slug: z.string() }),
  scopes: z.array(z.string()),
  expires_at: apiTimestamp,
});

export const meEndpoint = defineEndpoint({
  method: "GET",
  path: "/me",
  // Any key with at least read access to alerts may ask who it is; a key
  // without alerts:read gets 403 like on any other endpoint it lacks.
  scope: "alerts:read",
  summary: "The calling key",
  description: "The key's id, name, tenant, the tenant this call addresses, its scopes and expiry.",
  tag: "Keys",
  success: { status: 200, schema: meSchema },
  async handle({ tx, tenantId, tenantSlug, principal }) {
    const key = tx.claims.api_key!;
    return {
      status: 200,
      body: {
        key_id: principal.keyId,
        key_prefix: keyPrefix(principal.keyId),
        name: key.name,
        tenant: { id: key.tenant_id, slug: key.tenant_slug },
        addressed_tenant: { id: tenantId, slug: tenantSlug },
        scopes: [...principal.scopes],
        // The claims carry it as Postgres wrote it in JSON; the API writes every timestamp one way.
        expires_at: utcMicros(key.expires_at),
      },
    };
  },
});

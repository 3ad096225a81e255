"use server";
import { revalidatePath } from "next/cache";
import { createApiKey as create } from "@/lib/api/keys/store";
import { tenantAction } from "../guard";
import { createApiKeySchema, scopesOf } from "./schemas";

/**
 * Creates a key (apikeys:manage on the tenant, then each scope's action for
 * the creator: lib/api/keys/store.ts). The key comes back once, in this
 * answer; only its hash is kept.
 */
export const createApiKey = tenantAction(
  { action: "apikeys:manage", audit: "apikey.created", schema: createApiKeySchema },
  async ({ tx, input, tenant }) => {
    const created = await create(tx, { tenant, name: input.name, scopes: scopesOf(input), expiresInDays: Number(input.expiresInDays) });
    revalidatePath("/api-keys");
    return {
      data: { id: created.id, key: created.key, prefix: created.prefix, name: created.name, scopes: created.scopes, expiresAt: created.expiresAt.toISOString() },
      message: `Created "${created.name}". Copy it now: it is shown only once.`,
      target: { type: "api_key", id: created.id },
      details: { name: created.name, scopes: created.scopes, expires_at: created.expiresAt.toISOString() },
    };
  },
);

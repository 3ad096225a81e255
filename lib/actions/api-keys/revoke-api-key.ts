"use server";
import { revalidatePath } from "next/cache";
import { revokeApiKey as revoke } from "@/lib/api/keys/store";
import { tenantAction } from "../guard";
import { revokeApiKeySchema } from "./schemas";

/** Revokes a key (apikeys:manage); the key's next request is refused. */
export const revokeApiKey = tenantAction(
  { action: "apikeys:manage", audit: "apikey.revoked", schema: revokeApiKeySchema },
  async ({ tx, input }) => {
    const revoked = await revoke(tx, input);
    revalidatePath("/api-keys");
    return {
      data: { id: revoked.id },
      message: `Revoked "${revoked.name}". Its next request will be refused.`,
      target: { type: "api_key", id: revoked.id },
      details: { name: revoked.name },
    };
  },
);

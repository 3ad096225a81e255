"use server";
import { revalidatePath } from "next/cache";
import { replaceSecret } from "@/lib/credentials/store";
import { tenantAction } from "../guard";
import { toCredentialView } from "./view";
import { replaceSecretSchema } from "./schemas";

/** Seals a new secret for a credential under the tenant's active key. */
export const replaceCredentialSecret = tenantAction(
  { action: "credentials:manage", audit: "credential.secret-replaced", schema: replaceSecretSchema },
  async ({ tx, input }) => {
    const credential = await replaceSecret(tx, {
      tenantId: input.tenantId,
      credentialId: input.credentialId,
      secret: input.secret,
      expiresAt: input.expiresAt,
    });
    revalidatePath("/credentials");
    return {
      data: toCredentialView(credential),
      message: "Secret replaced. The new secret is sealed and will not be shown again.",
      target: { type: "credential", id: credential.id },
      details: { connector: credential.connector, name: credential.name },
    };
  },
);

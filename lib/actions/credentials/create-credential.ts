"use server";
import { revalidatePath } from "next/cache";
import { createCredential as create } from "@/lib/credentials/store";
import { tenantAction } from "../guard";
import { toCredentialView, type CredentialView } from "./view";
import { configFromForm, createCredentialSchema } from "./schemas";

/** Seals and stores a new credential; returns the masked row (never the secret). */
export const createCredential = tenantAction(
  { action: "credentials:manage", audit: "credential.created", schema: createCredentialSchema },
  async ({ tx, input }): Promise<{ data: CredentialView; message: string; target: { type: string; id: string }; details: Record<string, unknown> }> => {
    const credential = await create(tx, {
      tenantId: input.tenantId,
      connector: input.connector,
      name: input.name,
      config: configFromForm(input),
      secret: input.secret,
      expiresAt: input.expiresAt,
    });
    revalidatePath("/credentials");
    return {
      data: toCredentialView(credential),
      message: "Saved. The secret is now sealed and will not be shown again.",
      target: { type: "credential", id: credential.id },
      details: { connector: credential.connector, name: credential.name },
    };
  },
);

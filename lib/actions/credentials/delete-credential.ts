"use server";
import { revalidatePath } from "next/cache";
import { deleteCredential as remove } from "@/lib/credentials/store";
import { tenantAction } from "../guard";
import { deleteCredentialSchema } from "./schemas";

export const deleteCredential = tenantAction(
  { action: "credentials:manage", audit: "credential.deleted", schema: deleteCredentialSchema },
  async ({ tx, input }) => {
    const deleted = await remove(tx, input);
    revalidatePath("/credentials");
    return {
      data: { id: deleted.id },
      message: `Credential "${deleted.name}" deleted.`,
      target: { type: "credential", id: deleted.id },
      details: { connector: deleted.connector, name: deleted.name },
    };
  },
);

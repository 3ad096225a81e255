"use server";
import { revalidatePath } from "next/cache";
import { getCredential } from "@/lib/credentials/store";
import { testConnection, type TestConnectionResult } from "@/lib/credentials/test-connection";
import { tenantAction } from "../guard";
import { testConnectionSchema } from "./schemas";

/**
 * Sends the credential's verify request. The action succeeds whether or not
 * the service accepted the credential: the result says which, in a message
 * that holds no part of the secret.
 */
export const testCredentialConnection = tenantAction(
  { action: "credentials:manage", audit: "credential.tested", schema: testConnectionSchema },
  async ({ tx, input }) => {
    const result: TestConnectionResult = await testConnection(tx, input);
    const credential = await getCredential(tx, input.tenantId, input.credentialId);
    revalidatePath("/credentials");
    return {
      data: result,
      message: result.message,
      target: { type: "credential", id: input.credentialId },
      details: { connector: credential?.connector, name: credential?.name, result: result.ok ? "ok" : "failed", status: result.status ?? null },
    };
  },
);

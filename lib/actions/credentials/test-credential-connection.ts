"use server";
import { revalidatePath } from "next/cache";
import { getCredential } from "@/lib/credentials/store";
import { prepareConnectionTest, type TestConnectionResult } from "@/lib/credentials/test-connection";
import { log } from "@/lib/log";
import { tenantAction } from "../guard";
import { testConnectionSchema } from "./schemas";

/**
 * Sends the credential's verify request. The opening (and this action) is
 * audited in the transaction; the vendor call runs after it commits, so a slow
 * or hanging vendor holds no database connection. The action succeeds whether
 * or not the service accepted the credential: the result says which, in a
 * message that holds no part of the secret.
 */
export const testCredentialConnection = tenantAction<typeof testConnectionSchema, TestConnectionResult>(
  { action: "credentials:manage", audit: "credential.tested", schema: testConnectionSchema },
  async ({ tx, input }) => {
    const test = await prepareConnectionTest(tx, input);
    const credential = await getCredential(tx, input.tenantId, input.credentialId);
    return {
      // Replaced by afterCommit's answer; never shown.
      data: { ok: false, message: "The test did not run." },
      target: { type: "credential", id: input.credentialId },
      details: { connector: credential?.connector, name: credential?.name },
      afterCommit: async () => {
        const result = await test();
        log.info(
          { event: "credential.test-result", tenantId: input.tenantId, credentialId: input.credentialId, ok: result.ok, status: result.status ?? null },
          "connection test finished",
        );
        revalidatePath("/credentials");
        return { data: result, message: result.message };
      },
    };
  },
);

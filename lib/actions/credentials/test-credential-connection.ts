"use server";
import { revalidatePath } from "next/cache";
import { prepareConnectionTest, type TestConnectionResult } from "@/lib/credentials/test-connection";
import { takeConnectionTest } from "@/lib/credentials/test-limit";
import { recordAudit } from "@/lib/audit/record";
import { withTenant } from "@/lib/db/with-tenant";
import { log, safeError } from "@/lib/log";
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
  async ({ tx, input, user }) => {
    const test = await prepareConnectionTest(tx, input);
    // The tenant's hourly budget, once the credential is known to be the tenant's (a refused
    // attempt spends nothing); past it the refusal rolls the opening back and calls no one.
    await takeConnectionTest(tx, input.tenantId);
    const details = { connector: test.subject?.connector, name: test.subject?.name };
    // The same caller and active tenant as this transaction, for the verdict's audit row.
    const caller = { userId: user.id, email: user.email, sessionId: user.sessionId, activeTenantId: tx.claims.tenant_id };
    return {
      // Replaced by afterCommit's answer; never shown.
      data: { ok: false, message: "The test did not run." },
      target: { type: "credential", id: input.credentialId },
      details,
      afterCommit: async () => {
        const result = await test.run();
        // The vendor's verdict, in its own short transaction (the first one,
        // with the opening, committed before the call).
        await withTenant(caller, (tx2) =>
          recordAudit(tx2, {
            tenantId: input.tenantId,
            action: "credential.test-result",
            targetType: "credential",
            targetId: input.credentialId,
            outcome: result.ok ? "success" : "failure",
            // Not tested at all when the key service failed: said so, not left to look like a vendor's refusal.
            details: { ...details, status: result.status ?? null, ...(result.retry ? { reason: "key_service" } : {}) },
          }),
        ).catch((error) =>
          log.error({ event: "audit.test-result-not-recorded", credentialId: input.credentialId, err: safeError(error) }, "could not record a connection test's result"),
        );
        revalidatePath("/credentials");
        return { data: result, message: result.message };
      },
    };
  },
);

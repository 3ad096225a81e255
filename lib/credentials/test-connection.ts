// "Test connection": open the credential through the use path (purpose
// "connection-test", audited as credential.opened) and send its connector's
// verify request. The result is a short, human message with no part of the
// secret in it, whatever the service answered.
import type { TenantTx } from "@/lib/db/with-tenant";
import { CONNECTORS, parseConfig } from "./connectors";
import { CredentialUnusableError } from "./errors";
import { useCredential } from "./use";
import { verifyCredential, type VerifyResult } from "./verify";

export type TestConnectionResult = VerifyResult;

/**
 * Tests one credential. A credential that cannot be opened (integrity check,
 * key gone) is a failed result, not an exception, so the failure's audit row
 * commits with the caller's transaction. A credential the caller may not use
 * throws CredentialError.
 */
export async function testConnection(tx: TenantTx, input: { tenantId: string; credentialId: string }): Promise<TestConnectionResult> {
  try {
    return await useCredential(tx, { ...input, purpose: "connection-test" }, async (secret, config, credential) => {
      const connector = CONNECTORS[credential.connector];
      // The stored settings pass the same checks as new ones before any
      // request is made (a row written around the app must not reach an
      // internal address).
      const parsed = parseConfig(credential.connector, config, (f) => f);
      if (!parsed.ok) {
        const labels = Object.keys(parsed.fieldErrors).map((f) => connector.fields.find((x) => x.name === f)?.label ?? f);
        return { ok: false, message: `The saved settings are no longer valid (${labels.join(", ")}); delete this credential and add it again.` };
      }
      return verifyCredential(connector, parsed.config, secret);
    });
  } catch (error) {
    if (error instanceof CredentialUnusableError) return { ok: false, message: error.message };
    throw error;
  }
}

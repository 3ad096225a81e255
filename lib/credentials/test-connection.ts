// "Test connection": open the credential through the use path (purpose
// "connection-test", audited as credential.opened) and send its connector's
// verify request. The result is a short, human message with no part of the
// secret in it, whatever the service answered.
import type { ConnectorKind } from "@/drizzle/credentials";
import type { TenantTx } from "@/lib/db/with-tenant";
import { CONNECTORS, parseConfig } from "./connectors";
import { CredentialUnusableError } from "./errors";
import { openCredential, type OpenedSecret } from "./use";
import { verifyCredential, type VerifyResult } from "./verify";

/**
 * `retry`: the test did not run because the key service failed (the credential was not opened; nothing
 * is known to be wrong with it): the page says to try again, not that the connection failed.
 */
export type TestConnectionResult = VerifyResult & { retry?: boolean };

/** A connection test, opened and ready to run once the transaction has committed. */
export interface PreparedConnectionTest {
  /** The credential's connector and name, for audit details (null only if the row could not be read). */
  subject: { connector: ConnectorKind; name: string } | null;
  run: () => Promise<TestConnectionResult>;
}

/**
 * Opens the credential for a connection test (purpose "connection-test",
 * audited in `tx`) and returns the test to run once `tx` has committed, so the
 * vendor call never holds a database connection or the row lock. A credential
 * that cannot be opened (integrity check, key gone) gives a test that reports
 * that failure; one not opened because the key service failed gives a test that
 * says so and to try again (`retry`). Either failure's audit row commits with `tx`. A credential the
 * caller may not use throws CredentialError.
 */
export async function prepareConnectionTest(tx: TenantTx, input: { tenantId: string; credentialId: string }): Promise<PreparedConnectionTest> {
  let opened: OpenedSecret;
  try {
    opened = await openCredential(tx, { ...input, purpose: "connection-test" });
  } catch (error) {
    if (error instanceof CredentialUnusableError) {
      const message = error.message;
      const result: TestConnectionResult = error.reason === "key_service" ? { ok: false, message, retry: true } : { ok: false, message };
      return { subject: error.subject ?? null, run: async () => result };
    }
    throw error;
  }
  const subject = { connector: opened.credential.connector, name: opened.credential.name };
  const run = () =>
    opened.run(async (secret, config, credential) => {
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
  return { subject, run };
}

/** Opens and tests in one go, inside `tx` (tests and commands; the action tests after commit). */
export async function testConnection(tx: TenantTx, input: { tenantId: string; credentialId: string }): Promise<TestConnectionResult> {
  return (await prepareConnectionTest(tx, input)).run();
}

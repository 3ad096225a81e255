// The use path: the ONLY way the application obtains a credential's
// plaintext. Everything else (store.ts, the pages, the actions) sees masked
// rows.
//
//   useCredential(tx, { tenantId, credentialId, purpose }, async (secret, config) => …)
//
// 1. Locks the row under RLS with FOR UPDATE, which passes only rows the
//    caller may update: opening a secret takes the same right as changing it
//    (admins of the tenant or an ancestor). Viewers and analysts, and
//    anyone outside the tenant, get "does not exist, or you may not use it".
// 2. Opens the sealed bytes with the DEK of the version they were sealed
//    under (lib/vault/keys.ts dekFor), bound to tenant + row + version.
// 3. Records `credential.opened` in the same transaction (after fn ran):
//    purpose and outcome, never the secret. An integrity failure (a ciphertext copied from
//    another row or tenant, tampered with, or relabelled), a key that is
//    gone, or a key service that fails is recorded as outcome "failure"
//    (reason "integrity", "key_gone" or "key_service") and thrown as a
//    CredentialUnusableError with a clear message: the first two say to
//    replace the secret, the last one to try again later. That audit row commits
//    only if the caller's transaction does: callers that report the failure
//    as a result (testConnection) catch it inside the transaction.
// 4. Sets last_used_at and runs fn inside withSecretsScrubbed([secret]):
//    whatever fn throws reaches the caller with the secret (and its common
//    encodings) removed from message and stack.
//
// fn must not return the secret or anything derived from it to a page.
//
// openCredential(tx, use) is the same opening for work that must happen after
// the transaction commits (a vendor call that may take seconds must not hold
// a pooled connection and a row lock): it records `credential.opened` at once
// and hands back an OpenedSecret whose run(fn) applies the same scrubbing.
import type { ConnectorKind } from "@/drizzle/credentials";
import { recordAudit } from "@/lib/audit/record";
import type { TenantTx } from "@/lib/db/with-tenant";
import { withSecretsScrubbed } from "@/lib/log";
import { CredentialIntegrityError, isKeyServiceFailure, TenantKeyUnavailableError } from "@/lib/vault/errors";
import { dekFor } from "@/lib/vault/keys";
import { openSecret } from "@/lib/vault/seal";
import type { ConnectorConfig } from "./connectors";
import { CredentialError, CredentialUnusableError } from "./errors";

/** What a person is told when a credential was not opened because the key service failed (reason "key_service"). */
export function credentialKeyServiceText(name: string): string {
  return (
    `The credential "${name}" could not be opened just now: the key service that unlocks this tenant's encryption key is unavailable or failing. ` +
    "Nothing is wrong with the credential and its secret does not need replacing. Try again in a few minutes; if it keeps happening, ask your MSSP to check the key service."
  );
}

/** Why a secret is opened; recorded in the audit trail. Lowercase words joined by - or . */
export type CredentialPurpose = "connection-test" | (string & {});
const PURPOSE = /^[a-z][a-z0-9.-]{0,59}$/;

export interface CredentialUse {
  tenantId: string;
  credentialId: string;
  purpose: CredentialPurpose;
}

export interface OpenedCredential {
  id: string;
  tenantId: string;
  connector: ConnectorKind;
  name: string;
  config: ConnectorConfig;
}

/** A secret opened by openCredential: usable only through run(), which scrubs it from errors. */
export interface OpenedSecret {
  credential: OpenedCredential;
  run<T>(fn: (secret: string, config: ConnectorConfig, credential: OpenedCredential) => Promise<T>): Promise<T>;
}

/**
 * Opens a credential now (locked and audited in `tx`, last_used_at set) for use
 * after `tx` commits. An opening that fails is audited and thrown as in
 * useCredential.
 */
export async function openCredential(tx: TenantTx, use: CredentialUse): Promise<OpenedSecret> {
  let opened: { secret: string; credential: OpenedCredential } | undefined;
  await useCredential(tx, use, async (secret, _config, credential) => {
    opened = { secret, credential };
  });
  const { secret, credential } = opened!;
  return {
    credential,
    run: (fn) => withSecretsScrubbed([secret], () => fn(secret, credential.config, credential)),
  };
}

export async function useCredential<T>(
  tx: TenantTx,
  use: CredentialUse,
  fn: (secret: string, config: ConnectorConfig, credential: OpenedCredential) => Promise<T>,
): Promise<T> {
  if (!PURPOSE.test(use.purpose)) throw new TypeError("useCredential: purpose must be lowercase words joined by - or .");
  const { rows } = await tx.client.query<{ connector: ConnectorKind; name: string; config: ConnectorConfig; sealed: Buffer; key_version: number }>(
    `select connector, name, config, sealed, key_version from public.credentials
      where tenant_id = $1 and id = $2 for update`,
    [use.tenantId, use.credentialId],
  );
  const row = rows[0];
  if (!row) throw new CredentialError("This credential does not exist, or you may not use it.");
  const credential: OpenedCredential = { id: use.credentialId, tenantId: use.tenantId, connector: row.connector, name: row.name, config: row.config ?? {} };
  const audit = (outcome: "success" | "failure", extra: Record<string, unknown> = {}) =>
    recordAudit(tx, {
      tenantId: use.tenantId,
      action: "credential.opened",
      targetType: "credential",
      targetId: use.credentialId,
      outcome,
      details: { connector: row.connector, name: row.name, purpose: use.purpose, ...extra },
    });

  let secret: string;
  try {
    const dek = await dekFor(use.tenantId, row.key_version, tx.db);
    secret = openSecret(dek, { tenantId: use.tenantId, credentialId: use.credentialId, keyVersion: row.key_version }, row.sealed);
  } catch (error) {
    if (error instanceof CredentialIntegrityError) {
      await audit("failure", { reason: "integrity" });
      throw new CredentialUnusableError(
        `The credential "${row.name}" failed its integrity check and was not opened: its sealed secret does not belong to this row. Replace the secret.`,
        "integrity",
        { connector: row.connector, name: row.name },
      );
    }
    if (isKeyServiceFailure(error)) {
      // Not the credential's fault, and it may pass: said as such, never as "replace the secret".
      await audit("failure", { reason: "key_service" });
      throw new CredentialUnusableError(credentialKeyServiceText(row.name), "key_service", { connector: row.connector, name: row.name });
    }
    if (error instanceof TenantKeyUnavailableError) {
      await audit("failure", { reason: "key_gone" });
      throw new CredentialUnusableError(
        `The credential "${row.name}" cannot be opened: the tenant key it was sealed with is no longer available. Replace the secret.`,
        "key_gone",
        { connector: row.connector, name: row.name },
      );
    }
    throw error;
  }

  await tx.client.query(`update public.credentials set last_used_at = now() where tenant_id = $1 and id = $2`, [use.tenantId, use.credentialId]);
  // The audit row is written after fn, not before: writing it takes the
  // tenant's audit chain lock until commit, and fn may wait on the network.
  let result: T;
  try {
    result = await withSecretsScrubbed([secret], () => fn(secret, credential.config, credential));
  } catch (error) {
    // The secret was opened even though fn failed; record that if the
    // transaction can still take it (fn may have aborted it), then rethrow.
    await audit("success", { use: "failed" }).catch(() => {});
    throw error;
  }
  await audit("success");
  return result;
}

// The portal's side of a collector's credentials (POST /collectors/{name}/credentials,
// lib/api/endpoints/collector-credentials.ts): the tenant's connector credentials
// opened for its collector, in the gateway's transaction as the collector's API key.
//
// The collector has no database login (migration 20261201027600): a login of its own
// could set any claims it liked (request.jwt.claims is a setting every session may
// change), so a leaked collector Secret would have read every tenant. Here the claims
// are the portal's, built by the database from the key's live row, and:
//   1. the gateway has checked the key (hash, expiry, revocation, tenant state), its
//      scope collectors:write and the PDP's collectors:write on the addressed tenant;
//   2. the key must be the tenant's own (an MSSP key does not open its customers');
//   3. the tenant's settings decide which connector kinds are enabled
//      (integrations.<kind>): a credential of a disabled kind is not opened, nor one the
//      collector does not pull from;
//   4. the sealed secret is read under RLS (select only: a key is never an admin) and
//      opened with the tenant's DEK, unwrapped in this transaction by
//      api.unwrap_own_dek (only a live key with collectors:write, only its own tenant's
//      key), bound to tenant, row and version;
//   5. each opening is audited as credential.opened, purpose "collector.pull", actor =
//      the key, with the collector's name, in the same transaction; one that fails is
//      audited as a failure with its reason and listed under `skipped`: "integrity" and
//      "key_gone" (replace the secret), or "key_service" (the key service failed this
//      time: `retry: true`, and the collector asks again next cycle);
//   6. what was opened is marked used (last_used_at, so the credentials pages do not
//      call a credential the collector pulls with "Never used") by
//      api.touch_opened_credentials (migration 20261201030400): the key has no UPDATE
//      on credentials, and the function marks only its own tenant's rows that this key
//      opened in this transaction (their audit rows say so), at most once a minute each.
import { recordAudit } from "@/lib/audit/record";
import type { ConnectorConfig, ConnectorKind } from "@/lib/credentials/connectors";
import type { TenantTx } from "@/lib/db/with-tenant";
import { enabledKindsOf } from "@/lib/settings/read";
import { effectiveConfig } from "@/lib/settings/resolve";
import { CredentialIntegrityError, isKeyServiceFailure, TenantKeyUnavailableError } from "@/lib/vault/errors";
import { ownKeyDekFor } from "@/lib/vault/keys";
import { openSecret } from "@/lib/vault/seal";
import { PULLERS } from "./vendors";

export const OPEN_PURPOSE = "collector.pull";

export interface SkippedCredential {
  id: string;
  connector: ConnectorKind;
  name: string;
  reason: string;
  /**
   * Not opened this time only: the key service failed (nothing is known to be wrong with the
   * credential). The collector reports it and asks again next cycle. Absent for a credential
   * skipped for good (disabled kind, not pulled, integrity check failed, key gone).
   */
  retry?: true;
}

/** The skipped reason of a credential not opened because the key service failed. */
export const KEY_SERVICE_SKIP_REASON =
  "not opened this time: the key service that unlocks the tenant's encryption key is unavailable or failing (nothing is wrong with the credential); the collector asks again next cycle";

export interface OpenedCredential {
  id: string;
  connector: ConnectorKind;
  name: string;
  config: ConnectorConfig;
  secret: string;
}

export interface OpenedCredentials {
  tenantId: string;
  credentials: OpenedCredential[];
  skipped: SkippedCredential[];
}

interface Row {
  id: string;
  connector: ConnectorKind;
  name: string;
  config: ConnectorConfig | null;
  sealed: Buffer;
  key_version: number;
}

/** `keyId`: the calling key (its own tenant's, checked by the caller); `collector`: the name it runs under. */
export async function openCredentialsForCollector(tx: TenantTx, tenantId: string, keyId: string, collector: string): Promise<OpenedCredentials> {
  const settings = await effectiveConfig(tx, tenantId);
  const enabled = settings ? enabledKindsOf(settings) : new Set<ConnectorKind>();
  const { rows } = await tx.client.query<Row>(
    "select id, connector, name, config, sealed, key_version from public.credentials where tenant_id = $1 order by lower(name), id",
    [tenantId],
  );
  const credentials: OpenedCredential[] = [];
  const skipped: SkippedCredential[] = [];
  for (const row of rows) {
    const about = { id: row.id, connector: row.connector, name: row.name };
    if (!enabled.has(row.connector)) {
      skipped.push({ ...about, reason: "its connector kind is disabled by configuration" });
      continue;
    }
    if (!PULLERS[row.connector]) {
      skipped.push({ ...about, reason: "the collector does not pull from this kind of connector" });
      continue;
    }
    const audit = (outcome: "success" | "failure", extra: Record<string, unknown> = {}) =>
      recordAudit(tx, {
        tenantId,
        action: "credential.opened",
        targetType: "credential",
        targetId: row.id,
        outcome,
        details: { connector: row.connector, name: row.name, purpose: OPEN_PURPOSE, key_id: keyId, collector, ...extra },
      });
    let secret: string;
    try {
      const dek = await ownKeyDekFor(tx.db, tenantId, row.key_version);
      secret = openSecret(dek, { tenantId, credentialId: row.id, keyVersion: row.key_version }, row.sealed);
    } catch (error) {
      if (isKeyServiceFailure(error)) {
        // Not the credential's fault, and it may pass: not "replace the secret", and the collector retries.
        await audit("failure", { reason: "key_service" });
        skipped.push({ ...about, reason: KEY_SERVICE_SKIP_REASON, retry: true });
        continue;
      }
      if (error instanceof CredentialIntegrityError || error instanceof TenantKeyUnavailableError) {
        const reason = error instanceof CredentialIntegrityError ? "integrity" : "key_gone";
        await audit("failure", { reason });
        skipped.push({ ...about, reason: reason === "integrity" ? "its sealed secret failed the integrity check; replace the secret" : "the tenant key it was sealed with is gone; replace the secret" });
        continue;
      }
      throw error;
    }
    await audit("success");
    credentials.push({ ...about, config: row.config ?? {}, secret });
  }
  if (credentials.length > 0) {
    await tx.client.query("select api.touch_opened_credentials($1::uuid[])", [credentials.map((c) => c.id)]);
  }
  return { tenantId, credentials, skipped };
}

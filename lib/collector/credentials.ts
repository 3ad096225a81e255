// Opening the tenant's connector credentials for the collector, as the
// collector's API key, not as the service role:
//
//   1. withTenant with the key as the caller: public.api_key_access_token
//      checks the key (hash, expiry, revocation, tenant state) and the
//      transaction runs under RLS as that key, which sees its own tenant's
//      rows and nothing else. A revoked key stops opening credentials at its
//      next refresh, exactly as it stops calling the API.
//   2. the key must be the tenant's own (--tenant) and hold collectors:write
//      (its claims, built by the database from the live row). The PDP's
//      decision for collectors:write is taken by the API gateway: the worker
//      reads its checkpoints (GET /collectors/{name}/checkpoints, scope and
//      PDP checked) right before every opening, so the collector needs no
//      PDP of its own (in Kubernetes it can reach only the portal's API);
//   3. the tenant's settings decide which connector kinds are enabled
//      (integrations.<kind>): a credential of a disabled kind is not opened;
//   4. the sealed secret is read under RLS (select only: unlike
//      lib/credentials/use.ts, no FOR UPDATE, which needs an admin's right
//      to change the row; a key is never an admin) and opened with the
//      tenant's DEK, unwrapped in this same transaction by
//      api.unwrap_own_dek (lib/vault/keys.ts ownKeyDekFor: only a live key
//      with collectors:write, only its own tenant's key — no service role,
//      so the collector's login, portal_collector, has no path to it),
//      bound to tenant, row and version;
//   5. each opening is audited as credential.opened, purpose
//      "collector.pull", actor = the key, in the same transaction.
//
// The plaintext lives only in the returned closures: use(fn) runs fn inside
// withSecretsScrubbed, so whatever fn throws holds no trace of the secret.
import type { ParsedKey } from "@/lib/api/keys/format";
import { recordAudit } from "@/lib/audit/record";
import { tenantResource } from "@/lib/authz";
import type { ConnectorConfig, ConnectorKind } from "@/lib/credentials/connectors";
import { withTenant } from "@/lib/db/with-tenant";
import { scrubText, withSecretsScrubbed } from "@/lib/log";
import { enabledKindsOf } from "@/lib/settings/read";
import { effectiveConfig } from "@/lib/settings/resolve";
import { CredentialIntegrityError, TenantKeyUnavailableError } from "@/lib/vault/errors";
import { ownKeyDekFor } from "@/lib/vault/keys";
import { openSecret } from "@/lib/vault/seal";
import { PULLERS } from "./vendors";

export const OPEN_PURPOSE = "collector.pull";

export interface CollectorCredential {
  id: string;
  connector: ConnectorKind;
  name: string;
  /** Runs fn with the secret; anything fn throws is scrubbed of it. */
  use<T>(fn: (secret: string, config: ConnectorConfig) => Promise<T>): Promise<T>;
  /** The text with the secret (and its common encodings) removed: for what the collector writes (heartbeats, logs). */
  scrub(text: string): string;
}

export interface SkippedCredential {
  id: string;
  connector: ConnectorKind;
  name: string;
  reason: string;
}

export interface TenantCredentials {
  tenantId: string;
  credentials: CollectorCredential[];
  skipped: SkippedCredential[];
}

/** The key cannot be used for this tenant's collector (unknown, revoked, wrong tenant, missing scope): not worth retrying. */
export class CollectorAccessError extends Error {
  override readonly name = "CollectorAccessError";
}

interface Row {
  id: string;
  connector: ConnectorKind;
  name: string;
  config: ConnectorConfig | null;
  sealed: Buffer;
  key_version: number;
}

export async function openTenantCredentials(key: ParsedKey, tenantSlug: string): Promise<TenantCredentials> {
  return withTenant({ userId: key.id, apiKey: key, activeTenantId: null }, async (tx) => {
    const claim = tx.claims.api_key;
    if (tx.apiKey?.status !== "ok" || !claim) {
      throw new CollectorAccessError(`the API key was refused (${tx.apiKey?.status ?? "unknown"}): create a new one for ${tenantSlug} with alerts:write and collectors:write`);
    }
    if (claim.tenant_slug !== tenantSlug) {
      throw new CollectorAccessError(`the API key belongs to another tenant than ${tenantSlug}: a collector runs with its own tenant's key`);
    }
    const tenant = await tenantResource(tx.db, claim.tenant_id);
    if (!tenant || !claim.scopes.includes("collectors:write")) {
      throw new CollectorAccessError("the API key lacks the scope collectors:write, which a collector needs to open its tenant's connector credentials");
    }
    const settings = await effectiveConfig(tx, tenant.id);
    const enabled = settings ? enabledKindsOf(settings) : new Set<ConnectorKind>();
    const { rows } = await tx.client.query<Row>(
      "select id, connector, name, config, sealed, key_version from public.credentials where tenant_id = $1 order by lower(name), id",
      [tenant.id],
    );
    const credentials: CollectorCredential[] = [];
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
          tenantId: tenant.id,
          action: "credential.opened",
          targetType: "credential",
          targetId: row.id,
          outcome,
          details: { connector: row.connector, name: row.name, purpose: OPEN_PURPOSE, key_id: claim.id, ...extra },
        });
      let secret: string;
      try {
        const dek = await ownKeyDekFor(tx.db, tenant.id, row.key_version);
        secret = openSecret(dek, { tenantId: tenant.id, credentialId: row.id, keyVersion: row.key_version }, row.sealed);
      } catch (error) {
        if (error instanceof CredentialIntegrityError || error instanceof TenantKeyUnavailableError) {
          const reason = error instanceof CredentialIntegrityError ? "integrity" : "key_unavailable";
          await audit("failure", { reason });
          skipped.push({ ...about, reason: reason === "integrity" ? "its sealed secret failed the integrity check; replace the secret" : "the tenant key it was sealed with is gone; replace the secret" });
          continue;
        }
        throw error;
      }
      await audit("success");
      const config = row.config ?? {};
      credentials.push({
        ...about,
        use: (fn) => withSecretsScrubbed([secret], () => fn(secret, config)),
        scrub: (text) => scrubText(text, [secret]),
      });
    }
    return { tenantId: tenant.id, credentials, skipped };
  });
}

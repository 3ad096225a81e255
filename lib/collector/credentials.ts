// The tenant's connector credentials as the collector holds them: asked of the
// portal's API with the collector's key (POST /collectors/{name}/credentials;
// lib/collector/open-credentials.ts says what the portal checks and audits), held
// only in the closures below. The collector has no database login.
//
// use(fn) runs fn inside withSecretsScrubbed, so whatever fn throws holds no trace
// of the secret; scrub(text) takes it out of what the collector writes.
import type { ConnectorConfig, ConnectorKind } from "@/lib/credentials/connectors";
import { scrubText, withSecretsScrubbed } from "@/lib/log";
import { PortalApiError, type PortalApi } from "./api-client";
import type { SkippedCredential } from "./open-credentials";

export type { SkippedCredential };

export interface CollectorCredential {
  id: string;
  connector: ConnectorKind;
  name: string;
  /** Runs fn with the secret; anything fn throws is scrubbed of it. */
  use<T>(fn: (secret: string, config: ConnectorConfig) => Promise<T>): Promise<T>;
  /** The text with the secret (and its common encodings) removed: for what the collector writes (heartbeats, logs). */
  scrub(text: string): string;
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

/** The credentials of the key's tenant for the collector `name`; a refusal of the key is a CollectorAccessError. */
export async function openTenantCredentials(api: PortalApi, name: string, tenantSlug: string): Promise<TenantCredentials> {
  let opened: Awaited<ReturnType<PortalApi["openCredentials"]>>;
  try {
    opened = await api.openCredentials(name);
  } catch (error) {
    if (error instanceof PortalApiError && error.fatal) {
      throw new CollectorAccessError(
        `${error.message}: a collector for ${tenantSlug} runs with its own tenant's key holding alerts:write and collectors:write`,
      );
    }
    throw error;
  }
  return {
    tenantId: opened.tenant_id,
    skipped: opened.skipped,
    credentials: opened.credentials.map((c) => {
      const { secret, config } = c;
      return {
        id: c.id,
        connector: c.connector,
        name: c.name,
        use: (fn) => withSecretsScrubbed([secret], () => fn(secret, config)),
        scrub: (text) => scrubText(text, [secret]),
      };
    }),
  };
}

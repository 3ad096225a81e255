// Sealed credentials for the benchmark sections (vault, Keys page, console
// Credentials overview), inserted as the owner 1,000 per statement. Each gets
// a random secret sealed under its tenant's active key, as the app would.
import { randomBytes, randomUUID } from "node:crypto";
import type pg from "pg";
import type { ConnectorKind } from "@/lib/credentials/connectors";
import { hintOf } from "@/lib/credentials/store";
import { activeKeyFor } from "@/lib/vault/keys";
import { sealSecret } from "@/lib/vault/seal";

export interface CredentialSeed {
  tenantId: string;
  name: string;
  /** Default generic_api_key. */
  connector?: ConnectorKind;
  expiresAt?: Date | null;
  /** Default now(). */
  createdAt?: Date | null;
  rotatedAt?: Date | null;
  lastUsedAt?: Date | null;
}

export async function insertSealedCredentials(owner: pg.Client, rows: readonly CredentialSeed[]): Promise<void> {
  const keys = new Map<string, { version: number; dek: Buffer }>();
  for (const tenantId of new Set(rows.map((r) => r.tenantId))) keys.set(tenantId, await activeKeyFor(tenantId));
  for (let from = 0; from < rows.length; from += 1000) {
    const batch = rows.slice(from, from + 1000);
    const ids = batch.map(() => randomUUID());
    const secrets = batch.map(() => randomBytes(30).toString("base64url"));
    await owner.query(
      `insert into public.credentials
         (tenant_id, id, connector, name, sealed, key_version, secret_hint, expires_at, created_at, rotated_at, last_used_at)
       select u.tenant_id, u.id, u.connector, u.name, u.sealed, u.version, u.hint, u.expires, coalesce(u.created, now()), u.rotated, u.used
         from unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::bytea[], $6::int[], $7::text[],
                     $8::timestamptz[], $9::timestamptz[], $10::timestamptz[], $11::timestamptz[])
              as u(tenant_id, id, connector, name, sealed, version, hint, expires, created, rotated, used)`,
      [
        batch.map((r) => r.tenantId),
        ids,
        batch.map((r) => r.connector ?? "generic_api_key"),
        batch.map((r) => r.name),
        batch.map((r, i) => {
          const key = keys.get(r.tenantId)!;
          return sealSecret(key.dek, { tenantId: r.tenantId, credentialId: ids[i], keyVersion: key.version }, secrets[i]);
        }),
        batch.map((r) => keys.get(r.tenantId)!.version),
        secrets.map(hintOf),
        batch.map((r) => r.expiresAt ?? null),
        batch.map((r) => r.createdAt ?? null),
        batch.map((r) => r.rotatedAt ?? null),
        batch.map((r) => r.lastUsedAt ?? null),
      ],
    );
  }
}

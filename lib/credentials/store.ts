// Credentials at rest: create, list (masked), replace the secret, delete.
// Every function takes the caller's withTenant transaction, so RLS decides
// which rows exist and who may write them (admins of the tenant or an
// ancestor); nothing here filters by tenant "for safety".
//
// The secret is sealed here, in the application (lib/vault/seal.ts,
// AES-256-GCM bound to tenant, row id and key version), under the tenant's
// active key. Postgres only ever receives the sealed bytes, as a bind
// parameter: the plaintext is in no statement text and no parameter, so no
// statement log can hold it. No function here returns the plaintext or the
// sealed bytes; lib/credentials/use.ts is the only way to open a secret.
//
// A DEK rotation can make the active key change between fetching it and
// writing: the credentials_check_seal_key trigger then refuses the write with
// SQLSTATE 40001, and the write is retried once under the new active key
// (inside a savepoint, so the caller's transaction carries on).
import { randomUUID } from "node:crypto";
import type { ConnectorKind } from "@/drizzle/credentials";
import type { TenantTx } from "@/lib/db/with-tenant";
import { activeKeyFor } from "@/lib/vault/keys";
import { sealSecret } from "@/lib/vault/seal";
import { checkSecret, CONNECTORS, isConnectorKind, parseConfig, type ConnectorConfig } from "./connectors";
import { CredentialError, credentialErrorFrom, isSerializationFailure } from "./errors";
import { effectiveConfig } from "@/lib/settings/resolve";
import { enabledKindsOf } from "@/lib/settings/read";
import { lockTenantLimit } from "@/lib/settings/enforce";

/** A credential as anyone allowed to see it sees it: no secret, no sealed bytes. */
export interface MaskedCredential {
  tenantId: string;
  id: string;
  connector: ConnectorKind;
  name: string;
  config: ConnectorConfig;
  /** The last four characters of the secret. */
  secretHint: string;
  /** "••••" + secretHint: how the secret is shown. */
  masked: string;
  keyVersion: number;
  expiresAt: Date | null;
  createdAt: Date;
  rotatedAt: Date | null;
  lastUsedAt: Date | null;
  status: ExpiryStatus;
  /** Whole days until expiry (negative once expired), or null without an expiry. */
  daysLeft: number | null;
}

/** none: no expiry set; ok: more than EXPIRING_DAYS left; expiring: within them; expired. */
export type ExpiryStatus = "none" | "ok" | "expiring" | "expired";
export const EXPIRING_DAYS = 14;
const DAY_MS = 86_400_000;

export function expiryStatus(expiresAt: Date | null, now = new Date()): { status: ExpiryStatus; daysLeft: number | null } {
  if (!expiresAt) return { status: "none", daysLeft: null };
  const ms = expiresAt.getTime() - now.getTime();
  const daysLeft = ms >= 0 ? Math.ceil(ms / DAY_MS) : -Math.ceil(-ms / DAY_MS);
  if (ms <= 0) return { status: "expired", daysLeft };
  return { status: ms <= EXPIRING_DAYS * DAY_MS ? "expiring" : "ok", daysLeft };
}

export const maskHint = (hint: string) => `••••${hint}`;

/** Secrets shorter than this get no hint: four characters of an 8-character key give away half of it. */
export const HINT_MIN_LENGTH = 16;

/** The last four characters (none for a short secret), which is all the table keeps in the clear. */
export function hintOf(secret: string): string {
  const chars = [...secret];
  return chars.length >= HINT_MIN_LENGTH ? chars.slice(-4).join("") : "";
}

/** The columns a masked row is built from: never `sealed`. */
const MASKED_COLUMNS = `tenant_id, id, connector, name, config, secret_hint, key_version, expires_at, created_at, rotated_at, last_used_at`;

interface MaskedRow {
  tenant_id: string;
  id: string;
  connector: ConnectorKind;
  name: string;
  config: ConnectorConfig;
  secret_hint: string;
  key_version: number;
  expires_at: Date | null;
  created_at: Date;
  rotated_at: Date | null;
  last_used_at: Date | null;
}

/** The columns every listing of credentials shows (the tenant page and the console overview). */
export type ListedCredential = Pick<
  MaskedCredential,
  "tenantId" | "id" | "connector" | "name" | "masked" | "expiresAt" | "createdAt" | "rotatedAt" | "lastUsedAt" | "status" | "daysLeft"
>;

/** A listed credential from its row's columns: the secret masked, dates as Dates, the expiry status as of `now`. */
export function listedCredential(
  row: Pick<MaskedRow, "tenant_id" | "id" | "connector" | "name" | "secret_hint" | "expires_at" | "created_at" | "rotated_at" | "last_used_at">,
  now = new Date(),
): ListedCredential {
  const expiresAt = row.expires_at ? new Date(row.expires_at) : null;
  return {
    tenantId: row.tenant_id,
    id: row.id,
    connector: row.connector,
    name: row.name,
    masked: maskHint(row.secret_hint),
    expiresAt,
    createdAt: new Date(row.created_at),
    rotatedAt: row.rotated_at ? new Date(row.rotated_at) : null,
    lastUsedAt: row.last_used_at ? new Date(row.last_used_at) : null,
    ...expiryStatus(expiresAt, now),
  };
}

function masked(row: MaskedRow, now = new Date()): MaskedCredential {
  return { ...listedCredential(row, now), config: row.config ?? {}, secretHint: row.secret_hint, keyVersion: row.key_version };
}

/**
 * Runs one write in a savepoint, sealing under the active key; on 40001 from
 * the seal-key trigger, fetches the active key again and retries once.
 */
async function sealedWrite<R>(
  tx: TenantTx,
  tenantId: string,
  credentialId: string,
  secret: string,
  write: (sealed: Buffer, keyVersion: number) => Promise<R>,
): Promise<R> {
  const client = tx.client;
  for (let attempt = 1; ; attempt++) {
    // The keyring is read on this transaction's own connection (never a second pooled one while holding this).
    const key = await activeKeyFor(tenantId, tx.db);
    const sealed = sealSecret(key.dek, { tenantId, credentialId, keyVersion: key.version }, secret);
    await client.query("savepoint credential_write");
    try {
      const result = await write(sealed, key.version);
      await client.query("release savepoint credential_write");
      return result;
    } catch (error) {
      await client.query("rollback to savepoint credential_write");
      if (attempt === 1 && isSerializationFailure(error)) continue;
      throw error;
    }
  }
}

function toRefusal(error: unknown, context: { name?: string } = {}): never {
  throw credentialErrorFrom(error, context) ?? error;
}

function validName(name: string): string {
  const trimmed = name.trim();
  if (trimmed.length < 1 || trimmed.length > 80) throw new CredentialError("A name is 1 to 80 characters.");
  if (/[\u0000-\u001f\u007f]/.test(trimmed)) throw new CredentialError("A name cannot contain control characters.");
  return trimmed;
}

export interface NewCredential {
  tenantId: string;
  connector: ConnectorKind;
  name: string;
  /** Keyed by field name (connectors.ts); validated and normalised here. */
  config: Record<string, unknown>;
  secret: string;
  expiresAt?: Date | null;
}

/**
 * Seals and stores a new credential. Validates the connector's settings and
 * the secret again (the action did already), generates the row id here (the
 * seal is bound to it), and returns the masked row.
 * Refusals (RLS, duplicate name, bad input) are CredentialErrors.
 */
export async function createCredential(tx: TenantTx, input: NewCredential): Promise<MaskedCredential> {
  if (!isConnectorKind(input.connector)) throw new CredentialError("Pick a connector.");
  const name = validName(input.name);
  const config = parseConfig(input.connector, input.config, (f) => f);
  if (!config.ok) {
    const fields = Object.keys(config.fieldErrors).map((f) => CONNECTORS[input.connector].fields.find((x) => x.name === f)?.label ?? f);
    throw new CredentialError(`Check the connector settings: ${fields.join(", ")}.`);
  }
  const secret = checkSecret(input.connector, input.secret);
  if (!secret.ok) throw new CredentialError(secret.errors[0]);
  await refuseByConfiguration(tx, input.tenantId, input.connector);
  const id = randomUUID();
  try {
    return await sealedWrite(tx, input.tenantId, id, secret.secret, async (sealed, keyVersion) => {
      const { rows } = await tx.client.query<MaskedRow>(
        `insert into public.credentials
           (tenant_id, id, connector, name, config, sealed, key_version, secret_hint, expires_at, created_by)
         values ($1, $2, $3, $4, $5::jsonb, $6, $7, $8, $9, auth.uid())
         returning ${MASKED_COLUMNS}`,
        [input.tenantId, id, input.connector, name, JSON.stringify(config.config), sealed, keyVersion, hintOf(secret.secret), input.expiresAt ?? null],
      );
      return masked(rows[0]);
    });
  } catch (error) {
    toRefusal(error, { name });
  }
}

/**
 * The tenant's settings (lib/settings) decide which connector kinds it may
 * add (integrations.<kind>) and how many credentials it may hold
 * (limits.connectors, counted under a per-tenant advisory lock so concurrent
 * creates cannot overshoot it). Existing credentials of a kind disabled later stay
 * (and keep working); the pages mark them "disabled by configuration".
 */
async function refuseByConfiguration(tx: TenantTx, tenantId: string, kind: ConnectorKind): Promise<void> {
  const config = await effectiveConfig(tx, tenantId);
  // A tenant the caller cannot see: the insert below is refused by RLS with its own message.
  if (!config) return;
  if (!enabledKindsOf(config).has(kind)) {
    const from = config.get(`integrations.${kind}`);
    throw new CredentialError(
      `${CONNECTORS[kind].label} is disabled by configuration${from.sourceName ? ` (turned off at ${from.sourceName})` : ""}: no credential of this kind can be added. Ask your MSSP to enable it.`,
    );
  }
  const limit = config.value<number>("limits.connectors");
  // Concurrent creates take turns: the count sees the other's committed row.
  await lockTenantLimit(tx, "limits.connectors", tenantId);
  const { rows } = await tx.client.query<{ n: number }>("select count(*)::int as n from public.credentials where tenant_id = $1", [tenantId]);
  if (rows[0].n >= limit) {
    throw new CredentialError(`This tenant may hold at most ${limit} connector credential${limit === 1 ? "" : "s"} (its configured limit); delete one first or ask your MSSP to raise the limit.`);
  }
}

/** Masked credentials of one tenant or several, by tenant then name. RLS decides what is there. */
export async function listCredentials(tx: TenantTx, tenantIds: string | readonly string[], now = new Date()): Promise<MaskedCredential[]> {
  const ids = typeof tenantIds === "string" ? [tenantIds] : [...tenantIds];
  if (ids.length === 0) return [];
  const { rows } = await tx.client.query<MaskedRow>(
    `select ${MASKED_COLUMNS} from public.credentials
      where tenant_id = any ($1::uuid[])
      order by tenant_id, lower(name), id`,
    [ids],
  );
  return rows.map((r) => masked(r, now));
}

/** One masked credential, or null if it does not exist for the caller. */
export async function getCredential(tx: TenantTx, tenantId: string, credentialId: string): Promise<MaskedCredential | null> {
  const { rows } = await tx.client.query<MaskedRow>(
    `select ${MASKED_COLUMNS} from public.credentials where tenant_id = $1 and id = $2`,
    [tenantId, credentialId],
  );
  return rows[0] ? masked(rows[0]) : null;
}

const NOT_WRITABLE = "This credential does not exist, or you can't change it.";

export interface SecretReplacement {
  tenantId: string;
  credentialId: string;
  secret: string;
  /** A Date or null sets the expiry; undefined keeps it. */
  expiresAt?: Date | null;
}

/**
 * Seals a new secret for an existing credential under the tenant's active
 * key, and records who replaced it and when. The row is locked first (FOR
 * UPDATE passes only rows the caller may update), so only admins get past it.
 */
export async function replaceSecret(tx: TenantTx, input: SecretReplacement): Promise<MaskedCredential> {
  try {
    const { rows } = await tx.client.query<{ connector: ConnectorKind; name: string }>(
      `select connector, name from public.credentials where tenant_id = $1 and id = $2 for update`,
      [input.tenantId, input.credentialId],
    );
    if (!rows[0]) throw new CredentialError(NOT_WRITABLE);
    const secret = checkSecret(rows[0].connector, input.secret);
    if (!secret.ok) throw new CredentialError(secret.errors[0]);
    const keepExpiry = input.expiresAt === undefined;
    return await sealedWrite(tx, input.tenantId, input.credentialId, secret.secret, async (sealed, keyVersion) => {
      const { rows: updated } = await tx.client.query<MaskedRow>(
        `update public.credentials
            set sealed = $3, key_version = $4, secret_hint = $5,
                expires_at = case when $6::boolean then expires_at else $7::timestamptz end,
                rotated_at = now(), rotated_by = auth.uid()
          where tenant_id = $1 and id = $2
          returning ${MASKED_COLUMNS}`,
        [input.tenantId, input.credentialId, sealed, keyVersion, hintOf(secret.secret), keepExpiry, input.expiresAt ?? null],
      );
      if (!updated[0]) throw new CredentialError(NOT_WRITABLE);
      return masked(updated[0]);
    });
  } catch (error) {
    toRefusal(error);
  }
}

/** Deletes a credential; returns what it was (for the audit row). */
export async function deleteCredential(
  tx: TenantTx,
  input: { tenantId: string; credentialId: string },
): Promise<{ id: string; name: string; connector: ConnectorKind }> {
  try {
    const { rows } = await tx.client.query<{ id: string; name: string; connector: ConnectorKind }>(
      `delete from public.credentials where tenant_id = $1 and id = $2 returning id, name, connector`,
      [input.tenantId, input.credentialId],
    );
    if (!rows[0]) throw new CredentialError("This credential does not exist, or you can't delete it.");
    return rows[0];
  } catch (error) {
    toRefusal(error);
  }
}

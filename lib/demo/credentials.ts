// Demo connector credentials: a few per tenant so the credentials page has
// something to show (one expiring soon, one expired). Loaded by seed.ts as
// the database owner, in its transaction.
//
// The secrets are made up, generated at seed time from crypto.randomBytes:
// there is no fixed secret in the repository, and nobody (not even the demo)
// can read one back. They are sealed here exactly as lib/credentials/store.ts
// seals them (AES-256-GCM under the tenant's active DEK, bound to tenant, row
// and key version); the DEK comes from keyring.active_dek() as a query
// result, and only the sealed bytes go back to the database as a parameter.
import { randomBytes, randomUUID } from "node:crypto";
import type { ClientBase } from "pg";
import type { ConnectorKind } from "@/drizzle/credentials";
import { sealSecret } from "@/lib/vault/seal";

const DAY = 86_400_000;
const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

function randomAlnum(n: number): string {
  // Rejection sampling keeps the characters uniform (62 does not divide 256).
  let out = "";
  while (out.length < n) for (const b of randomBytes(n * 2)) if (b < 248 && out.length < n) out += ALNUM[b % 62];
  return out;
}

interface DemoCredential {
  tenantSlug: string;
  connector: ConnectorKind;
  name: string;
  config: () => Record<string, string>;
  secret: () => string;
  createdByEmail: string;
  createdDaysAgo: number;
  /** Days from now; negative = already expired; null = no expiry. */
  expiresInDays: number | null;
  lastUsedHoursAgo: number | null;
}

export const DEMO_CREDENTIALS: readonly DemoCredential[] = [
  {
    tenantSlug: "acme",
    connector: "crowdstrike_falcon",
    name: "Falcon production",
    config: () => ({ region: "us-1", clientId: randomBytes(16).toString("hex") }),
    secret: () => randomAlnum(40),
    createdByEmail: "acme.admin@demo.test",
    createdDaysAgo: 41,
    expiresInDays: 180,
    lastUsedHoursAgo: 2,
  },
  {
    tenantSlug: "acme",
    connector: "splunk_hec",
    name: "Splunk Cloud forwarding",
    config: () => ({ hecUrl: "https://http-inputs-acme.splunkcloud.com", index: "security" }),
    secret: () => randomUUID(),
    createdByEmail: "acme.admin@demo.test",
    createdDaysAgo: 355,
    expiresInDays: 6,
    lastUsedHoursAgo: 20,
  },
  {
    tenantSlug: "acme-eu-west",
    connector: "microsoft_defender",
    name: "Defender for Endpoint (EU)",
    config: () => ({ directoryId: randomUUID(), applicationId: randomUUID() }),
    secret: () => `${randomAlnum(3)}8Q~${randomAlnum(36)}`,
    createdByEmail: "site.admin@demo.test",
    createdDaysAgo: 400,
    expiresInDays: -9,
    lastUsedHoursAgo: 9 * 24 + 5,
  },
  {
    tenantSlug: "globex",
    connector: "sentinelone",
    name: "SentinelOne console",
    config: () => ({ consoleUrl: "https://globex.sentinelone.net" }),
    secret: () => `eyJraWQiOi${randomAlnum(70)}.${randomAlnum(43)}`,
    createdByEmail: "globex.admin@demo.test",
    createdDaysAgo: 12,
    expiresInDays: null,
    lastUsedHoursAgo: null,
  },
];

/** Seals and inserts the demo credentials; returns how many. */
export async function insertDemoCredentials(client: ClientBase, tenantIds: Map<string, string>, now: Date): Promise<number> {
  let inserted = 0;
  for (const c of DEMO_CREDENTIALS) {
    const tenantId = tenantIds.get(c.tenantSlug);
    if (!tenantId) throw new Error(`demo credential references unknown tenant ${c.tenantSlug}`);
    const { rows } = await client.query<{ version: number; dek: Buffer }>("select version, dek from keyring.active_dek($1)", [tenantId]);
    const key = rows[0];
    const id = randomUUID();
    const secret = c.secret();
    const sealed = sealSecret(key.dek, { tenantId, credentialId: id, keyVersion: key.version }, secret);
    const at = (ms: number) => new Date(now.getTime() + ms).toISOString();
    await client.query(
      `insert into public.credentials
         (tenant_id, id, connector, name, config, sealed, key_version, secret_hint, expires_at, created_at, created_by, last_used_at)
       values ($1, $2, $3, $4, $5::jsonb, $6, $7, $8, $9, $10, (select u.id from public.users u where u.email = $11), $12)`,
      [
        tenantId,
        id,
        c.connector,
        c.name,
        JSON.stringify(c.config()),
        sealed,
        key.version,
        secret.slice(-4),
        c.expiresInDays === null ? null : at(c.expiresInDays * DAY),
        at(-c.createdDaysAgo * DAY),
        c.createdByEmail,
        c.lastUsedHoursAgo === null ? null : at(-c.lastUsedHoursAgo * 3_600_000),
      ],
    );
    inserted++;
  }
  return inserted;
}

// API keys for tests: one made through the real path (a fixture user's
// withTenant, the PDP, the insert under RLS), or one inserted by the owner
// (a fixture, for tests of something other than key creation).
import assert from "node:assert/strict";
import { generateKey } from "@/lib/api/keys/format";
import type { ApiScope } from "@/lib/api/keys/scopes";
import { createApiKey, type CreatedKey } from "@/lib/api/keys/store";
import { tenantResource } from "@/lib/authz";
import { withTenant } from "@/lib/db/with-tenant";
import { emailOf, type Fixtures, type TenantSlug, type UserName } from "./fixtures";
import { withClient } from "./test-database";

/** A key of `tenant` with `scopes`, created by `user` through createApiKey (the user must see the tenant); commits. */
export async function createKeyAs(
  fx: Fixtures,
  user: UserName,
  tenant: TenantSlug,
  scopes: ApiScope[],
  opts: { name?: string; expiresInDays?: number } = {},
): Promise<CreatedKey> {
  return withTenant({ userId: fx.users[user], email: emailOf(user), activeTenantId: null }, async (tx) => {
    const resource = await tenantResource(tx.db, fx.tenants[tenant]);
    assert.ok(resource, `${user} sees ${tenant}`);
    return createApiKey(tx, { tenant: resource, name: opts.name ?? `${tenant} key`, scopes, expiresInDays: opts.expiresInDays ?? 30 });
  });
}

/**
 * A live key of `tenant` with `scopes`, inserted by the owner (`url`: the test database's owner
 * URL): no PDP, no RLS. Returns the key's text.
 */
export async function insertKey(
  url: string,
  fx: Fixtures,
  tenant: TenantSlug,
  scopes: ApiScope[],
  opts: { name?: string; expiresInDays?: number; createdBy?: UserName } = {},
): Promise<string> {
  const k = generateKey();
  await withClient(url, (c) =>
    c.query(
      `insert into public.api_keys (tenant_id, id, name, secret_hash, scopes, expires_at, created_by)
       values ($1, $2, $3, $4, $5, now() + make_interval(days => $6), $7)`,
      [fx.tenants[tenant], k.id, opts.name ?? `test key ${k.id.slice(0, 8)}`, k.secretHash, scopes, opts.expiresInDays ?? 30, fx.users[opts.createdBy ?? "msspAdmin"]],
    ),
  );
  return k.key;
}

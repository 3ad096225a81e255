// Creating, listing and revoking a tenant's API keys, inside the caller's
// withTenant transaction (RLS: admins of the tenant or an ancestor; the
// server actions in lib/actions/api-keys ask the PDP for apikeys:manage
// first). The secret exists only in the return value of createApiKey.
import { ActionRefusal } from "@/lib/actions/refusal";
import { checkActions, principalFromClaims, type Action, type TenantResource } from "@/lib/authz";
import { sqlState } from "@/lib/db/sql-state";
import type { TenantTx } from "@/lib/db/with-tenant";
import { lockTenantLimit } from "@/lib/settings/enforce";
import { effectiveConfig } from "@/lib/settings/resolve";
import { generateKey, keyPrefix } from "./format";
import { API_SCOPES, SCOPE_ACTION, type ApiScope } from "./scopes";

export interface ApiKeyRow {
  id: string;
  tenantId: string;
  name: string;
  prefix: string;
  scopes: ApiScope[];
  createdAt: Date;
  expiresAt: Date;
  createdByEmail: string | null;
  /** Who created it (null once they are deleted); their email is null when the caller cannot see them. */
  createdById: string | null;
  revokedAt: Date | null;
  revokedByEmail: string | null;
  revokedById: string | null;
  lastUsedAt: Date | null;
  lastUsedIp: string | null;
}

/** The scopes the caller may give a key on `tenant`: those whose action the PDP allows them there. */
export async function grantableScopes(tx: TenantTx, tenant: TenantResource): Promise<ApiScope[]> {
  const actions = [...new Set(API_SCOPES.map((s) => SCOPE_ACTION[s]))] as Action[];
  const allowed = await checkActions(principalFromClaims(tx.claims), actions, tenant);
  return API_SCOPES.filter((s) => allowed[SCOPE_ACTION[s]]);
}

export interface CreatedKey {
  id: string;
  /** The whole key: shown once, never stored. */
  key: string;
  prefix: string;
  name: string;
  scopes: ApiScope[];
  expiresAt: Date;
}

export async function createApiKey(
  tx: TenantTx,
  input: { tenant: TenantResource; name: string; scopes: ApiScope[]; expiresInDays: number },
): Promise<CreatedKey> {
  // Never more than the creator holds: each scope's action, asked of the PDP
  // for the creator on the key's tenant.
  const grantable = new Set(await grantableScopes(tx, input.tenant));
  const beyond = input.scopes.filter((s) => !grantable.has(s));
  if (beyond.length > 0) {
    throw new ActionRefusal(
      `You cannot give a key ${beyond.length === 1 ? "the scope" : "the scopes"} ${beyond.join(", ")}: a key gets only what you may do yourself on this tenant. Nothing was created.`,
      { scopes_refused: beyond },
    );
  }
  await requireKeyRoom(tx, input.tenant.id);
  const fresh = generateKey();
  const scopes = API_SCOPES.filter((s) => input.scopes.includes(s));
  let rows: { expires_at: Date }[];
  try {
    ({ rows } = await tx.client.query<{ expires_at: Date }>(
      `insert into public.api_keys (tenant_id, id, name, secret_hash, scopes, expires_at, created_by)
       values ($1, $2, $3, $4, $5, now() + make_interval(days => $6), $7)
       returning expires_at`,
      [input.tenant.id, fresh.id, input.name, fresh.secretHash, scopes, input.expiresInDays, tx.claims.sub],
    ));
  } catch (error) {
    // The database's own count (migration 20261201032800), should the one above ever disagree with it.
    if (sqlState(error) === "54000") {
      throw new ActionRefusal("This tenant holds as many live API keys as its limit allows (limits.api_keys); revoke one first. Nothing was created.", {
        setting: "limits.api_keys",
      });
    }
    throw error;
  }
  return { id: fresh.id, key: fresh.key, prefix: fresh.prefix, name: input.name, scopes, expiresAt: rows[0].expires_at };
}

/** A tenant's live keys: not revoked, not expired (what limits.api_keys counts). */
const LIVE = "k.revoked_at is null and k.expires_at > now()";

/**
 * limits.api_keys: the tenant may hold at most that many live keys. The tenant's creates take turns
 * (lockTenantLimit, the lock the database's trigger takes too), so two cannot both take the last place.
 */
async function requireKeyRoom(tx: TenantTx, tenantId: string): Promise<void> {
  const config = await effectiveConfig(tx, tenantId);
  // A tenant the caller cannot see: the insert is refused by RLS with its own message.
  if (!config) return;
  const limit = config.value<number>("limits.api_keys");
  await lockTenantLimit(tx, "limits.api_keys", tenantId);
  const { rows } = await tx.client.query<{ n: number }>(`select count(*)::int as n from public.api_keys k where k.tenant_id = $1 and ${LIVE}`, [tenantId]);
  if (rows[0].n >= limit) {
    throw new ActionRefusal(
      `This tenant may hold at most ${limit} live API key${limit === 1 ? "" : "s"} (its configured limit, limits.api_keys) and holds ${rows[0].n}. Revoke a key it no longer needs, or ask your MSSP to raise the limit. Nothing was created.`,
      { setting: "limits.api_keys", limit, live: rows[0].n },
    );
  }
}

/** Revokes one key of the tenant; effective at the key's next request. */
export async function revokeApiKey(tx: TenantTx, input: { tenantId: string; keyId: string }): Promise<{ id: string; name: string }> {
  const { rows } = await tx.client.query<{ id: string; name: string; revoked_at: Date | null }>(
    "select id, name, revoked_at from public.api_keys where tenant_id = $1 and id = $2",
    [input.tenantId, input.keyId],
  );
  const key = rows[0];
  if (!key) throw new ActionRefusal("That API key does not exist here; nothing was changed.", { key: "not_found" });
  if (key.revoked_at) throw new ActionRefusal(`"${key.name}" was already revoked; nothing was changed.`, { key: "already_revoked" });
  await tx.client.query("update public.api_keys set revoked_at = now() where tenant_id = $1 and id = $2", [input.tenantId, input.keyId]);
  return { id: key.id, name: key.name };
}

/** Revoked and expired keys the keys page shows, newest first, below every live key. */
export const INACTIVE_SHOWN = 50;

/**
 * Live keys the keys page lists at most, newest first: a safety bound, not a limit anyone meets in use.
 * limits.api_keys (at most 1,000) bounds what the portal and an `authenticated` insert may create, but
 * not keys inserted as the service role or the owner, nor keys made before a lower limit was set; the
 * page says how many more live keys there are (the audit trail records each key's creation).
 */
export const LIVE_SHOWN = 1_000;

type KeyDbRow = {
  id: string;
  tenant_id: string;
  name: string;
  scopes: string[];
  created_at: Date;
  expires_at: Date;
  created_by_email: string | null;
  created_by: string | null;
  revoked_by: string | null;
  revoked_at: Date | null;
  revoked_by_email: string | null;
  last_used_at: Date | null;
  last_used_ip: string | null;
};

const KEY_SELECT = `select k.id, k.tenant_id, k.name, k.scopes, k.created_at, k.expires_at, c.email as created_by_email,
            k.created_by, k.revoked_by, k.revoked_at, r.email as revoked_by_email, k.last_used_at, k.last_used_ip
       from public.api_keys k
       left join public.users c on c.id = k.created_by
       left join public.users r on r.id = k.revoked_by`;

/**
 * The tenant's keys (admins only: RLS gives anyone else none): its live keys first, newest first, so no
 * live key hides behind newer revoked or expired ones, up to LIVE_SHOWN (limits.api_keys keeps a
 * tenant's own creations below it; keys written as the service role or before a lower limit are not
 * bounded by it), and how many more live keys there are; then the newest `inactiveShown` revoked or
 * expired keys, and how many more of those there are.
 */
export async function listApiKeysForPage(
  tx: TenantTx,
  tenantId: string,
  opts: { inactiveShown?: number } = {},
): Promise<{ keys: ApiKeyRow[]; moreLive: number; moreInactive: number }> {
  const { rows: live } = await tx.client.query<KeyDbRow>(`${KEY_SELECT} where k.tenant_id = $1 and ${LIVE} order by k.created_at desc, k.id limit $2`, [
    tenantId,
    LIVE_SHOWN,
  ]);
  const { rows: inactive } = await tx.client.query<KeyDbRow>(
    `${KEY_SELECT} where k.tenant_id = $1 and not (${LIVE}) order by k.created_at desc, k.id limit $2`,
    [tenantId, opts.inactiveShown ?? INACTIVE_SHOWN],
  );
  const { rows: counted } = await tx.client.query<{ live: number; inactive: number }>(
    `select count(*) filter (where ${LIVE})::int as live, count(*) filter (where not (${LIVE}))::int as inactive from public.api_keys k where k.tenant_id = $1`,
    [tenantId],
  );
  return {
    keys: [...live, ...inactive].map(keyRow),
    moreLive: Math.max(0, counted[0].live - live.length),
    moreInactive: Math.max(0, counted[0].inactive - inactive.length),
  };
}

/** The tenant's keys as the keys page lists them: live ones first (up to LIVE_SHOWN), then the newest revoked or expired. */
export async function listApiKeys(tx: TenantTx, tenantId: string): Promise<ApiKeyRow[]> {
  return (await listApiKeysForPage(tx, tenantId)).keys;
}

function keyRow(r: KeyDbRow): ApiKeyRow {
  return {
    id: r.id,
    tenantId: r.tenant_id,
    name: r.name,
    prefix: keyPrefix(r.id),
    scopes: r.scopes.filter((s): s is ApiScope => (API_SCOPES as readonly string[]).includes(s)),
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    createdByEmail: r.created_by_email,
    createdById: r.created_by,
    revokedAt: r.revoked_at,
    revokedByEmail: r.revoked_by_email,
    revokedById: r.revoked_by,
    lastUsedAt: r.last_used_at,
    lastUsedIp: r.last_used_ip,
  };
}

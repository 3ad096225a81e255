// What the API keys pages show for one tenant: its keys (admins only, RLS),
// whether the caller may create and revoke them (PDP apikeys:manage), and
// which scopes they may give a key (PDP, each scope's action).
import { permissions, tenantResource } from "@/lib/authz";
import type { TenantTx } from "@/lib/db/with-tenant";
import { DEFAULT_TIME_ZONE } from "@/lib/locale/time";
import { viewerTimeZone } from "@/lib/locale/viewer-zone";
import { personLabel, standingLabelsIn } from "@/lib/people/standing";
import { MAX_KEY_DAYS, EXPIRY_CHOICES, SCOPE_LABELS, type ApiScope } from "./scopes";
import { effectiveConfig } from "@/lib/settings/resolve";
import { grantableScopes, listApiKeysForPage } from "./store";

export interface ApiKeyView {
  id: string;
  name: string;
  prefix: string;
  scopes: ApiScope[];
  createdAt: string;
  expiresAt: string;
  expired: boolean;
  /** Who created it: their email, or what they are here when the caller cannot see them ("MSSP staff"…); null once deleted. */
  createdBy: string | null;
  revokedAt: string | null;
  revokedBy: string | null;
  lastUsedAt: string | null;
  lastUsedIp: string | null;
}

export interface ApiKeysPageData {
  tenant: { id: string; slug: string; name: string };
  canManage: boolean;
  grantable: { scope: ApiScope; label: string }[];
  expiryChoices: readonly number[];
  maxDays: number;
  /** The live keys first (the newest LIVE_SHOWN: lib/api/keys/store.ts), then the newest revoked or expired ones. */
  keys: ApiKeyView[];
  /** Live keys not in `keys` (older than the LIVE_SHOWN listed); 0 for any tenant within limits.api_keys. */
  moreLive: number;
  /** Revoked or expired keys not in `keys` (older than those shown). */
  moreInactive: number;
  /** limits.api_keys: live keys the tenant may hold (null when unknown). */
  liveLimit: number | null;
  /** The zone the keys' days and last use are shown in: the page's tenant's locale.time_zone (the MSSP's on the console). */
  timeZone: string;
}

/**
 * The page for the tenant `slug` as the caller sees it; null when the caller
 * cannot see it. `hostTenantId`: the tenant whose host the page is on; omitted
 * or null on the console, where times are in the caller's MSSP's zone.
 */
export async function loadApiKeysPage(tx: TenantTx, slug: string, hostTenantId?: string | null): Promise<ApiKeysPageData | null> {
  const { rows } = await tx.client.query<{ id: string; slug: string; name: string }>("select id, slug, name from public.tenants where slug = $1", [slug]);
  const t = rows[0];
  if (!t) return null;
  const resource = await tenantResource(tx.db, t.id);
  if (!resource) return null;
  const can = await permissions(tx, ["apikeys:manage"], t.id);
  if (!can["apikeys:manage"]) return { tenant: t, canManage: false, grantable: [], expiryChoices: EXPIRY_CHOICES, maxDays: MAX_KEY_DAYS, keys: [], moreLive: 0, moreInactive: 0, liveLimit: null, timeZone: DEFAULT_TIME_ZONE };
  const [grantable, { keys, moreLive, moreInactive }, config] = await Promise.all([grantableScopes(tx, resource), listApiKeysForPage(tx, t.id), effectiveConfig(tx, t.id)]);
  const now = Date.now();
  const timeZone = await viewerTimeZone(tx, hostTenantId);
  // People RLS hides from the caller (MSSP staff, a parent tenant's admin, someone who left), named by what they are here.
  const hidden = keys.some((k) => (k.createdById && !k.createdByEmail) || (k.revokedById && !k.revokedByEmail));
  const labels = hidden ? await standingLabelsIn(tx.client, t.id) : new Map<string, string>();
  const who = (email: string | null, id: string | null) => (id ? personLabel(email, id, labels) : email);
  return {
    tenant: t,
    canManage: true,
    grantable: grantable.map((scope) => ({ scope, label: SCOPE_LABELS[scope] })),
    expiryChoices: EXPIRY_CHOICES,
    maxDays: MAX_KEY_DAYS,
    keys: keys.map((k) => ({
      id: k.id,
      name: k.name,
      prefix: k.prefix,
      scopes: k.scopes,
      createdAt: k.createdAt.toISOString(),
      expiresAt: k.expiresAt.toISOString(),
      expired: k.expiresAt.getTime() <= now,
      createdBy: who(k.createdByEmail, k.createdById),
      revokedAt: k.revokedAt?.toISOString() ?? null,
      revokedBy: who(k.revokedByEmail, k.revokedById),
      lastUsedAt: k.lastUsedAt?.toISOString() ?? null,
      lastUsedIp: k.lastUsedIp,
    })),
    moreLive,
    moreInactive,
    liveLimit: config ? config.value<number>("limits.api_keys") : null,
    timeZone,
  };
}

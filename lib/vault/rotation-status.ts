// Key status for many tenants at once (no key material): for the console's
// Keys page (which passes only tenants the caller can see under RLS) and the
// `npm run keys -- status` command. Reads the keyring through its summary
// function on the named service path "vault.keys".
import { withServiceRole, withServiceRoleOn } from "@/lib/db/service-role";
import type { Db } from "@/lib/db/with-tenant";
import { kekVersionOf, type KekStatusRow, type KekVersion, type TenantKeyVersion } from "./keys";

interface KeyStatusRow {
  tenant_id: string;
  version: number;
  status: TenantKeyVersion["status"];
  kek_version: number | null;
  created_at: Date | string;
  retired_at: Date | string | null;
  kek_root_id: string | null;
  foreign_root: boolean;
}

const toVersion = (r: KeyStatusRow): TenantKeyVersion => ({
  version: r.version,
  status: r.status,
  kekVersion: r.kek_version,
  kekRootId: r.kek_root_id,
  foreignRoot: r.foreign_root,
  createdAt: new Date(r.created_at),
  retiredAt: r.retired_at ? new Date(r.retired_at) : null,
});

/** The keyring's status rows of these tenants, each tenant's versions newest first, in one query. */
async function readKeyStatus(db: Db, tenantIds: readonly string[]): Promise<KeyStatusRow[]> {
  const { rows } = await db.$client.query<KeyStatusRow>(
    `select t.id as tenant_id, ks.*
       from unnest($1::uuid[]) as t(id) cross join lateral keyring.key_status(t.id) ks
      order by t.id, ks.version desc`,
    [tenantIds],
  );
  return rows;
}

/** Each tenant's key versions, newest first, in one query. */
export async function keyStatusOf(tenantIds: readonly string[], within?: Db): Promise<Map<string, TenantKeyVersion[]>> {
  const out = new Map<string, TenantKeyVersion[]>(tenantIds.map((id) => [id, []]));
  if (tenantIds.length === 0) return out;
  const rows = await withServiceRoleOn("vault.keys", within, (db) => readKeyStatus(db, tenantIds));
  for (const r of rows) out.get(r.tenant_id)?.push(toVersion(r));
  return out;
}

type RootKekStatusRow = KekStatusRow & { root_id: string };

/**
 * Tenants with a retiring data key (a DEK rotation not finished) below the
 * tenant paths `scopes` (the caller's membership roots). Ids only; the Keys
 * page intersects them with the tenants RLS lets the caller see.
 */
export async function retiringTenantIds(scopes: readonly string[], within?: Db): Promise<string[]> {
  if (scopes.length === 0) return [];
  return withServiceRoleOn("vault.keys", within, async (db) => {
    const { rows } = await db.$client.query<{ id: string }>(`select keyring.retiring_tenant_ids($1::text[]) as id`, [scopes]);
    return rows.map((r) => r.id);
  });
}

/** Each MSSP root's KEK versions, newest first, in one query. */
export async function kekStatusOf(roots: readonly string[], within?: Db): Promise<Map<string, KekVersion[]>> {
  const keks = new Map<string, KekVersion[]>(roots.map((id) => [id, []]));
  if (roots.length === 0) return keks;
  const rows = await withServiceRoleOn("vault.keys", within, async (db) => {
    const { rows } = await db.$client.query<RootKekStatusRow>(
      `select r.id as root_id, k.* from unnest($1::uuid[]) as r(id) cross join lateral keyring.kek_status(r.id) k
        order by r.id, k.version desc`,
      [roots],
    );
    return rows;
  });
  for (const k of rows) keks.get(k.root_id)?.push(kekVersionOf(k));
  return keks;
}

/** Rows grouped by a key, in their order: one pass instead of a filter per group. */
export function groupBy<T, K>(rows: readonly T[], key: (r: T) => K): Map<K, T[]> {
  const out = new Map<K, T[]>();
  for (const r of rows) {
    const list = out.get(key(r));
    if (list) list.push(r);
    else out.set(key(r), [r]);
  }
  return out;
}

/** The version that seals new credentials, if any. */
export function activeVersionOf(versions: readonly TenantKeyVersion[]): TenantKeyVersion | null {
  return versions.find((v) => v.status === "active") ?? null;
}

export interface InventoryTenant {
  id: string;
  slug: string;
  name: string;
  kind: "mssp" | "customer" | "site";
  depth: number;
  versions: TenantKeyVersion[];
  /** Credentials per key version. */
  credentials: Map<number, number>;
  /** Which KEK wraps each version that still opens something, newest first. */
  wrappedBy: WrappedBy[];
}

export interface WrappedBy {
  version: number;
  kekRootSlug: string;
  kekVersion: number;
  /** Another MSSP's KEK than the tenant's own (keyring.key_status foreign_root). */
  foreign: boolean;
}

export interface InventoryMssp {
  id: string;
  slug: string;
  name: string;
  keks: KekVersion[];
  tenants: InventoryTenant[];
}

/** A version that still opens something is wrapped; the others were erased. */
const opensSomething = (v: KeyStatusRow) => v.status === "active" || v.status === "retiring";

const wrappedBy = (v: KeyStatusRow, slugOf: Map<string, string>): WrappedBy => ({
  version: v.version,
  kekRootSlug: slugOf.get(v.kek_root_id ?? "") ?? "(unknown MSSP)",
  kekVersion: v.kek_version ?? 0,
  foreign: v.foreign_root,
});

/**
 * Every MSSP (or the one owning `slug`, or just `slug`'s subtree when it is
 * not an MSSP) with its KEK versions and each tenant's key versions and
 * credential counts per version. For operators' tooling, not for pages.
 */
export async function keyInventory(opts: { slug?: string } = {}): Promise<InventoryMssp[]> {
  return withServiceRole("vault.keys", async (db) => {
    const tenants = await db.$client.query<{
      id: string;
      slug: string;
      name: string;
      kind: InventoryTenant["kind"];
      depth: number;
      root_id: string;
    }>(
      `with scope as (select path from public.tenants where slug = $1)
       select t.id, t.slug, t.name, t.kind, extensions.nlevel(t.path) as depth, keyring.root_of(t.id) as root_id
         from public.tenants t
        where $1::text is null or t.path operator(extensions.<@) (select path from scope)
        order by t.path`,
      [opts.slug ?? null],
    );
    const ids = tenants.rows.map((t) => t.id);
    const versions = await readKeyStatus(db, ids);
    const counts = await db.$client.query<{ tenant_id: string; key_version: number; n: number }>(
      `select tenant_id, key_version, count(*)::int as n from public.credentials where tenant_id = any($1::uuid[]) group by 1, 2`,
      [ids],
    );
    const rootIds = [...new Set(tenants.rows.map((t) => t.root_id))];
    const roots = await db.$client.query<{ id: string; slug: string; name: string }>(
      `select id, slug, name from public.tenants where id = any($1::uuid[]) order by path`,
      [rootIds],
    );
    const keks = await db.$client.query<RootKekStatusRow>(
      `select r.id as root_id, k.* from unnest($1::uuid[]) as r(id) cross join lateral keyring.kek_status(r.id) k`,
      [rootIds],
    );
    // A foreign KEK's MSSP may be outside the scope asked for: named separately.
    const kekRoots = await db.$client.query<{ id: string; slug: string }>(
      `select id, slug from public.tenants where id = any($1::uuid[])`,
      [[...new Set(versions.map((v) => v.kek_root_id).filter((id) => id !== null))]],
    );
    const slugOf = new Map(kekRoots.rows.map((r) => [r.id, r.slug]));

    // Grouped once by id, so the whole inventory is linear in its size.
    const keksByRoot = groupBy(keks.rows, (k) => k.root_id);
    const tenantsByRoot = groupBy(tenants.rows, (t) => t.root_id);
    const versionsByTenant = groupBy(versions, (v) => v.tenant_id);
    const countsByTenant = groupBy(counts.rows, (c) => c.tenant_id);

    return roots.rows.map((root) => ({
      id: root.id,
      slug: root.slug,
      name: root.name,
      keks: (keksByRoot.get(root.id) ?? []).map(kekVersionOf),
      tenants: (tenantsByRoot.get(root.id) ?? []).map((t) => ({
        id: t.id,
        slug: t.slug,
        name: t.name,
        kind: t.kind,
        depth: t.depth,
        versions: (versionsByTenant.get(t.id) ?? []).map(toVersion),
        credentials: new Map((countsByTenant.get(t.id) ?? []).map((c) => [c.key_version, c.n])),
        wrappedBy: (versionsByTenant.get(t.id) ?? []).filter(opensSomething).map((v) => wrappedBy(v, slugOf)),
      })),
    }));
  });
}

const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? "" : "s"}`;

/**
 * What is wrong in the keyring of an inventory, in words an operator can act
 * on (no key material); empty when nothing is. Retired KEK versions whose
 * Vault secret was not overwritten (a rotation before keys followed moves
 * retired them while they still wrapped a moved tenant's keys), KEK versions
 * wrapping keys of tenants now under another MSSP, and tenant keys wrapped by
 * another MSSP's KEK than their own. The next KEK rotation fixes each.
 */
export function keyringProblems(inventory: readonly InventoryMssp[]): string[] {
  const out: string[] = [];
  for (const mssp of inventory) {
    for (const k of mssp.keks) {
      if (k.status === "retired" && k.materialOverwrittenAt === null) {
        out.push(
          `KEK v${k.version} of ${mssp.slug} is retired but its Vault secret was not overwritten; ` +
            (k.wraps > 0 ? `it still wraps ${count(k.wraps, "tenant key")}.` : "it wraps nothing.") +
            ` The next \`npm run keys -- rotate-kek --mssp ${mssp.slug}\` overwrites it.`,
        );
      }
      if (k.foreignWraps > 0) {
        out.push(
          `KEK v${k.version} of ${mssp.slug} wraps ${count(k.foreignWraps, "key")} of tenants now under another MSSP. ` +
            `The next rotate-kek of ${mssp.slug}, or of their MSSP, re-wraps them under their own MSSP's KEK.`,
        );
      }
    }
    for (const t of mssp.tenants) {
      for (const w of t.wrappedBy.filter((x) => x.foreign)) {
        out.push(
          `${t.slug} v${w.version} is wrapped by ${w.kekRootSlug}'s KEK v${w.kekVersion}, not by its own MSSP's (${mssp.slug}). ` +
            `The next rotate-kek of ${w.kekRootSlug} or ${mssp.slug} re-wraps it.`,
        );
      }
    }
  }
  return out;
}

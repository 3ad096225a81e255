// Key status for many tenants at once (no key material): for the console's
// Keys page (which passes only tenants the caller can see under RLS) and the
// `npm run keys -- status` command. Reads the keyring through its summary
// function on the named service path "vault.keys".
import { withServiceRole } from "@/lib/db/service-role";
import type { KekVersion, TenantKeyVersion } from "./keys";

interface KeyStatusRow {
  tenant_id: string;
  version: number;
  status: TenantKeyVersion["status"];
  kek_version: number | null;
  created_at: Date | string;
  retired_at: Date | string | null;
}

const toVersion = (r: KeyStatusRow): TenantKeyVersion => ({
  version: r.version,
  status: r.status,
  kekVersion: r.kek_version,
  createdAt: new Date(r.created_at),
  retiredAt: r.retired_at ? new Date(r.retired_at) : null,
});

/** Each tenant's key versions, newest first, in one query. */
export async function keyStatusOf(tenantIds: readonly string[]): Promise<Map<string, TenantKeyVersion[]>> {
  const out = new Map<string, TenantKeyVersion[]>(tenantIds.map((id) => [id, []]));
  if (tenantIds.length === 0) return out;
  const rows = await withServiceRole("vault.keys", async (db) => {
    const { rows } = await db.$client.query<KeyStatusRow>(
      `select t.id as tenant_id, ks.*
         from unnest($1::uuid[]) as t(id) cross join lateral keyring.key_status(t.id) ks
        order by t.id, ks.version desc`,
      [tenantIds],
    );
    return rows;
  });
  for (const r of rows) out.get(r.tenant_id)?.push(toVersion(r));
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
}

export interface InventoryMssp {
  id: string;
  slug: string;
  name: string;
  keks: KekVersion[];
  tenants: InventoryTenant[];
}

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
    const versions = await db.$client.query<KeyStatusRow>(
      `select t.id as tenant_id, ks.* from unnest($1::uuid[]) as t(id) cross join lateral keyring.key_status(t.id) ks
        order by ks.version desc`,
      [ids],
    );
    const counts = await db.$client.query<{ tenant_id: string; key_version: number; n: number }>(
      `select tenant_id, key_version, count(*)::int as n from public.credentials where tenant_id = any($1::uuid[]) group by 1, 2`,
      [ids],
    );
    const rootIds = [...new Set(tenants.rows.map((t) => t.root_id))];
    const roots = await db.$client.query<{ id: string; slug: string; name: string }>(
      `select id, slug, name from public.tenants where id = any($1::uuid[]) order by path`,
      [rootIds],
    );
    const keks = await db.$client.query<{
      root_id: string;
      version: number;
      status: KekVersion["status"];
      created_at: Date | string;
      retired_at: Date | string | null;
      wraps: string | number;
    }>(
      `select r.id as root_id, k.* from unnest($1::uuid[]) as r(id) cross join lateral keyring.kek_status(r.id) k`,
      [rootIds],
    );

    return roots.rows.map((root) => ({
      id: root.id,
      slug: root.slug,
      name: root.name,
      keks: keks.rows
        .filter((k) => k.root_id === root.id)
        .map((k) => ({
          version: k.version,
          status: k.status,
          createdAt: new Date(k.created_at),
          retiredAt: k.retired_at ? new Date(k.retired_at) : null,
          wraps: Number(k.wraps),
        })),
      tenants: tenants.rows
        .filter((t) => t.root_id === root.id)
        .map((t) => ({
          id: t.id,
          slug: t.slug,
          name: t.name,
          kind: t.kind,
          depth: t.depth,
          versions: versions.rows.filter((v) => v.tenant_id === t.id).map(toVersion),
          credentials: new Map(counts.rows.filter((c) => c.tenant_id === t.id).map((c) => [c.key_version, c.n])),
        })),
    }));
  });
}

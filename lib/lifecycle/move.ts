// Moving a customer (with its sites) to another MSSP, or a site to another
// customer or site, in one service-role transaction: the path triggers
// re-derive the subtree's paths (memberships and RLS follow, since both read
// paths at query time), and when the MSSP changes, the keyring trigger
// re-wraps the subtree's data keys under the new MSSP's key-encryption key in
// the same transaction (20261130000200_keyring_follows_moves.sql). Settings
// the new tenants above overrule are removed in the subtree, as a lock or a
// tighten-only "on" set there would have removed them (lib/settings/write.ts).
// The tree's lock is taken before anything is read (tree-lock.ts): the checks
// below then see every tree change committed before this one, and none can
// commit until this one has.
import type { Db } from "@/lib/db/with-tenant";
import { SETTINGS } from "@/lib/settings/registry";
import { pathWithin } from "@/lib/tenancy/path";
import { LifecycleRefusal } from "./errors";
import { queueIsolationReapply } from "./isolation-reapply";
import { ancestorIn, requireTenant, type LifecycleTenant } from "./tenant-row";
import { lockTree } from "./tree-lock";

export interface Moved {
  tenant: LifecycleTenant;
  from: LifecycleTenant;
  to: LifecycleTenant;
  /** The move changed MSSP: keys were re-wrapped and the old MSSP's staff lost access. */
  crossMssp: boolean;
  subtreeSize: number;
  /** Own settings in the subtree that its new tenants above overrule (locked there, or a tighten-only "off" under "on"), removed. */
  settingsRemoved: number;
}

const TIGHTEN_ONLY_KEYS = SETTINGS.filter((d) => d.tightenOnly).map((d) => d.key);

/**
 * Removes the subtree's own values that can no longer stand under its new
 * ancestors: a key locked above (a lock removes the values below it when it is
 * made), and a tighten-only key set off below one that is on above (turning it
 * on removes the "off" values below). Enforcement already ignored them; left,
 * the settings pages would show a value that does not apply.
 */
async function removeOverruledSettings(db: Db, moved: LifecycleTenant): Promise<number> {
  const { rowCount } = await db.$client.query(
    `delete from public.tenant_settings s
      using public.tenants d
      where d.path operator(extensions.<@) $1::extensions.ltree and s.tenant_id = d.id
        and exists (
          select 1 from public.tenant_settings a join public.tenants up on up.id = a.tenant_id
           where a.key = s.key and $1::extensions.ltree operator(extensions.<@) up.path and up.id <> $2
             and (a.locked or (s.key = any($3::text[]) and a.value = 'true'::jsonb and s.value = 'false'::jsonb)))`,
    [moved.path, moved.id, TIGHTEN_ONLY_KEYS],
  );
  return rowCount ?? 0;
}

/** Which parents a tenant of this kind may sit under. */
const ALLOWED_PARENTS: Record<"customer" | "site", readonly LifecycleTenant["kind"][]> = {
  customer: ["mssp"],
  site: ["customer", "site"],
};

export async function moveTenant(db: Db, tenantId: string, newParentId: string): Promise<Moved> {
  await lockTree(db);
  const t = await requireTenant(db, tenantId);
  if (t.kind === "mssp") throw new LifecycleRefusal("An MSSP is a root; it cannot be moved under another tenant.");
  const to = await requireTenant(db, newParentId).catch(() => {
    throw new LifecycleRefusal("The new parent does not exist.");
  });
  const from = t.parentId ? await requireTenant(db, t.parentId) : t;
  if (to.id === t.parentId) throw new LifecycleRefusal(`${t.name} is already under ${to.name}.`);
  if (to.id === t.id || pathWithin(to.path, t.path)) {
    throw new LifecycleRefusal(`${t.name} cannot move under itself or one of its own sites.`);
  }
  if (!ALLOWED_PARENTS[t.kind].includes(to.kind)) {
    throw new LifecycleRefusal(t.kind === "customer" ? "A customer moves under an MSSP." : "A site moves under a customer or another site.");
  }
  for (const x of [t, to]) {
    if (x.status !== "active" && x.status !== "suspended") throw new LifecycleRefusal(`${x.name} is ${x.status}; only active or suspended tenants move.`);
    // Below a tenant being offboarded (only its root changes status): moving in would have the
    // workflow purge what came in; moving out would take away what it already crypto-shredded.
    const closing = await ancestorIn(db, x, ["deprovisioning", "deprovisioned", "provisioning"]);
    if (closing) throw new LifecycleRefusal(`${x.name} is below ${closing.name}, which is ${closing.status}; nothing moves into or out of it.`);
  }
  await db.$client.query(`update public.tenants set parent_id = $2, updated_at = now() where id = $1`, [t.id, to.id]);
  const moved = await requireTenant(db, t.id);
  const settingsRemoved = await removeOverruledSettings(db, moved);
  const { rows } = await db.$client.query<{ n: number }>(
    `select count(*)::int as n from public.tenants d where d.path operator(extensions.<@) $1::extensions.ltree`,
    [moved.path],
  );
  // The subtree's namespaces carry their MSSP's labels: queued to be applied again once this commits.
  await queueIsolationReapply(db, moved.id);
  return { tenant: moved, from, to, crossMssp: from.rootId !== to.rootId, subtreeSize: rows[0]?.n ?? 1, settingsRemoved };
}

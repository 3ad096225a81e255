// Before a restore writes anything: does this deployment's schema hold every
// column of the archive, which of its tenants exist here already, and where
// does the root hang? Every refusal names what to do instead.
import type pg from "pg";
import { TENANTS_TABLE, type TenantTable } from "@/lib/lifecycle/catalog";
import { offboardingAtOrAbove } from "@/lib/lifecycle/tenant-row";
import { ArchiveError } from "./errors";
import type { ArchiveHead, TenantRef } from "./format";
import { CHAIN_HEADS, TENANT_KEYS } from "./sections";
import { upgradesFor } from "./upgrades";

type Queryable = Pick<pg.ClientBase, "query">;

/**
 * The archive's columns, table by table, checked against this deployment's:
 * the columns each section's rows are written to. A column this deployment
 * dropped is left out when a known upgrade (upgrades.ts) carries it over.
 */
export function checkSchema(head: ArchiveHead, here: TenantTable[]): Map<string, string[]> {
  const byName = new Map(here.map((t) => [t.name, t]));
  const upgrades = upgradesFor(head, here);
  const columns = new Map<string, string[]>();
  for (const table of head.tables) {
    const target = byName.get(table.name);
    if (!target) {
      throw new ArchiveError("schema", `this deployment has no table ${table.name}, which the archive holds: migrate it to the source's schema first`);
    }
    // Keys and chain heads are written by their own functions, not by column.
    if (table.name === TENANT_KEYS || table.name === CHAIN_HEADS) continue;
    const have = new Map(target.columns.map((c) => [c.name, c]));
    const carried = new Set((upgrades.get(table.name) ?? []).flatMap((u) => u.dropped));
    const gone = table.columns.filter((c) => !have.has(c) && !carried.has(c));
    if (gone.length) {
      const list = gone.map((c) => `${table.name}.${c}`).join(", ");
      throw new ArchiveError(
        "schema",
        `the archive holds column ${list}, which this deployment no longer has and does not know how to carry over ` +
          `(an archive taken on a newer release restores only once this deployment runs that release)`,
      );
    }
    const generated = table.columns.filter((c) => have.get(c)?.generated);
    if (generated.length) {
      throw new ArchiveError("schema", `table ${table.name} here computes column(s) ${generated.join(", ")}, which the archive holds as data`);
    }
    const required = target.columns.filter(
      (c) => c.notNull && !c.hasDefault && !c.generated && !c.identity && !table.columns.includes(c.name) && !(table.name === TENANTS_TABLE && c.name === "path"),
    );
    if (required.length) {
      throw new ArchiveError("schema", `table ${table.name} here requires column(s) ${required.map((c) => c.name).join(", ")}, which the archive (an older schema) lacks`);
    }
    columns.set(table.name, table.columns.filter((c) => !carried.has(c)));
  }
  return columns;
}

export interface RestorePlan {
  /** The parent the root will hang under here (null for an MSSP). */
  parentId: string | null;
  /** Tenants of the archive that exist here (same id): their rows are replaced. */
  replaced: TenantRef[];
  created: TenantRef[];
}

const PARENT_KIND: Record<string, string[]> = { customer: ["mssp"], site: ["customer", "site"] };

export async function planRestore(
  client: Queryable,
  head: ArchiveHead,
  opts: { parentSlug?: string; replace?: boolean },
): Promise<RestorePlan> {
  const ids = head.tenants.map((t) => t.id);
  const { rows } = await client.query<{ id: string; slug: string; kind: string; parent_id: string | null }>(
    "select id, slug, kind, parent_id from public.tenants where id = any ($1::uuid[]) or slug = any ($2::text[]) for update",
    [ids, head.tenants.map((t) => t.slug)],
  );
  const byId = new Map(rows.map((r) => [r.id, r]));
  const bySlug = new Map(rows.map((r) => [r.slug, r]));
  for (const t of head.tenants) {
    const holder = bySlug.get(t.slug);
    if (holder && holder.id !== t.id) {
      throw new ArchiveError("conflict", `the slug "${t.slug}" belongs to another tenant here (${holder.id}, not the archive's ${t.id}); rename or offboard that one first`);
    }
    const same = byId.get(t.id);
    if (same && same.kind !== t.kind) throw new ArchiveError("conflict", `tenant ${t.id} is a ${same.kind} here but a ${t.kind} in the archive`);
  }
  const replaced = head.tenants.filter((t) => byId.has(t.id));
  if (replaced.length && !opts.replace) {
    throw new ArchiveError(
      "exists",
      `tenant(s) ${replaced.map((t) => t.slug).join(", ")} already exist here: restore with replace to overwrite their rows with the archive's (their audit trail is kept)`,
    );
  }
  const root = byId.get(head.root.id);
  if (root) {
    const { rows: later } = await client.query<{ slug: string }>(
      `select t.slug from public.tenants t, public.tenants r
        where r.id = $1 and t.path operator(extensions.<@) r.path and t.id <> all ($2::uuid[]) order by t.slug`,
      [root.id, ids],
    );
    if (later.length) {
      throw new ArchiveError("conflict", `${later.map((r) => r.slug).join(", ")} exist(s) below ${head.root.slug} here but not in the archive (created after it was taken): offboard them first`);
    }
  }
  return { parentId: await resolveParent(client, head, root?.parent_id, opts.parentSlug, ids), replaced, created: head.tenants.filter((t) => !byId.has(t.id)) };
}

/**
 * Nothing is restored below a tenant being offboarded (or offboarded): its workflow purges the whole
 * subtree. The console checks the same before it starts (lib/lifecycle/web/access.ts); this covers
 * `npm run tenants -- restore` too.
 */
async function refuseUnderOffboarding(client: Queryable, head: ArchiveHead, parentId: string): Promise<string> {
  const gone = await offboardingAtOrAbove({ $client: client }, parentId);
  if (gone) throw new ArchiveError("invalid", `${gone.slug} is being offboarded (or was): ${head.root.slug} cannot be restored under it`);
  return parentId;
}

async function resolveParent(
  client: Queryable,
  head: ArchiveHead,
  currentParent: string | null | undefined,
  parentSlug: string | undefined,
  ids: string[],
): Promise<string | null> {
  if (head.root.kind === "mssp") {
    if (parentSlug) throw new ArchiveError("invalid", `${head.root.slug} is an MSSP: it is restored as a root, without a parent`);
    return null;
  }
  let parent: { id: string; slug: string; kind: string } | undefined;
  if (parentSlug) {
    ({ rows: [parent] } = await client.query<{ id: string; slug: string; kind: string }>("select id, slug, kind from public.tenants where slug = $1", [parentSlug]));
    if (!parent) throw new ArchiveError("not-found", `no tenant "${parentSlug}" here to restore ${head.root.slug} under`);
  } else if (currentParent) {
    return refuseUnderOffboarding(client, head, currentParent); // replacing in place: it stays where it hangs now
  } else if (head.sourceParent) {
    ({ rows: [parent] } = await client.query<{ id: string; slug: string; kind: string }>("select id, slug, kind from public.tenants where id = $1", [head.sourceParent.id]));
    if (!parent) {
      throw new ArchiveError("not-found", `the archive's parent "${head.sourceParent.slug}" is not in this deployment: name the parent to restore under (--parent <slug>)`);
    }
  }
  if (!parent) throw new ArchiveError("invalid", `the archive does not say where ${head.root.slug} hangs: name its parent (--parent <slug>)`);
  if (ids.includes(parent.id)) throw new ArchiveError("invalid", `${parent.slug} is inside the archive's own subtree`);
  if (!PARENT_KIND[head.root.kind]?.includes(parent.kind)) {
    throw new ArchiveError("invalid", `a ${head.root.kind} cannot hang under ${parent.slug}, a ${parent.kind}`);
  }
  return refuseUnderOffboarding(client, head, parent.id);
}

// Who may use the console's archive tools on what. Everything here runs in the
// caller's withTenant transaction: RLS decides which tenants exist for them,
// the PDP (lib/authz) which of the actions it allows.
//
//   export   MSSP staff; the tenant visible; tenants:export on it
//   inspect  MSSP staff (it reads the uploaded file only, no tenant data)
//   restore  MSSP staff; tenants:provision on the parent it will hang under
//            and, with replace, tenants:deprovision on every tenant of the
//            archive that exists here (one another MSSP runs is invisible
//            under RLS, so it is refused like a deny)
//   import   MSSP staff; tenants:provision on the (customer or site) tenant
import { authorize, checkActionsForEach, isPdpUnavailable, principalFromClaims } from "@/lib/authz";
import type { TenantTx } from "@/lib/db/with-tenant";
import { viewerTimeZone } from "@/lib/locale/viewer-zone";
import type { ArchiveHead } from "@/lib/lifecycle/archive/format";
import type { TenantStatus } from "@/lib/lifecycle/states";
import { withServiceRole } from "@/lib/db/service-role";
import { TenantNotNamed, tenantNamedBy } from "@/lib/tenancy/tenant-filter";
import { ancestorIn, CLOSING_STATUSES } from "@/lib/lifecycle/tenant-row";
import { ConsoleRefusal, NOT_OPERATOR } from "./errors";

export interface TenantChoice {
  id: string;
  slug: string;
  name: string;
  kind: "mssp" | "customer" | "site";
  status: TenantStatus;
  depth: number;
  path: string;
}

/**
 * MSSP staff: a membership on an MSSP. The same rule as isOperator in
 * lib/tenancy/page-context.ts, which pages use (that module needs Next's
 * request context, this one also runs in tests and scripts).
 */
export function isMsspStaff(tx: TenantTx): boolean {
  return tx.claims.tenants.some((m) => m.kind === "mssp");
}

export function requireMsspStaff(tx: TenantTx): void {
  if (!isMsspStaff(tx)) throw new ConsoleRefusal(403, NOT_OPERATOR);
}

const SELECT = `select t.id, t.slug, t.name, t.kind, t.status, extensions.nlevel(t.path) as depth, t.path::text as path from public.tenants t`;

async function visible(tx: TenantTx, where: string, params: unknown[]): Promise<TenantChoice | null> {
  const { rows } = await tx.client.query<TenantChoice>(`${SELECT} where ${where}`, params);
  return rows[0] ?? null;
}

/**
 * Refuses `t` when it or a tenant above it is being (or was) offboarded: the workflow purges the whole
 * subtree of the tenant whose status changed, so what is written below it would go with it.
 */
async function refuseUnderOffboarding(tx: TenantTx, t: TenantChoice, what: string): Promise<void> {
  if (CLOSING_STATUSES.includes(t.status)) throw new ConsoleRefusal(409, `${t.name} is being offboarded (or was): nothing can be ${what} into it.`);
  // Under the caller's RLS: MSSP staff see their tenants' ancestors up to their MSSP.
  const above = await ancestorIn(tx.db, t, CLOSING_STATUSES);
  if (above) throw new ConsoleRefusal(409, `${above.name} is being offboarded (or was): nothing can be ${what} under it (${t.name} is below it).`);
}

/** The tenant to export, if the caller may: else a refusal (404 unseen, 403 denied, 409 offboarded). */
export async function authorizeExport(tx: TenantTx, slug: string): Promise<TenantChoice> {
  requireMsspStaff(tx);
  const t = await visible(tx, "t.slug = $1", [slug]);
  if (!t) throw new ConsoleRefusal(404, `There is no tenant "${slug}" that you can see.`);
  await authorize(tx, "tenants:export", t.id);
  if (t.status === "deprovisioned") {
    throw new ConsoleRefusal(409, `${t.name} was offboarded: its data and keys are gone. Its offboarding wrote the last archive of it (TENANT_ARCHIVE_DIR).`);
  }
  return t;
}

export interface RestoreAuthorization {
  /** Where the root will hang (restoreTenant gets its slug, so it cannot resolve another one). */
  parent: TenantChoice;
  /** Tenants of the archive that exist here and will be replaced. */
  replacing: { id: string; slug: string }[];
}

/**
 * May the caller restore this archive (its manifest, from inspectArchive)
 * under `parentSlug` (or, without one, where the root hangs now, else where
 * it hung in the source if that tenant is here), replacing what exists?
 */
export async function authorizeRestore(
  tx: TenantTx,
  head: ArchiveHead,
  opts: { parentSlug?: string | null; replace: boolean },
): Promise<RestoreAuthorization> {
  requireMsspStaff(tx);
  if (head.root.kind === "mssp") {
    throw new ConsoleRefusal(422, `This is the archive of an MSSP (${head.root.slug}): it is restored as a root, from a shell (npm run tenants -- restore).`);
  }
  const ids = head.tenants.map((t) => t.id);
  // Which of the archive's tenants exist here at all, whoever runs them (ids only).
  const existing = await withServiceRole("lifecycle.archive", async (db) => {
    const { rows } = await db.$client.query<{ id: string; slug: string; parent_id: string | null }>(
      "select id, slug, parent_id from public.tenants where id = any ($1::uuid[]) order by path",
      [ids],
    );
    return rows;
  });
  const root = existing.find((t) => t.id === head.root.id);

  let parent: TenantChoice | null;
  if (opts.parentSlug) {
    parent = await visible(tx, "t.slug = $1", [opts.parentSlug]);
    if (!parent) throw new ConsoleRefusal(404, `There is no tenant "${opts.parentSlug}" that you can see to restore under.`);
  } else if (root?.parent_id) {
    parent = await visible(tx, "t.id = $1", [root.parent_id]);
    if (!parent) throw new ConsoleRefusal(403, `${head.root.slug} exists here under a tenant you cannot see; nothing was changed.`);
  } else if (head.sourceParent) {
    parent = await visible(tx, "t.id = $1", [head.sourceParent.id]);
    if (!parent) {
      throw new ConsoleRefusal(422, `The archive hung under "${head.sourceParent.slug}", which is not here (or not yours): choose the MSSP to restore it under.`);
    }
  } else {
    throw new ConsoleRefusal(422, `The archive does not say where ${head.root.slug} hangs: choose the MSSP to restore it under.`);
  }
  if (ids.includes(parent.id)) throw new ConsoleRefusal(422, `${parent.slug} is inside the archive's own subtree; choose another parent.`);
  await refuseUnderOffboarding(tx, parent, "restored");
  await authorize(tx, "tenants:provision", parent.id);

  if (existing.length > 0 && !opts.replace) {
    throw new ConsoleRefusal(
      409,
      `${existing.map((t) => t.slug).join(", ")} already exist${existing.length === 1 ? "s" : ""} here: tick “Replace an existing tenant” to overwrite ${existing.length === 1 ? "its" : "their"} rows with the archive's (the audit trail is kept). Nothing was changed.`,
    );
  }
  for (const t of existing) await authorize(tx, "tenants:deprovision", t.id);
  return { parent, replacing: existing.map((t) => ({ id: t.id, slug: t.slug })) };
}

/**
 * The tenant to import a legacy install into: a customer or site the caller may provision on, by
 * its slug, or (typed past TENANT_SELECT_UP_TO targets) by a name or part of one naming exactly one
 * of importTargets (RLS, then the PDP); naming none or several is refused, nothing imported.
 */
export async function authorizeImport(tx: TenantTx, typed: string): Promise<TenantChoice> {
  requireMsspStaff(tx);
  const t = (await visible(tx, "t.slug = $1", [typed])) ?? (await importTargetNamed(tx, typed));
  await authorize(tx, "tenants:provision", t.id);
  if (t.kind === "mssp") throw new ConsoleRefusal(422, `${t.name} is an MSSP: import a legacy install into a customer or site.`);
  await refuseUnderOffboarding(tx, t, "imported");
  return t;
}

export interface ChoicesPage {
  choices: TenantChoice[];
  /** The PDP did not answer: no choices offered (fail closed). */
  pdpUnavailable: boolean;
}

const IMPORT_TARGETS = "t.kind <> 'mssp' and t.status in ('active', 'suspended')";

/** The import target a typed name names (allowedRows throws when the PDP does not answer: nothing is guessed). */
async function importTargetNamed(tx: TenantTx, typed: string): Promise<TenantChoice> {
  try {
    const named = { one: "customer or site you may import into", many: "customers and sites you may import into" };
    return tenantNamedBy(await allowedRows(tx, IMPORT_TARGETS, "tenants:provision"), typed, named);
  } catch (error) {
    // Naming none answers as a slug nobody can see does (404); naming several, 422.
    if (error instanceof TenantNotNamed) throw new ConsoleRefusal(error.matchCount === 0 ? 404 : 422, `${error.message} Nothing was written.`);
    throw error;
  }
}

/** Visible tenants matching `where` on which the PDP allows `action` (at most 2,000, in tree order). */
async function allowedRows(tx: TenantTx, where: string, action: "tenants:provision"): Promise<TenantChoice[]> {
  const { rows } = await tx.client.query<TenantChoice>(`${SELECT} where ${where} order by t.path limit 2000`);
  if (rows.length === 0) return [];
  const allowed = await checkActionsForEach(principalFromClaims(tx.claims), [action], rows);
  return rows.filter((r) => allowed.get(r.id)?.[action]);
}

/** allowedRows, failing closed when the PDP does not answer (no choices offered). */
async function allowedChoices(tx: TenantTx, where: string, action: "tenants:provision"): Promise<ChoicesPage> {
  try {
    return { choices: await allowedRows(tx, where, action), pdpUnavailable: false };
  } catch (error) {
    if (!isPdpUnavailable(error)) throw error;
    return { choices: [], pdpUnavailable: true };
  }
}

/** The restore page's "Restore under": active MSSPs on which the PDP allows tenants:provision. */
export function restoreParents(tx: TenantTx): Promise<ChoicesPage> {
  requireMsspStaff(tx);
  return allowedChoices(tx, "t.kind = 'mssp' and t.status = 'active'", "tenants:provision");
}

/**
 * The Restore page: the parents it offers, and the zone it shows an
 * archive's time in (the caller's MSSP's locale.time_zone: a console page).
 * The zone goes to the page with its first render: the manifest arrives
 * later, from the inspect route, and is formatted in the browser.
 */
export async function loadRestorePage(tx: TenantTx): Promise<ChoicesPage & { timeZone: string }> {
  const choices = await restoreParents(tx);
  return { ...choices, timeZone: await viewerTimeZone(tx, null) };
}

/** The import page's tenants: customers and sites, active or suspended, on which the PDP allows tenants:provision. */
export function importTargets(tx: TenantTx): Promise<ChoicesPage> {
  requireMsspStaff(tx);
  return allowedChoices(tx, IMPORT_TARGETS, "tenants:provision");
}

// What the console's archive routes do, one function each, callable without
// HTTP (tests/lifecycle-archive-web.test.ts). Each authorizes first, in the
// caller's own withTenant transaction (lib/lifecycle/web/access.ts), and
// writes an audit row there that names the person: `tenant.export-requested`,
// `tenant.restore-requested`, `tenant.import-requested`. The library then
// does the work on its service-role path and writes its own row
// (`tenant.exported`, `tenant.restored`, `tenant.imported`, with
// `via: "console"`); a refusal or failure after the request was allowed is
// recorded as `tenant.<verb>-failed` with the reason. A deny (PDP, RLS, not
// MSSP staff) is recorded as a denied row, as the server actions' guard does.
import { createReadStream } from "node:fs";
import { recordAudit, recordAuditAs, recordDenied } from "@/lib/audit/record";
import { isAuthorizationError, isPdpUnavailable } from "@/lib/authz";
import type { Claims } from "@/lib/db/claims";
import { withServiceRole } from "@/lib/db/service-role";
import { withTenant, type TenantTx } from "@/lib/db/with-tenant";
import { importLegacyData, inspectArchive, isArchiveError, restoreTenant, type ImportReport, type InspectResult, type RestoreResult } from "@/lib/lifecycle/archive";
import { log, safeError } from "@/lib/log";
import { authorizeExport, authorizeImport, authorizeRestore, requireMsspStaff, type TenantChoice } from "./access";
import { isConsoleRefusal } from "./errors";
import { ExportCancelled, exportAsWebStream, type ExportStream } from "./export-stream";

export interface ArchiveCaller {
  userId: string;
  email?: string;
  sessionId?: string;
}

const VIA = "console";

/**
 * Runs `fn` in the caller's transaction (the console: no active tenant). A
 * deny is recorded (on the tenant it was about if the caller can see it, else
 * on their own first tenant) after that transaction has ended, then rethrown.
 */
async function asCaller<T>(caller: ArchiveCaller, audit: { action: string; requested: Record<string, unknown> }, fn: (tx: TenantTx, seen: (tenantId: string) => void) => Promise<T>): Promise<T> {
  let claims: Claims | null = null;
  let target: string | null = null;
  try {
    return await withTenant({ ...caller, activeTenantId: null }, (tx) => {
      claims = tx.claims;
      return fn(tx, (id) => (target = id));
    });
  } catch (error) {
    // A deny, the PDP down, not MSSP staff, or a tenant the caller cannot see (as the guard records them).
    const denied = isAuthorizationError(error) || isPdpUnavailable(error) || (isConsoleRefusal(error) && (error.status === 403 || error.status === 404));
    const c = claims as Claims | null;
    const tenantId = target ?? c?.tenants[0]?.tenant_id ?? null;
    if (denied && tenantId) {
      await recordDenied(
        { userId: caller.userId, email: caller.email },
        {
          tenantId,
          action: audit.action,
          details: { reason: denyReason(error), via: VIA, ...audit.requested },
        },
      ).catch((e) => log.error({ event: "audit.denied-not-recorded", action: audit.action, err: safeError(e) }, `could not record denied ${audit.action}`));
    }
    throw error;
  }
}

function denyReason(error: unknown): string {
  if (isPdpUnavailable(error)) return "pdp_unavailable";
  if (isAuthorizationError(error)) return "pdp_deny";
  return isConsoleRefusal(error) && error.status === 404 ? "not_visible" : "not_mssp_staff";
}

/** Marks the tenant `slug` names as the one a deny is recorded on, if the caller can see it. */
async function seeSlug(tx: TenantTx, slug: string, seen: (tenantId: string) => void) {
  const { rows } = await tx.client.query<{ id: string }>("select id from public.tenants where slug = $1", [slug]);
  if (rows[0]) seen(rows[0].id);
}

/**
 * Refuses (403, recorded as denied) a caller who is not MSSP staff: what the
 * routes check before they accept an upload, and the functions below again.
 */
export async function requireStaff(caller: ArchiveCaller, action: string): Promise<void> {
  await asCaller(caller, { action, requested: {} }, async (tx) => requireMsspStaff(tx));
}

/** A refusal or failure after the request was allowed, as the person who asked. */
async function recordFailed(caller: ArchiveCaller, tenantId: string, action: string, targetId: string, error: unknown, details: Record<string, unknown>) {
  const reason = isArchiveError(error) ? { reason: error.code, message: error.message } : { reason: "error", message: safeError(error).message };
  await withServiceRole("lifecycle.archive", (db) =>
    recordAuditAs(db, caller.userId, { tenantId, action, targetType: "tenant", targetId, outcome: "failure", details: { ...details, ...reason, via: VIA } }),
  ).catch((e) => log.error({ event: "audit.failure-not-recorded", action, err: safeError(e) }, `could not record ${action}`));
}

// ---------------------------------------------------------------------------
// Export
// ---------------------------------------------------------------------------

export interface ConsoleExport extends ExportStream {
  tenant: TenantChoice;
  filename: string;
}

export function archiveFilename(slug: string, at = new Date()): string {
  return `${slug}-${at.toISOString().replace(/\.\d+Z$/, "Z").replace(/[-:]/g, "")}.tenant-archive`;
}

/**
 * The tenant's archive as a web stream, once the caller was allowed
 * (tenants:export) and the request audited. Resolves when the archive's first
 * bytes are ready; `done` settles when it is complete (or failed / cancelled,
 * which is audited as `tenant.export-failed`).
 */
export async function beginConsoleExport(caller: ArchiveCaller, input: { slug: string; transferKey: Buffer }, signal?: AbortSignal): Promise<ConsoleExport> {
  const tenant = await asCaller(caller, { action: "tenant.export-requested", requested: { slug: input.slug } }, async (tx, seen) => {
    await seeSlug(tx, input.slug, seen);
    const t = await authorizeExport(tx, input.slug);
    await recordAudit(tx, { tenantId: t.id, action: "tenant.export-requested", targetType: "tenant", targetId: t.id, outcome: "success", details: { slug: t.slug, via: VIA } });
    return t;
  });
  let exp: ExportStream;
  try {
    exp = await exportAsWebStream({ slug: tenant.slug, transferKey: input.transferKey, via: VIA }, signal);
  } catch (error) {
    await recordFailed(caller, tenant.id, "tenant.export-failed", tenant.id, error, { slug: tenant.slug });
    throw error;
  }
  exp.done.catch((error) => {
    if (!(error instanceof ExportCancelled)) log.error({ event: "lifecycle.console-export-failed", err: safeError(error) }, "a console export failed part-way");
    return recordFailed(caller, tenant.id, "tenant.export-failed", tenant.id, error, { slug: tenant.slug });
  });
  return { ...exp, tenant, filename: archiveFilename(tenant.slug) };
}

// ---------------------------------------------------------------------------
// Inspect and restore
// ---------------------------------------------------------------------------

export interface InspectView {
  formatVersion: number;
  createdAt: string;
  sourceDeployment: string;
  root: { slug: string; name: string; kind: string };
  sourceParent: { slug: string; name: string } | null;
  tenants: { slug: string; name: string; kind: string }[];
  sections: { table: string; rows: number }[];
  totalRows: number;
  secrets: { deks: number; totp: number };
  totp: "wrapped" | "sealed-only";
}

export function inspectView(r: InspectResult): InspectView {
  const sections = Object.entries(r.sections)
    .map(([table, d]) => ({ table, rows: d.rows }))
    .sort((a, b) => a.table.localeCompare(b.table));
  return {
    formatVersion: r.head.format,
    createdAt: r.head.createdAt,
    sourceDeployment: r.head.sourceDeployment,
    root: { slug: r.head.root.slug, name: r.head.root.name, kind: r.head.root.kind },
    sourceParent: r.head.sourceParent ? { slug: r.head.sourceParent.slug, name: r.head.sourceParent.name } : null,
    tenants: r.head.tenants.map((t) => ({ slug: t.slug, name: t.name, kind: t.kind })),
    sections,
    totalRows: sections.reduce((n, s) => n + s.rows, 0),
    secrets: r.secrets,
    totp: r.head.totp,
  };
}

/** MSSP staff only; reads the file, never the database's tenant data. */
export async function inspectUpload(caller: ArchiveCaller, input: { file: string; transferKey: Buffer }): Promise<InspectView> {
  await requireStaff(caller, "tenant.restore-requested");
  return inspectView(await inspectArchive(createReadStream(input.file), input.transferKey));
}

export interface RestoreView {
  root: { slug: string; name: string; kind: string };
  parent: { slug: string; name: string };
  tenants: { slug: string; name: string; kind: string }[];
  sameDeployment: boolean;
  sourceDeployment: string;
  created: string[];
  replaced: string[];
  deletedRows: number;
  writtenRows: number;
  verified: { equal: number; notCompared: { table: string; why: string }[]; skipped: boolean };
  audit: { restoredChains: string[]; keptChains: string[] };
  /** Rollup tables the archive predates, rebuilt from its rows (lib/lifecycle/archive/derived.ts). */
  rebuilt: string[];
  users: RestoreResult["users"];
  notActive: { slug: string; status: string }[];
}

export function restoreView(r: RestoreResult, parent: { slug: string; name: string }, verify: boolean): RestoreView {
  const verified = Object.entries(r.verified);
  return {
    root: { slug: r.root.slug, name: r.root.name, kind: r.root.kind },
    parent,
    tenants: r.tenants.map((t) => ({ slug: t.slug, name: t.name, kind: t.kind })),
    sameDeployment: r.sameDeployment,
    sourceDeployment: r.sourceDeployment,
    created: r.created,
    replaced: r.replaced,
    deletedRows: r.deletedRows,
    writtenRows: Object.values(r.written).reduce((n, v) => n + v, 0),
    verified: {
      equal: verified.filter(([, v]) => v === "equal").length,
      notCompared: verified.filter(([, v]) => v !== "equal").map(([table, why]) => ({ table, why })),
      skipped: !verify,
    },
    audit: r.audit,
    rebuilt: r.rebuilt,
    users: r.users,
    notActive: r.notActive,
  };
}

/**
 * Inspect (the whole file, the key checked, nothing touched), authorize
 * against its manifest, audit the request, then restoreTenant in one
 * transaction: a refusal or failure leaves nothing half-restored.
 */
export async function restoreUpload(
  caller: ArchiveCaller,
  input: { file: string; transferKey: Buffer; parentSlug?: string | null; replace: boolean; verify?: boolean },
): Promise<RestoreView> {
  await requireStaff(caller, "tenant.restore-requested");
  const inspected = await inspectArchive(createReadStream(input.file), input.transferKey);
  const head = inspected.head;
  const requested = { restore: head.root.slug, parent: input.parentSlug ?? null, replace: input.replace };
  const { parent, replacing } = await asCaller(caller, { action: "tenant.restore-requested", requested }, async (tx, seen) => {
    const auth = await authorizeRestore(tx, head, { parentSlug: input.parentSlug, replace: input.replace });
    seen(auth.parent.id);
    await recordAudit(tx, {
      tenantId: auth.parent.id,
      action: "tenant.restore-requested",
      targetType: "tenant",
      targetId: head.root.id,
      outcome: "success",
      details: {
        slug: head.root.slug,
        tenants: head.tenants.map((t) => t.slug),
        replace: auth.replacing.map((t) => t.slug),
        sourceDeployment: head.sourceDeployment,
        archiveCreatedAt: head.createdAt,
        via: VIA,
      },
    });
    return auth;
  });
  const verify = input.verify !== false;
  try {
    const r = await restoreTenant({ in: createReadStream(input.file), transferKey: input.transferKey, parentSlug: parent.slug, replace: replacing.length > 0, verify, via: VIA });
    return restoreView(r, { slug: parent.slug, name: parent.name }, verify);
  } catch (error) {
    await recordFailed(caller, parent.id, "tenant.restore-failed", head.root.id, error, { slug: head.root.slug });
    throw error;
  }
}

// ---------------------------------------------------------------------------
// Legacy import
// ---------------------------------------------------------------------------

/**
 * A legacy install's files (already in `dir`, named users.*, assets.*,
 * alerts.*) into the tenant, after tenants:provision on it. A dry run writes
 * nothing (not even an audit row) and reports exactly what a run would do.
 */
export async function importUpload(caller: ArchiveCaller, input: { slug: string; dir: string; dryRun: boolean }): Promise<ImportReport> {
  const tenant = await asCaller(caller, { action: "tenant.import-requested", requested: { slug: input.slug, dryRun: input.dryRun } }, async (tx, seen) => {
    await seeSlug(tx, input.slug, seen);
    const t = await authorizeImport(tx, input.slug);
    if (!input.dryRun) {
      await recordAudit(tx, { tenantId: t.id, action: "tenant.import-requested", targetType: "tenant", targetId: t.id, outcome: "success", details: { slug: t.slug, via: VIA } });
    }
    return t;
  });
  try {
    return await importLegacyData({ slug: tenant.slug, from: input.dir, dryRun: input.dryRun, via: VIA, invitedBy: caller.userId });
  } catch (error) {
    if (!input.dryRun) await recordFailed(caller, tenant.id, "tenant.import-failed", tenant.id, error, { slug: tenant.slug });
    throw error;
  }
}

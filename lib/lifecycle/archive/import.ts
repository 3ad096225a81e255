// Import a legacy single-tenant install's users, assets and alerts into an
// existing (newly provisioned) tenant (issue 8, point 7).
//
// Files in the directory: users, assets and alerts, each .csv, .json or
// .ndjson (legacy-read.ts). Each row is validated (legacy-rows.ts); a row that
// fails is reported with file, line, field and reason and the rest go on.
// Re-running is idempotent by natural keys: users by email (a member already,
// or an open invitation, is left as it is), assets by hostname (unique per
// tenant), alerts by a stable id derived from the legacy id, or from their
// content when there is none. Users with an argon2id hash (the portal's own
// format) and no account here get an account; the others, and every address
// that has an account here already (never attached without its owner's
// consent), get an invitation, emailed to them through the outbox in this
// same transaction (lib/team/invite.ts issueInvitation, as every invitation
// is): the link and its token exist only in that email, never in the report,
// on the page or on the console. Each invitation has its own `team:invite`
// audit row (via "import"), beside the run's `tenant.imported`.
//
// One transaction: a failure imports nothing (and mails nothing), and a dry
// run is the same work rolled back, so what it reports is exactly what a real
// run would create, and it queues no mail.
import { readdir } from "node:fs/promises";
import path from "node:path";
import type { z } from "zod";
import { recordAudit } from "@/lib/audit/record";
import { withServiceRole } from "@/lib/db/service-role";
import type { Db } from "@/lib/db/with-tenant";
import { issueInvitation } from "@/lib/team/invite";
import { ArchiveError } from "./errors";
import { readRecords } from "./legacy-read";
import { alertKey, firstIssue, legacyAlert, legacyAsset, legacyUser, stableId, type LegacyAlert, type LegacyAsset, type LegacyUser } from "./legacy-rows";
import { offboardingAtOrAbove } from "@/lib/lifecycle/tenant-row";

export interface ImportOptions {
  slug: string;
  /** Directory holding users.*, assets.* and alerts.* (.csv, .json or .ndjson). */
  from: string;
  dryRun?: boolean;
  progress?: (p: { file: string; rows: number }) => void;
  via?: string;
  /**
   * Who the invitations are from: the person importing from the console
   * (their right to grant each role is checked again when it is accepted),
   * or null/absent for an operator's command (issued by the system).
   */
  invitedBy?: string | null;
}

export interface RejectedRow {
  file: string;
  line: number;
  field: string | null;
  reason: string;
}

export interface ImportReport {
  tenant: { id: string; slug: string };
  dryRun: boolean;
  files: string[];
  users: {
    created: string[];
    /**
     * Addresses that got an invitation, each emailed to it through the outbox
     * (queued with the import; a dry run: would get one, and nothing is queued).
     * Never a link: its token lives only in the email.
     */
    invited: string[];
    existing: number;
    membershipsAdded: number;
  };
  assets: { created: number; existing: number };
  alerts: { created: number; existing: number };
  rejected: RejectedRow[];
}

const KINDS = ["users", "assets", "alerts"] as const;
const DRY_RUN = Symbol("dry run");
const BATCH = 500;

export async function importLegacyData(opts: ImportOptions): Promise<ImportReport> {
  const names = await readdir(opts.from).catch(() => {
    throw new ArchiveError("not-found", `cannot read the directory ${opts.from}`);
  });
  const files = new Map<string, string>();
  for (const kind of KINDS) {
    const found = names.filter((n) => new RegExp(`^${kind}\\.(csv|json|ndjson|jsonl)$`, "i").test(n));
    if (found.length > 1) throw new ArchiveError("invalid", `more than one ${kind} file in ${opts.from}: ${found.join(", ")}`);
    if (found[0]) files.set(kind, path.join(opts.from, found[0]));
  }
  if (files.size === 0) throw new ArchiveError("not-found", `no users, assets or alerts file (.csv, .json, .ndjson) in ${opts.from}`);

  let report: ImportReport | undefined;
  try {
    await withServiceRole("lifecycle.archive", async (db) => {
      const client = db.$client;
      const { rows: [tenant] } = await client.query<{ id: string; slug: string; kind: string; status: string }>(
        "select id, slug, kind, status from public.tenants where slug = $1 for update",
        [opts.slug],
      );
      if (!tenant) throw new ArchiveError("not-found", `no tenant with the slug "${opts.slug}"`);
      if (tenant.kind === "mssp") throw new ArchiveError("invalid", `${opts.slug} is an MSSP: import a legacy install into a customer or site`);
      // Nor below one: the offboarding workflow purges the whole subtree (the console checks the same, lib/lifecycle/web/access.ts).
      const gone = await offboardingAtOrAbove(db, tenant.id);
      if (gone) throw new ArchiveError("invalid", gone.id === tenant.id ? `${opts.slug} is being offboarded` : `${gone.slug} is being offboarded (or was): nothing can be imported into ${opts.slug}, below it`);
      report = {
        tenant: { id: tenant.id, slug: tenant.slug }, dryRun: !!opts.dryRun, files: [...files.values()].map((f) => path.basename(f)),
        users: { created: [], invited: [], existing: 0, membershipsAdded: 0 }, assets: { created: 0, existing: 0 }, alerts: { created: 0, existing: 0 },
        rejected: [],
      };
      // Users first (alerts name them), then assets (alerts name them too).
      for (const kind of KINDS) {
        const file = files.get(kind);
        if (file) await importFile(db, kind, file, tenant, report, opts);
      }
      if (opts.dryRun) throw DRY_RUN;
      await recordAudit(db, {
        tenantId: tenant.id, action: "tenant.imported", targetType: "tenant", targetId: tenant.id, outcome: "success",
        details: {
          via: opts.via ?? "lifecycle.archive", files: report.files, usersCreated: report.users.created.length, usersInvited: report.users.invited.length,
          assetsCreated: report.assets.created, alertsCreated: report.alerts.created, rejected: report.rejected.length,
        },
      });
    });
  } catch (error) {
    if (error !== DRY_RUN) throw error;
  }
  return report!;
}

type Schema = typeof legacyUser | typeof legacyAsset | typeof legacyAlert;
const SCHEMAS: Record<(typeof KINDS)[number], Schema> = { users: legacyUser, assets: legacyAsset, alerts: legacyAlert };

async function importFile(
  db: Db,
  kind: (typeof KINDS)[number],
  file: string,
  tenant: { id: string; slug: string; kind: string },
  report: ImportReport,
  opts: ImportOptions,
) {
  const client = db.$client;
  const name = path.basename(file);
  let batch: { line: number; row: unknown }[] = [];
  let rows = 0;
  const flush = async () => {
    if (batch.length === 0) return;
    const b = batch;
    batch = [];
    await client.query("savepoint import_batch");
    // The users report grows row by row: what a refused batch added is undone with it (its rows are then retried one by one).
    const users = structuredClone(report.users);
    try {
      await write(db, kind, b.map((x) => x.row), tenant, report, { invitedBy: opts.invitedBy ?? null, importVia: opts.via ?? "lifecycle.archive" });
      await client.query("release savepoint import_batch");
    } catch (error) {
      // Rare (validation mirrors the constraints): find the row Postgres refuses, one by one.
      await client.query("rollback to savepoint import_batch");
      report.users = users;
      if (b.length === 1) {
        report.rejected.push({ file: name, line: b[0].line, field: null, reason: `refused by the database: ${(error as Error).message}` });
        return;
      }
      for (const one of b) {
        batch = [one];
        await flush();
      }
    }
  };
  for await (const record of readRecords(file)) {
    rows++;
    if (record.error) {
      report.rejected.push({ file: name, line: record.line, field: null, reason: `this record ${record.error}` });
      continue;
    }
    const parsed = (SCHEMAS[kind] as z.ZodTypeAny).safeParse(record.fields);
    if (!parsed.success) {
      report.rejected.push({ file: name, line: record.line, ...firstIssue(parsed.error, record.fields) });
      continue;
    }
    batch.push({ line: record.line, row: parsed.data });
    if (batch.length >= BATCH) await flush();
    if (rows % 5000 === 0) opts.progress?.({ file: name, rows });
  }
  await flush();
  opts.progress?.({ file: name, rows });
}

async function write(db: Db, kind: string, rows: unknown[], tenant: { id: string; slug: string; kind: string }, report: ImportReport, inviting: Inviting) {
  const client = db.$client;
  if (kind === "assets") {
    const assets = rows as LegacyAsset[];
    const { rowCount } = await client.query(
      `insert into public.assets (tenant_id, id, hostname, ip_address, os, kind, criticality, owner_email, last_seen_at)
       select $1, r.id, r.hostname, r.ip_address, r.os, r.kind, r.criticality, r.owner_email, r.last_seen_at
         from jsonb_to_recordset($2::jsonb) r(id uuid, hostname text, ip_address inet, os text, kind text, criticality text, owner_email text, last_seen_at timestamptz)
       on conflict do nothing`,
      [tenant.id, JSON.stringify(assets.map((a) => ({ ...a, id: stableId(tenant.id, "asset", a.hostname) })))],
    );
    report.assets.created += rowCount ?? 0;
    report.assets.existing += assets.length - (rowCount ?? 0);
  } else if (kind === "alerts") {
    const alerts = rows as LegacyAlert[];
    const { rowCount } = await client.query(
      `insert into public.alerts (tenant_id, id, title, description, severity, status, source, rule_name, asset_id, hostname, source_ip, assigned_to, detected_at, resolved_at)
       select $1, r.id, r.title, r.description, r.severity, r.status, r.source, r.rule_name,
              (select a.id from public.assets a where a.tenant_id = $1 and a.hostname = r.hostname),
              r.hostname, r.source_ip, (select u.id from public.users u where u.email = r.assigned_to), r.detected_at, r.resolved_at
         from jsonb_to_recordset($2::jsonb) r(id uuid, title text, description text, severity text, status text, source text, rule_name text,
                                              hostname text, source_ip inet, assigned_to text, detected_at timestamptz, resolved_at timestamptz)
       on conflict do nothing`,
      [tenant.id, JSON.stringify(alerts.map((a) => ({ ...a, id: stableId(tenant.id, "alert", alertKey(a)) })))],
    );
    report.alerts.created += rowCount ?? 0;
    report.alerts.existing += alerts.length - (rowCount ?? 0);
  } else {
    for (const u of rows as LegacyUser[]) await writeUser(db, u, tenant, report, inviting);
  }
}

/** Who the invitations are from, and how the import was started (both for their audit rows). */
interface Inviting {
  invitedBy: string | null;
  importVia: string;
}

async function writeUser(db: Db, u: LegacyUser, tenant: { id: string }, report: ImportReport, { invitedBy, importVia }: Inviting) {
  const client = db.$client;
  const { rows: [user] } = await client.query<{ id: string; member: boolean }>(
    "select u.id, exists (select 1 from public.memberships m where m.user_id = u.id and m.tenant_id = $2) as member from public.users u where u.email = $1",
    [u.email, tenant.id],
  );
  if (user?.member) {
    report.users.existing++;
    return;
  }
  if (!user && u.password_hash) {
    const { rows: [created] } = await client.query<{ id: string }>(
      "insert into public.users (email, name, password_hash) values ($1, $2, $3) returning id",
      [u.email, u.name, u.password_hash],
    );
    report.users.created.push(u.email);
    const { rowCount } = await client.query(
      "insert into public.memberships (tenant_id, user_id, role) values ($1, $2, $3) on conflict do nothing",
      [tenant.id, created.id, u.role],
    );
    report.users.membershipsAdded += rowCount ?? 0;
    return;
  }
  // An account here already (a person of another tenant, another MSSP's perhaps) is never attached by a
  // file: it gets an invitation and joins only if its owner accepts. No account and no portable hash:
  // an invitation too. Emailed (one open at a time per address: an open one is left as it is).
  const sent = await issueInvitation(db, { tenantId: tenant.id, email: u.email, role: u.role, invitedBy, via: "import", audit: { import_via: importVia } });
  if (sent.invited) report.users.invited.push(u.email);
  else report.users.existing++;
}

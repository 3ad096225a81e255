// Stored reports and schedules, read and written under the caller's RLS
// (admins and analysts of the tenant or an ancestor). The caller has asked
// the PDP for reports:export on the tenant first (the server actions in
// lib/actions/reports, the pages, the download routes, a bulk run).
import { z } from "zod";
import { ActionRefusal } from "@/lib/actions/refusal";
import type { TenantTx } from "@/lib/db/with-tenant";
import { withServiceRoleIn } from "@/lib/db/service-role";
import { recipientSchema } from "@/lib/mail/outbox";
import { requireFeature } from "@/lib/settings/enforce";
import { hasUsage } from "@/lib/usage/read";
import { MAX_SCHEDULE_RECIPIENTS, REPORT_CADENCES, REPORT_FORMATS, REPORT_KINDS, type ReportCadence, type ReportFormat, type ReportKind, type ReportStatus } from "./kinds";
import { parseInstant, periodProblem } from "./period";

export interface ReportRow {
  id: string;
  tenantId: string;
  tenant: { slug: string; name: string };
  kind: ReportKind;
  format: ReportFormat;
  periodStart: Date;
  periodEnd: Date;
  status: ReportStatus;
  progress: number;
  sizeBytes: number | null;
  error: string | null;
  scheduled: boolean;
  createdBy: string | null;
  createdAt: Date;
  finishedAt: Date | null;
  /** It holds the tenant's usage figures (asked by someone who could read them): only for callers with usage:read. */
  includesUsage: boolean;
}

export interface ScheduleRow {
  id: string;
  tenantId: string;
  tenant: { slug: string; name: string };
  kind: ReportKind;
  format: ReportFormat;
  cadence: ReportCadence;
  recipients: string[];
  nextRunAt: Date;
  lastRunAt: Date | null;
  createdAt: Date;
  /** Paused (lib/reports/pause.ts): since when and why; it makes no report until someone resumes it. */
  pausedAt: Date | null;
  pausedReason: string | null;
}

/** Tenants a report may be made for: open ones (a suspended, offboarding or offboarded tenant gets none). */
const STATE_MESSAGES: Record<string, string> = {
  provisioning: "This tenant is still being provisioned: reports can be made once it is active.",
  suspended: "This tenant is suspended: resume it before making reports. Nothing was queued.",
  deprovisioning: "This tenant is being offboarded: no new reports are made for it. Nothing was queued.",
  deprovisioned: "This tenant has been offboarded: no reports are made for it. Nothing was queued.",
};

/** What a tenant above the report's one is, as a refusal says it (never naming that tenant). */
const ABOVE_STATE: Record<string, string> = {
  provisioning: "still being provisioned",
  suspended: "suspended",
  deprovisioning: "being offboarded",
  deprovisioned: "offboarded",
};

/** Why no report is made for a tenant that is active itself while one above it is not (its sites are frozen with it). */
export function aboveMessage(status: string | null, then: string): string {
  return `A tenant above it is ${ABOVE_STATE[status ?? ""] ?? "not active"}: no report is made for it until that tenant is active again. ${then}`;
}

/**
 * Under the caller's RLS: whether a tenant above `tenantId` is not active (suspended, being
 * provisioned or offboarded), and the first such one's status where the caller can see it.
 * tenancy.frozen_tenant_ids() (the freeze policies' own set) answers even where the ancestor itself
 * is out of the caller's sight; its status is then unknown (null).
 */
export async function closedAboveForCaller(tx: TenantTx, tenantId: string): Promise<{ closed: boolean; status: string | null }> {
  const { rows } = await tx.client.query<{ frozen: boolean; above: string | null }>(
    `select exists (select 1 from tenancy.frozen_tenant_ids() f(id) where f.id = $1::uuid) as frozen,
            (select a.status from public.tenants t join public.tenants a on a.path operator(extensions.@>) t.path and a.id <> t.id
              where t.id = $1 and a.status <> 'active' order by a.status = 'deprovisioned' desc, a.path limit 1) as above`,
    [tenantId],
  );
  const above = rows[0]?.above ?? null;
  return { closed: !!rows[0]?.frozen || above !== null, status: above };
}

/**
 * Refuses (ActionRefusal, nothing written) a tenant that is not a customer or a site (an MSSP's own
 * tenant: its reports would never be listed), not active, or below a tenant that is not active.
 */
async function requireReportable(tx: TenantTx, tenantId: string, nothing: string): Promise<void> {
  const { rows } = await tx.client.query<{ status: string; kind: string }>("select status, kind from public.tenants where id = $1", [tenantId]);
  if (!rows[0]) throw new ActionRefusal("No such tenant.", { reason: "tenant_invisible" });
  if (rows[0].kind !== "customer" && rows[0].kind !== "site")
    throw new ActionRefusal(`Reports are made for customers and their sites, not for the MSSP's own tenant. ${nothing}`, { reason: "tenant_kind", kind: rows[0].kind });
  if (rows[0].status !== "active") throw new ActionRefusal(STATE_MESSAGES[rows[0].status] ?? `This tenant is not active. ${nothing}`, { reason: "tenant_state", status: rows[0].status });
  const above = await closedAboveForCaller(tx, tenantId);
  if (above.closed) throw new ActionRefusal(aboveMessage(above.status, nothing), { reason: "tenant_state_above", ...(above.status ? { status: above.status } : {}) });
}

export const generateReportInput = z.object({
  tenantId: z.string().uuid(),
  kind: z.enum(REPORT_KINDS),
  format: z.enum(REPORT_FORMATS),
  from: z.union([z.string(), z.date()]),
  to: z.union([z.string(), z.date()]),
});
export type GenerateReportInput = z.infer<typeof generateReportInput>;

/**
 * Queues a report of `tenantId` for [from, to) as the signed-in caller (the
 * row's created_by is auth.uid()). The graphile-worker job in the tenant's
 * queue is added by the insert's trigger and runs once this transaction
 * commits. Throws ActionRefusal (a message to show; nothing written) for an
 * unparsable, inverted, too long or future period, a tenant the caller cannot
 * see, one that is not a customer or site, or one that is not active or is
 * below a tenant that is not active. The PDP's reports:export is the caller's
 * to ask first.
 */
export async function generateReport(tx: TenantTx, input: GenerateReportInput): Promise<{ id: string }> {
  const parsed = generateReportInput.safeParse(input);
  if (!parsed.success) throw new ActionRefusal("Choose a kind (executive or operational), a format (PDF or CSV) and a period.", { reason: "input" });
  const from = parseInstant(parsed.data.from);
  const to = parseInstant(parsed.data.to);
  if (!from || !to) throw new ActionRefusal("The period could not be read: use dates like 2026-11-01.", { reason: "period_unparsable" });
  const problem = periodProblem(from, to);
  if (problem) throw new ActionRefusal(problem, { reason: "period" });
  await requireReportable(tx, parsed.data.tenantId, "Nothing was queued.");
  // What the tenant bought (features.reports, inherited down the tree): the action, a bulk run's item and nothing else queue here.
  await requireFeature(tx, parsed.data.tenantId, "features.reports");
  // The usage section only if the caller may read the tenant's usage (RLS on the rollups: admins).
  const includeUsage = await hasUsage(tx, parsed.data.tenantId);
  const inserted = await tx.client.query<{ id: string }>(
    `insert into public.reports (tenant_id, kind, format, period_start, period_end, include_usage, created_by)
     values ($1, $2, $3, $4, $5, $6, auth.uid()) returning id`,
    [parsed.data.tenantId, parsed.data.kind, parsed.data.format, from, to, includeUsage],
  );
  return { id: inserted.rows[0].id };
}

/** A report row with its tenant's name (exported for scripts/bench). */
export const ROW_SQL = `
  select r.id, r.tenant_id, t.slug, t.name, r.kind, r.format, r.period_start, r.period_end, r.status, r.progress,
         r.size_bytes, r.error, r.schedule_id is not null as scheduled, r.created_by, r.created_at, r.finished_at, r.include_usage
    from public.reports r join public.tenants t on t.id = r.tenant_id`;

type RawRow = {
  id: string; tenant_id: string; slug: string; name: string; kind: ReportKind; format: ReportFormat; period_start: Date; period_end: Date;
  status: ReportStatus; progress: number; size_bytes: number | null; error: string | null; scheduled: boolean; created_by: string | null;
  created_at: Date; finished_at: Date | null; include_usage: boolean;
};

const rowOf = (r: RawRow): ReportRow => ({
  id: r.id,
  tenantId: r.tenant_id,
  tenant: { slug: r.slug, name: r.name },
  kind: r.kind,
  format: r.format,
  periodStart: r.period_start,
  periodEnd: r.period_end,
  status: r.status,
  progress: r.progress,
  sizeBytes: r.size_bytes,
  error: r.error,
  scheduled: r.scheduled,
  createdBy: r.created_by,
  createdAt: r.created_at,
  finishedAt: r.finished_at,
  includesUsage: r.include_usage,
});

/**
 * The newest reports of $1's tenants, $2 of them (exported for scripts/bench). Without ROW_SQL's join:
 * the caller knows its tenants' names, and joining tenants costs an MSSP's statement another read of
 * its ~1,600 visible tenant ids (issue 13 point 7).
 */
export const NEWEST_REPORTS_SQL = `
  select r.id, r.tenant_id, r.kind, r.format, r.period_start, r.period_end, r.status, r.progress,
         r.size_bytes, r.error, r.schedule_id is not null as scheduled, r.created_by, r.created_at, r.finished_at, r.include_usage
    from public.reports r where r.tenant_id = any ($1::uuid[]) order by r.created_at desc, r.id limit $2`;

type TenantName = { slug: string; name: string };

/**
 * The newest reports of these tenants (RLS decides which exist), newest first. `names`: the tenants'
 * slugs and names when the caller has them (the reports page lists the tenants first); otherwise they
 * are read for the reports found.
 */
export async function listReports(tx: TenantTx, tenantIds: readonly string[], limit = 50, names?: ReadonlyMap<string, TenantName>): Promise<ReportRow[]> {
  if (tenantIds.length === 0) return [];
  const { rows } = await tx.client.query<Omit<RawRow, "slug" | "name">>(NEWEST_REPORTS_SQL, [tenantIds, limit]);
  const missing = [...new Set(rows.map((r) => r.tenant_id))].filter((id) => !names?.has(id));
  const known = new Map<string, TenantName>(names);
  if (missing.length > 0) {
    const { rows: found } = await tx.client.query<{ id: string; slug: string; name: string }>("select id, slug, name from public.tenants where id = any ($1::uuid[])", [missing]);
    for (const t of found) known.set(t.id, { slug: t.slug, name: t.name });
  }
  // A report's tenant is always readable where the report is (its policy's set is within the visible one).
  return rows.flatMap((r) => {
    const t = known.get(r.tenant_id);
    return t ? [rowOf({ ...r, slug: t.slug, name: t.name })] : [];
  });
}

/** One report by id, or null when RLS hides it (another tenant's) or it does not exist. */
export async function getReport(tx: TenantTx, id: string): Promise<ReportRow | null> {
  if (!z.string().uuid().safeParse(id).success) return null;
  const { rows } = await tx.client.query<RawRow>(`${ROW_SQL} where r.id = $1`, [id]);
  return rows[0] ? rowOf(rows[0]) : null;
}

/**
 * A ready report's bytes, or null. Only for the download (lib/reports/download.ts), once RLS showed
 * the caller the report and the PDP allowed reports:export on its tenant: people may not select the
 * content column (migration 20261201033200), so it is read on the named service path, in the
 * caller's transaction.
 */
export async function reportContent(tx: TenantTx, tenantId: string, id: string): Promise<Buffer | null> {
  return withServiceRoleIn("reports.download", tx.db, async (sdb) => {
    const { rows } = await sdb.$client.query<{ content: Buffer | null }>("select content from public.reports where tenant_id = $1 and id = $2 and status = 'ready'", [tenantId, id]);
    return rows[0]?.content ?? null;
  });
}

export const scheduleInput = z.object({
  tenantId: z.string().uuid(),
  kind: z.enum(REPORT_KINDS),
  format: z.enum(REPORT_FORMATS),
  cadence: z.enum(REPORT_CADENCES),
  recipients: z.array(recipientSchema).max(MAX_SCHEDULE_RECIPIENTS),
});

/**
 * Adds a weekly or monthly schedule. Its first run (the next Monday / 1st, 06:00 UTC: period.ts
 * nextRun) is set by the database (migration 20261201030910), which does not take one from a person.
 */
export async function createSchedule(tx: TenantTx, input: z.infer<typeof scheduleInput>): Promise<{ id: string; nextRunAt: Date }> {
  await requireReportable(tx, input.tenantId, "Nothing was saved.");
  await requireFeature(tx, input.tenantId, "features.reports");
  const ins = await tx.client.query<{ id: string; next_run_at: Date }>(
    `insert into public.report_schedules (tenant_id, kind, format, cadence, recipients, created_by)
     values ($1, $2, $3, $4, $5, auth.uid()) returning id, next_run_at`,
    [input.tenantId, input.kind, input.format, input.cadence, [...new Set(input.recipients)]],
  );
  return { id: ins.rows[0].id, nextRunAt: ins.rows[0].next_run_at };
}

/** Removes a schedule of `tenantId`; false if there is none (or RLS hides it). */
/** Removes a schedule; returns what it made and for whom (the answer names it), or null when there was none. */
export async function deleteSchedule(tx: TenantTx, tenantId: string, id: string): Promise<{ kind: ReportKind; cadence: ReportCadence; tenantName: string } | null> {
  const { rows } = await tx.client.query<{ kind: ReportKind; cadence: ReportCadence; tenant_name: string }>(
    `delete from public.report_schedules s using public.tenants t
      where s.tenant_id = $1 and s.id = $2 and t.id = s.tenant_id
      returning s.kind, s.cadence, t.name as tenant_name`,
    [tenantId, id],
  );
  return rows[0] ? { kind: rows[0].kind, cadence: rows[0].cadence, tenantName: rows[0].tenant_name } : null;
}

/**
 * The schedules of $1's tenants, oldest first (exported for scripts/bench). No join on tenants, as
 * NEWEST_REPORTS_SQL: listSchedules orders them by their tenant's name.
 */
export const SCHEDULES_SQL = `select s.id, s.tenant_id, s.kind, s.format, s.cadence, s.recipients, s.next_run_at, s.last_run_at, s.created_at,
            s.paused_at, s.paused_reason
       from public.report_schedules s
      where s.tenant_id = any ($1::uuid[]) order by s.created_at, s.id`;

/**
 * The schedules of these tenants (RLS decides which exist), by tenant name, then oldest first. `tenants`
 * in the order to list them (the reports page's list, by name) with their slugs and names; otherwise
 * they are read for the schedules found, by name.
 */
export async function listSchedules(tx: TenantTx, tenantIds: readonly string[], tenants?: readonly ({ id: string } & TenantName)[]): Promise<ScheduleRow[]> {
  if (tenantIds.length === 0) return [];
  const { rows } = await tx.client.query<{
    id: string; tenant_id: string; kind: ReportKind; format: ReportFormat; cadence: ReportCadence;
    recipients: string[]; next_run_at: Date; last_run_at: Date | null; created_at: Date; paused_at: Date | null; paused_reason: string | null;
  }>(SCHEDULES_SQL, [tenantIds]);
  let order = tenants ?? [];
  const listed = new Set(order.map((t) => t.id));
  const missing = [...new Set(rows.map((r) => r.tenant_id))].filter((id) => !listed.has(id));
  if (missing.length > 0) {
    const { rows: found } = await tx.client.query<{ id: string; slug: string; name: string }>(
      "select id, slug, name from public.tenants where id = any ($1::uuid[]) order by name, id",
      [missing],
    );
    order = [...order, ...found];
  }
  const rank = new Map(order.map((t, i) => [t.id, i]));
  return rows
    .filter((r) => rank.has(r.tenant_id))
    .sort((a, b) => rank.get(a.tenant_id)! - rank.get(b.tenant_id)!) // stable: oldest first within a tenant
    .map((r) => {
      const t = order[rank.get(r.tenant_id)!];
      return {
        id: r.id, tenantId: r.tenant_id, tenant: { slug: t.slug, name: t.name }, kind: r.kind, format: r.format, cadence: r.cadence,
        recipients: r.recipients, nextRunAt: r.next_run_at, lastRunAt: r.last_run_at, createdAt: r.created_at,
        pausedAt: r.paused_at, pausedReason: r.paused_reason,
      };
    });
}

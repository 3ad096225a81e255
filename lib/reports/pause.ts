// Pausing a report schedule whose run showed that its author lacks access
// (docs/reports.md, "Paused schedules"): their membership was removed or
// lowered so the PDP no longer allows reports:export, their account is gone,
// or the tenant was offboarded. Done by the worker (service role, purpose
// reports.generate) in the transaction that fails the run's report, or that
// moves the due schedule on: the schedule is marked paused with the reason
// (the Reports pages show it), an audit row reports:schedule-paused is written
// in the tenant's trail (no actor: the system did it), and the tenant's admins
// are mailed through the outbox. A paused schedule is not due until someone
// who may export the tenant's reports resumes it (lib/reports/resume.ts).
//
// Never for a passing state: a tenant, or one above it, that is provisioning,
// suspended or being offboarded (its people are locked out until it is active
// again) leaves the schedule as it is; so do faults (the database, the PDP
// unreachable), which the callers never take for a refusal.
import { withServiceRole } from "@/lib/db/service-role";
import type { Db } from "@/lib/db/with-tenant";
import { brandOfTenant } from "@/lib/branding/resolve";
import { log } from "@/lib/log";
import { enqueueMail, reportSchedulePausedMail, type MailBrand } from "@/lib/mail";
import { originForConsole, portalOriginFor } from "@/lib/tenancy/origin";
import { REPORT_FORMAT_LABELS, REPORT_KIND_LABELS, type ReportCadence, type ReportFormat, type ReportKind } from "./kinds";

export type PauseCause = "author-access" | "author-gone" | "offboarded";

/** Why a schedule paused, as its row keeps it and the pages and the mail say it. */
export const PAUSE_REASONS: Record<PauseCause, string> = {
  "author-access": "the person it runs as may no longer export this tenant's reports",
  "author-gone": "the person it runs as no longer has an account",
  offboarded: "the tenant was offboarded",
};

export const SCHEDULE_PAUSED_AUDIT = "reports:schedule-paused";

/** Where the pause mails link to and in which brand: read before the pausing transaction (no second pooled connection while it holds one). */
export interface PauseNotice {
  tenantLink: string | null;
  consoleLink: string;
  brand?: MailBrand;
}

/** The notice for a schedule of `tenantId` (its host and brand; the brand falls back to none, the MSSP's). Outside any transaction. */
export async function pauseNotice(tenantId: string): Promise<PauseNotice> {
  const tenant = await withServiceRole("reports.generate", async (db) =>
    (await db.$client.query<{ slug: string; kind: string }>("select slug, kind from public.tenants where id = $1", [tenantId])).rows[0] ?? null,
  );
  const consoleLink = `${await originForConsole()}/reports`;
  if (!tenant) return { tenantLink: null, consoleLink };
  return { tenantLink: `${await portalOriginFor(tenant)}/reports`, consoleLink, brand: await brandOfTenant(tenantId).catch(() => undefined) };
}

/** A status other than active of the tenant or one above it ('deprovisioned' first), or null when all are active. */
async function closedAbove(db: Db, tenantId: string): Promise<string | null> {
  const { rows } = await db.$client.query<{ status: string }>(
    `select a.status from public.tenants t join public.tenants a on a.path operator(extensions.@>) t.path
      where t.id = $1 and a.status <> 'active' order by a.status = 'deprovisioned' desc, a.path limit 1`,
    [tenantId],
  );
  return rows[0]?.status ?? null;
}

/**
 * The tenant's admins to tell: those holding tenant_admin on the schedule's tenant or one above it;
 * where it has none, the MSSP's admins (on the console). Only memberships that still open the tenant
 * (none at or below a tenant that is not active).
 */
async function adminsOf(db: Db, tenantId: string): Promise<{ emails: string[]; onConsole: boolean }> {
  const { rows } = await db.$client.query<{ email: string; role: string }>(
    `select distinct u.email, m.role
       from public.tenants t
       join public.tenants mt on t.path operator(extensions.<@) mt.path
       join public.memberships m on m.tenant_id = mt.id and m.role in ('tenant_admin', 'mssp_admin')
       join public.users u on u.id = m.user_id
      where t.id = $1
        and not exists (select 1 from public.tenants s where s.status <> 'active' and mt.path operator(extensions.<@) s.path)
      order by u.email`,
    [tenantId],
  );
  const tenantAdmins = rows.filter((r) => r.role === "tenant_admin").map((r) => r.email);
  if (tenantAdmins.length > 0) return { emails: [...new Set(tenantAdmins)], onConsole: false };
  return { emails: [...new Set(rows.map((r) => r.email))], onConsole: true };
}

export interface PauseRequest {
  tenantId: string;
  scheduleId: string;
  cause: PauseCause;
  /** Who the run ran as: a schedule resumed by someone else since (created_by changed) is not paused. */
  author: string | null;
  /** The run's report, when it failed (the audit row names it). */
  reportId?: string;
}

/**
 * In `db`'s service-role transaction: pauses the schedule (see the header) unless it is paused
 * already, runs as someone else now, or the tenant is in a passing state. Returns whether it paused.
 */
export async function pauseSchedule(db: Db, req: PauseRequest, notice: PauseNotice): Promise<boolean> {
  const closed = await closedAbove(db, req.tenantId);
  if (closed && closed !== "deprovisioned") return false;
  const cause: PauseCause = closed === "deprovisioned" ? "offboarded" : req.cause;
  const reason = PAUSE_REASONS[cause];
  const { rows } = await db.$client.query<{ kind: ReportKind; format: ReportFormat; cadence: ReportCadence; tenant_name: string }>(
    `update public.report_schedules s set paused_at = now(), paused_reason = $4
       from public.tenants t
      where s.tenant_id = $1 and s.id = $2 and t.id = s.tenant_id and s.paused_at is null and s.created_by is not distinct from $3
      returning s.kind, s.format, s.cadence, t.name as tenant_name`,
    [req.tenantId, req.scheduleId, req.author, reason],
  );
  const s = rows[0];
  if (!s) return false;
  const admins = cause === "offboarded" ? { emails: [], onConsole: false } : await adminsOf(db, req.tenantId);
  const link = admins.onConsole ? notice.consoleLink : notice.tenantLink ?? notice.consoleLink;
  const schedule = `The ${s.cadence} ${REPORT_KIND_LABELS[s.kind]} (${REPORT_FORMAT_LABELS[s.format]})`;
  for (const to of admins.emails) {
    await enqueueMail(db, {
      to,
      tenantId: req.tenantId,
      message: reportSchedulePausedMail({ tenantName: s.tenant_name, schedule, reason, link, brand: admins.onConsole ? undefined : notice.brand }),
    });
  }
  await db.$client.query(
    `insert into public.audit_log (tenant_id, actor_id, action, target_type, target_id, outcome, details)
     values ($1, null, $2, 'report_schedule', $3, 'success', $4::jsonb)`,
    [req.tenantId, SCHEDULE_PAUSED_AUDIT, req.scheduleId, JSON.stringify({ cause, reason, author_id: req.author, report_id: req.reportId ?? null, mailed: admins.emails.length })],
  );
  log.warn({ event: "reports.schedule-paused", tenant_id: req.tenantId, schedule_id: req.scheduleId, cause, mailed: admins.emails.length }, "report schedule paused");
  return true;
}

// The worker's side of a report (graphile-worker task reports:generate, in
// the tenant's queue): claim the queued row, compute the figures under the
// RLS of the person who asked (withTenant as created_by, the PDP's
// reports:export asked again: a person who lost the right gets nothing),
// render, store the bytes, and for a scheduled report queue the mail to its
// recipients who can open it now (a link, never the file: lib/mail's outbox
// carries text and HTML bodies, and the link keeps sign-in, RLS and the PDP in
// the way; lib/reports/recipients.ts). A
// scheduled report refused because its author lacks access pauses its
// schedule (lib/reports/pause.ts); one of a tenant below a tenant that is
// not active (a suspended customer's site) fails and leaves its schedule as it
// is. A PDF whose document is not valid fails at once (no retry: it would fail
// the same way). The stored report keeps which tenants its figures covered
// (covered_tenant_ids, for the offboarding's withdrawal). Only the row's status changes go through
// the service role (purpose reports.generate): people may not update reports.
import { authorize, isAuthorizationError } from "@/lib/authz";
import { withServiceRole } from "@/lib/db/service-role";
import { withTenant } from "@/lib/db/with-tenant";
import { log, safeError } from "@/lib/log";
import { enqueueMail } from "@/lib/mail/outbox";
import { reportReadyMail } from "@/lib/mail/templates";
import { PdfInputError, type PdfBrand } from "@/lib/pdf";
import { slaTargets } from "@/lib/settings/read";
import { portalOriginFor } from "@/lib/tenancy/origin";
import { computeFigures, type ReportFigures } from "./figures";
import { REPORT_KIND_LABELS, type ReportFormat, type ReportKind } from "./kinds";
import { periodLabel } from "./period";
import { reportCsv, reportPdf } from "./render";
import { pdfBrandOf } from "@/lib/branding/pdf";
import { featureEnabled } from "@/lib/settings/enforce";
import { brandOfTenant } from "@/lib/branding/resolve";
import { recipientsWhoMayOpen } from "./recipients";
import { tenantTimeZone } from "@/lib/locale/viewer-zone";
import { pauseNotice, pauseSchedule, type PauseCause, type PauseRequest } from "./pause";
import { aboveMessage } from "./store";

/** A schedule's recipient addresses, as stored. */
async function scheduleRecipients(tenantId: string, scheduleId: string): Promise<string[]> {
  return withServiceRole("reports.generate", async (db) => {
    const { rows } = await db.$client.query<{ recipients: string[] }>("select recipients from public.report_schedules where tenant_id = $1 and id = $2", [tenantId, scheduleId]);
    return rows[0]?.recipients ?? [];
  });
}

export type GenerateOutcome = "ready" | "failed" | "done-before";

interface Claimed {
  tenant_id: string;
  kind: ReportKind;
  format: ReportFormat;
  period_start: Date;
  period_end: Date;
  include_usage: boolean;
  created_by: string | null;
  schedule_id: string | null;
}

/** A refusal to make the report (its message is the report's error); `pause`: it shows the author lacks access. */
class ReportRefused extends Error {
  constructor(message: string, readonly pause?: PauseCause) {
    super(message);
  }
}

/**
 * Fails the report with `message`; for a scheduled report whose refusal shows the author lacks access,
 * pauses its schedule in the same transaction (lib/reports/pause.ts).
 */
async function fail(tenantId: string, id: string, message: string, pause?: Omit<PauseRequest, "tenantId" | "reportId"> | null): Promise<GenerateOutcome> {
  const notice = pause ? await pauseNotice(tenantId) : null;
  await withServiceRole("reports.generate", async (db) => {
    const failed = await db.$client.query(
      "update public.reports set status = 'failed', error = $3, finished_at = now() where tenant_id = $1 and id = $2 and status <> 'ready'",
      [tenantId, id, message.slice(0, 500)],
    );
    if (failed.rowCount && pause && notice) await pauseSchedule(db, { ...pause, tenantId, reportId: id }, notice);
  });
  return "failed";
}

/** The file bytes of a report's figures; a PDF lists times of day in `timeZone` (a CSV keeps ISO 8601 UTC, for machines). */
export async function renderReport(kind: ReportKind, format: ReportFormat, figures: ReportFigures, brand?: Partial<PdfBrand>, timeZone?: string): Promise<Uint8Array> {
  return format === "pdf" ? reportPdf(kind, figures, brand, timeZone) : new TextEncoder().encode(reportCsv(kind, figures));
}

/**
 * Generates one queued report. Idempotent: a report already ready or failed
 * is left alone; a run cut short (status running) is done again.
 * `lastAttempt`: a fault fails the report instead of throwing for a retry.
 */
export async function generateQueuedReport(tenantId: string, reportId: string, opts: { lastAttempt?: boolean; brand?: Partial<PdfBrand> } = {}): Promise<GenerateOutcome> {
  const claimed = await withServiceRole("reports.generate", async (db) => {
    const { rows } = await db.$client.query<Claimed>(
      `update public.reports set status = 'running', progress = 10
        where tenant_id = $1 and id = $2 and status in ('queued', 'running')
        returning tenant_id, kind, format, period_start, period_end, include_usage, created_by, schedule_id`,
      [tenantId, reportId],
    );
    if (!rows[0]) return null;
    // The tenant or one above it not active (a suspended customer's site): the job engine's own test
    // (this task is not paused by the worker as a tenant's jobs are), and the first such one's status.
    const state = await db.$client.query<{ status: string; frozen: boolean; above: string | null }>(
      `select t.status, jobs_engine.tenant_is_frozen(t.id) as frozen,
              (select a.status from public.tenants a where a.path operator(extensions.@>) t.path and a.id <> t.id and a.status <> 'active'
                order by a.status = 'deprovisioned' desc, a.path limit 1) as above
         from public.tenants t where t.id = $1`,
      [tenantId],
    );
    return { ...rows[0], state: state.rows[0] ?? null };
  });
  if (!claimed) return "done-before";
  const pauseOf = (cause: PauseCause | undefined) => (cause && claimed.schedule_id ? { scheduleId: claimed.schedule_id, cause, author: claimed.created_by } : null);
  // Frozen, but not offboarded (that pauses its schedule, below): the report fails and its schedule stays as it is.
  if (claimed.state?.frozen && claimed.state.status !== "deprovisioned") {
    const message = claimed.state.status === "active"
      ? aboveMessage(claimed.state.above, "Nothing was generated.")
      : `The tenant is ${claimed.state.status}: no report is made for it.`;
    return fail(tenantId, reportId, message);
  }
  if (!claimed.created_by) return fail(tenantId, reportId, "The person who asked for this report no longer exists; nothing was generated.", pauseOf("author-gone"));
  try {
    const { figures, providerName, tenant, timeZone, coveredIds } = await withTenant({ userId: claimed.created_by, activeTenantId: null }, async (tx) => {
      let resource;
      try {
        resource = await authorize(tx, "reports:export", tenantId);
      } catch (error) {
        // The PDP's deny, or the tenant out of their sight (RLS); a PDP that cannot answer is a fault, retried.
        if (isAuthorizationError(error)) throw new ReportRefused("The person who asked for this report may no longer export this tenant's reports; nothing was generated.", "author-access");
        throw error;
      }
      if (resource.status !== "active") throw new ReportRefused(`The tenant is ${resource.status}: no report is made for it.`, resource.status === "deprovisioned" ? "offboarded" : undefined);
      // Turned off after this report was queued: it is not made (the tenant's configuration says why).
      if (!(await featureEnabled(tx, tenantId, "features.reports")))
        throw new ReportRefused("Report exports are not enabled for this tenant (its configuration); nothing was generated.");
      const sla = await slaTargets(tx, tenantId);
      const f = await computeFigures(tx.client, tenantId, { from: claimed.period_start, to: claimed.period_end }, { sla, includeUsage: claimed.include_usage });
      if (!f) throw new ReportRefused("The tenant is not visible to the person who asked; nothing was generated.", "author-access");
      const { rows } = await tx.client.query<{ name: string }>(
        `select r.name from public.tenants r join public.tenants t on t.id = $1 where r.path operator(extensions.@>) t.path and r.parent_id is null`,
        [tenantId],
      );
      // The tenants the figures covered (the subtree, as the author sees it now): an offboarding withdraws
      // the report by these, wherever the tenants moved since (lib/lifecycle/offboard-copies.ts).
      const covered = await tx.client.query<{ ids: string[] }>(
        `select coalesce(array_agg(t.id), '{}') as ids from public.tenants t join public.tenants r on r.id = $1 where t.path operator(extensions.<@) r.path`,
        [tenantId],
      );
      // The tenant's own zone (inherited down the tree), as its portal pages show times.
      return { figures: f, providerName: rows[0]?.name ?? null, tenant: f.tenant, timeZone: await tenantTimeZone(tx, tenantId), coveredIds: covered.rows[0].ids };
    });
    await withServiceRole("reports.generate", (db) => db.$client.query("update public.reports set progress = 60 where tenant_id = $1 and id = $2 and status = 'running'", [tenantId, reportId]));
    // The tenant's brand (lib/branding): its product name, colour and logo; never the MSSP's where it is hidden.
    const brand = opts.brand ?? (await pdfBrandOf(tenantId).catch(() => (providerName ? { productName: providerName } : undefined)));
    const bytes = await renderReport(claimed.kind, claimed.format, figures, brand, timeZone);
    const link = `${await portalOriginFor({ slug: tenant.slug, kind: tenant.kind })}/reports/${reportId}/download`;
    // Mailed only to recipients who can open this report now (lib/reports/recipients.ts): asked before the
    // transaction below, as each of them, so no connection is held while the PDP answers.
    const listed = claimed.schedule_id ? await scheduleRecipients(tenantId, claimed.schedule_id) : [];
    const openers = await recipientsWhoMayOpen(tenantId, listed, { includesUsage: claimed.include_usage });
    const mailed = await withServiceRole("reports.generate", async (db) => {
      const done = await db.$client.query(
        `update public.reports set status = 'ready', progress = 100, content = $3, size_bytes = $4, error = null, finished_at = now(), covered_tenant_ids = $5
          where tenant_id = $1 and id = $2 and status = 'running'`,
        [tenantId, reportId, Buffer.from(bytes), bytes.byteLength, coveredIds],
      );
      if (!done.rowCount || !claimed.schedule_id) return 0;
      const recipients = listed.filter((to) => openers.has(to.toLowerCase()));
      const mailBrand = recipients.length > 0 ? await brandOfTenant(tenantId) : undefined;
      for (const to of recipients) {
        await enqueueMail(db, {
          to,
          tenantId,
          message: reportReadyMail({ tenantName: tenant.name, reportName: REPORT_KIND_LABELS[claimed.kind], period: periodLabel({ from: claimed.period_start, to: claimed.period_end }), link, brand: mailBrand }),
        });
      }
      return recipients.length;
    });
    log.info({ event: "reports.generated", tenant_id: tenantId, report_id: reportId, bytes: bytes.byteLength, mailed, not_mailed: listed.length - mailed }, "report generated");
    return "ready";
  } catch (error) {
    if (error instanceof ReportRefused) return fail(tenantId, reportId, error.message, pauseOf(error.pause));
    // The document itself is not valid: every attempt would fail the same way, so none is retried.
    if (error instanceof PdfInputError) {
      log.error({ event: "reports.pdf-invalid", tenant_id: tenantId, report_id: reportId, issues: error.issues }, "report PDF not valid; failed without retries");
      return fail(tenantId, reportId, `The PDF could not be laid out (${error.issues.join("; ")}); asking again fails the same way. The CSV format of this report is not affected.`);
    }
    log.error({ event: "reports.generate-failed", tenant_id: tenantId, report_id: reportId, err: safeError(error) }, "report generation failed");
    if (opts.lastAttempt) return fail(tenantId, reportId, "The report could not be generated; ask for it again.");
    throw error;
  }
}

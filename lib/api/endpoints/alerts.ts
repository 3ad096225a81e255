// /alerts: batch ingestion, the list, one alert, and triage.
import { z } from "zod";
import { ALERT_SEVERITIES } from "@/lib/alerts/severity";
import { ALERT_NOT_FOUND, triageAlert, type StatusChange } from "@/lib/alerts/triage";
import { canTransition, isClosed } from "@/lib/alerts/workflow";
import { ApiProblem, defineEndpoint } from "@/lib/api/endpoint";
import { MAX_BODY_BYTES } from "@/lib/api/gateway/input";
import { recordAudit } from "@/lib/audit/record";
import { ingestAlerts } from "@/lib/ingest/alerts";
import { STATUSES, line, sourceName, timestamp, uuid } from "@/lib/ingest/fields";
import { getApiAlert, listApiAlerts } from "@/lib/ingest/read-alerts";
import { ingestAlertsBody } from "@/lib/ingest/schemas";
import { requireFeature } from "@/lib/settings/enforce";
import { cappedIds, recordApiWrite } from "./audit";
import { notFound, refusalsAsProblems } from "./problems";
import { DEFAULT_LIMIT, csvOf, cursorParam, limitParam } from "./query";
import { alertBatchResultSchema, alertPageSchema, apiAlertSchema } from "./shapes";

const TAG = "Alerts";
const idParams = z.strictObject({ id: uuid.describe("The alert's id") });

export const ingestAlertsEndpoint = defineEndpoint({
  method: "POST",
  path: "/alerts",
  scope: "alerts:write",
  tag: TAG,
  summary: "Ingest a batch of alerts",
  description:
    "Up to 1,000 alerts per call, idempotent on (source, external_id) within the tenant: an alert sent again is answered " +
    "`duplicate` with the id stored the first time, and nothing new is written. Each item gets its own result; valid items " +
    "are stored even when others are rejected (partial success). The tenant is the call's: a body naming one is refused. " +
    "`raw` is kept sealed under the tenant's data key and shown only on the alert's page. Counts one per item against the daily ingestion quota. " +
    "A body may be up to 16 MiB (other endpoints: 1 MiB); a larger one is refused whole with 413: send fewer alerts per call. " +
    "A call that creates alerts writes one row in the tenant's audit trail (api.alerts.ingested, the key as actor: the counts and the first 50 ids).",
  body: ingestAlertsBody,
  // Items carry raw vendor payloads of up to 64 KiB each: the collector's page of 100 can pass the
  // 1 MiB default, and a 413 is not something it could retry its way out of.
  maxBodyBytes: MAX_BODY_BYTES,
  success: { status: 200, schema: alertBatchResultSchema },
  quotaCost: (input) => input.body.alerts.length,
  async handle(ctx, { body }) {
    const result = await refusalsAsProblems(() => ingestAlerts(ctx.tx, ctx.tenantId, body.alerts));
    // One row per request that stored something (not per alert: each row takes the tenant's chain lock), last.
    if (result.summary.created > 0) {
      const ids = result.results.flatMap((r) => (r.status === "created" ? [r.id] : []));
      await recordApiWrite(ctx, {
        action: "api.alerts.ingested",
        targetType: "alerts",
        targetId: String(result.summary.created),
        details: { ...result.summary, ...cappedIds("alert_ids", ids) },
      });
    }
    return { status: 200, body: result };
  },
});

export const listAlertsEndpoint = defineEndpoint({
  method: "GET",
  path: "/alerts",
  scope: "alerts:read",
  tag: TAG,
  summary: "List alerts",
  description:
    "The addressed tenant's alerts (not its sites': address a site by its own path), newest detected first. Keyset-paged: " +
    "pass `next_cursor` back as `cursor`; a page is stable under concurrent ingestion (no row repeated or skipped).",
  query: z.strictObject({
    status: csvOf(STATUSES).optional(),
    severity: csvOf(ALERT_SEVERITIES).optional(),
    source: sourceName.optional(),
    since: timestamp.optional().describe("detected_at at or after"),
    until: timestamp.optional().describe("detected_at before"),
    q: line(200, "q").optional().describe("Full-text search over title, description, host, rule and source"),
    cursor: cursorParam.optional(),
    limit: limitParam.optional(),
  }),
  success: { status: 200, schema: alertPageSchema },
  async handle(ctx, { query }) {
    const page = await refusalsAsProblems(() => listApiAlerts(ctx.tx, ctx.tenantId, { ...query, limit: query.limit ?? DEFAULT_LIMIT }));
    return { status: 200, body: page };
  },
});

export const getAlertEndpoint = defineEndpoint({
  method: "GET",
  path: "/alerts/{id}",
  scope: "alerts:read",
  tag: TAG,
  summary: "Get one alert",
  params: idParams,
  success: { status: 200, schema: apiAlertSchema },
  async handle(ctx, { params }) {
    const alert = await getApiAlert(ctx.tx, ctx.tenantId, params.id);
    if (!alert) throw notFound("alert");
    return { status: 200, body: alert };
  },
});

const CLOSE_STATUSES = ["resolved", "false_positive"] as const;
const reason = z
  .string()
  .trim()
  .min(3, "say why (at least 3 characters)")
  .max(1000)
  .refine((s) => !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(s), "reason cannot contain control characters");

const patchBody = z
  .strictObject({
    status: z.enum(["acknowledged", "in_progress", ...CLOSE_STATUSES]).optional(),
    reason: reason.optional().describe("Required when closing (resolved, false_positive); refused otherwise."),
    assignee_id: uuid.nullable().optional().describe("An analyst or admin of the tenant or of an MSSP above it; null unassigns."),
  })
  .refine((b) => b.status !== undefined || b.assignee_id !== undefined, { message: "change status or assignee_id" })
  .refine((b) => !(b.status && isClosed(b.status)) || b.reason !== undefined, { message: "closing needs a reason", path: ["reason"] })
  .refine((b) => b.reason === undefined || (b.status !== undefined && isClosed(b.status)), {
    message: "a reason goes with closing (status resolved or false_positive)",
    path: ["reason"],
  });

/** The page's refusals, by the status each should answer. */
function triageStatus(message: string): number {
  if (message === ALERT_NOT_FOUND) return 404;
  if (message.includes("is not enabled for")) return 403;
  if (message.startsWith("This alert is ") || message.includes("cannot be changed now")) return 409;
  return 422;
}

export const patchAlertEndpoint = defineEndpoint({
  method: "PATCH",
  path: "/alerts/{id}",
  scope: "alerts:triage",
  tag: TAG,
  summary: "Triage an alert",
  description:
    "Moves the alert along the triage workflow (new → acknowledged → in_progress → resolved | false_positive; closed → in_progress) " +
    "and/or assigns it, exactly as the portal's alert page does: the same rules, timeline entries, SLA clocks and audit rows. " +
    "A step the workflow does not allow from the current status is a 409.",
  params: idParams,
  body: patchBody,
  success: { status: 200, schema: apiAlertSchema },
  async handle(ctx, { params, body }) {
    await refusalsAsProblems(async () => {
      const current = await getApiAlert(ctx.tx, ctx.tenantId, params.id);
      if (!current) throw notFound("alert");
      await requireFeature(ctx.tx, ctx.tenantId, "features.alert_triage");
      const audit = (action: string, details: Record<string, unknown>) =>
        recordAudit(ctx.tx, {
          tenantId: ctx.tenantId,
          action,
          targetType: "alert",
          targetId: params.id,
          outcome: "success",
          details: { ...details, via: "api", key_id: ctx.principal.keyId },
          requestId: ctx.requestId,
        });
      if (body.status && body.status !== current.status) {
        const from = current.status as (typeof STATUSES)[number];
        if (!canTransition(from, body.status)) {
          throw new ApiProblem(409, "Conflict", `This alert is ${from}; it cannot move to ${body.status}.`, { from, to: body.status }, "transition-not-allowed");
        }
        const change: StatusChange = isClosed(body.status) ? { to: body.status, reason: body.reason! } : { to: body.status as "acknowledged" | "in_progress" };
        await triageAlert(ctx.tx, ctx.tenantId, params.id, { kind: "status", change });
        const action = body.status === "acknowledged" ? "alerts:acknowledge" : isClosed(body.status) ? "alerts:close" : "alerts:start";
        await audit(action, { from, to: body.status, ...(body.reason ? { reason: body.reason } : {}) });
      }
      if (body.assignee_id !== undefined && body.assignee_id !== current.assigned_to) {
        await triageAlert(ctx.tx, ctx.tenantId, params.id, { kind: "assign", assigneeId: body.assignee_id });
        await audit("alerts:assign", { from: current.assigned_to, to: body.assignee_id });
      }
    }, (r) => triageStatus(r.message));
    const after = await getApiAlert(ctx.tx, ctx.tenantId, params.id);
    if (!after) throw notFound("alert");
    return { status: 200, body: after };
  },
});

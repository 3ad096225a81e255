// Evaluating rules on the durable job engine (docs/workflows.md).
//
//   workflows:evaluate  queued by the statement trigger on public.alerts in
//                       the inserting transaction (so every insert path is
//                       covered and a rolled-back alert is never evaluated);
//                       runs the tenant's rules (the MSSP's first, down to the
//                       tenant's own) against the new alert.
//   workflows:escalate  queued by an evaluation for each matching rule with an
//                       escalation, run_at = the alert's arrival + N minutes,
//                       job key per (alert, rule): acts only if the alert is
//                       still not acknowledged.
//
// Each alert's work runs in one service-role transaction: the assignment
// (through lib/alerts/triage, the path a person's assignment takes, so the
// workflow trigger checks the assignee and the timeline records it), the
// notifications (lib/notify), the audit rows (actor: the rule, named in
// details.by_rule) and the rule-run row, whose key (alert, rule, stage)
// makes a retried job act once.
import type { Task } from "graphile-worker";
import { z } from "zod";
import type { Severity } from "@/drizzle/schema";
import { ActionRefusal } from "@/lib/actions/refusal";
import { triageAlert } from "@/lib/alerts/triage";
import { recordAuditAs } from "@/lib/audit/record";
import type { Claims } from "@/lib/db/claims";
import { withServiceRole } from "@/lib/db/service-role";
import { refuseAfterCommit, type Db, type TenantTx } from "@/lib/db/with-tenant";
import { tenantQueue } from "@/lib/jobs/queue";
import { registerEngineTask } from "@/lib/jobs/worker";
import { log, safeError } from "@/lib/log";
import { brandOfTenant } from "@/lib/branding/resolve";
import { enqueueMail, workflowAlertMail } from "@/lib/mail";
import { queueNotification, type AlertSummary } from "@/lib/notify/queue";
import { primaryDomainSql } from "@/lib/domains/resolve";
import { publicOriginForTenant } from "@/lib/tenancy/origin";
import { featureEnabledAsService } from "@/lib/settings/enforce";
import { notifiableMembers, usableGroup } from "@/lib/groups/store";
import { defaultRecipients } from "./defaults";
import { ruleMatches, type AlertFacts, type RuleDefinition } from "./language";
import { toRule, type Rule } from "./store";

export const EVALUATE_TASK = "workflows:evaluate";
export const ESCALATE_TASK = "workflows:escalate";

interface AlertRow {
  tenant_id: string;
  tenant_name: string;
  tenant_slug: string;
  id: string;
  title: string;
  severity: Severity;
  source: string;
  hostname: string | null;
  rule_name: string | null;
  status: string;
  acknowledged_at: Date | null;
  assigned_to: string | null;
  assigned_group_id: string | null;
  created_at: Date;
  detected_at: Date;
  asset_criticality: string | null;
  /** The tenant's primary custom domain, if any (links go there). */
  custom_domain: string | null;
}

async function loadAlert(db: Db, tenantId: string, alertId: string): Promise<AlertRow | null> {
  const { rows } = await db.$client.query<AlertRow>(
    `select a.tenant_id, t.name as tenant_name, t.slug as tenant_slug, a.id, a.title, a.severity, a.source, a.hostname, a.rule_name,
            a.status, a.acknowledged_at, a.assigned_to, a.assigned_group_id, a.created_at, a.detected_at, s.criticality as asset_criticality,
            ${primaryDomainSql("a.tenant_id")} as custom_domain
       from public.alerts a
       join public.tenants t on t.id = a.tenant_id
       left join public.assets s on s.tenant_id = a.tenant_id and s.id = a.asset_id
      where a.tenant_id = $1 and a.id = $2
      for update of a`,
    [tenantId, alertId],
  );
  return rows[0] ?? null;
}

export function factsOf(a: Pick<AlertRow, "severity" | "source" | "title" | "hostname" | "rule_name" | "asset_criticality">): AlertFacts {
  return { severity: a.severity, source: a.source, title: a.title, hostname: a.hostname, detectionRule: a.rule_name, assetCriticality: a.asset_criticality };
}

function alertLink(a: AlertRow): string | null {
  try {
    return `${publicOriginForTenant(a.tenant_slug, a.custom_domain)}/alerts/${a.id}`;
  } catch {
    return null;
  }
}

function summaryOf(a: AlertRow): AlertSummary {
  return {
    tenantId: a.tenant_id,
    tenantName: a.tenant_name,
    id: a.id,
    title: a.title,
    severity: a.severity,
    source: a.source,
    hostname: a.hostname,
    status: a.status,
    detectedAt: new Date(a.detected_at).toISOString(),
    link: alertLink(a),
  };
}

/** The rules that apply to a tenant (its own and its ancestors'), enabled, in order. */
export async function effectiveRules(db: Db, tenantId: string): Promise<Rule[]> {
  const { rows } = await db.$client.query(`select * from workflows.rules_for($1) where enabled`, [tenantId]);
  return rows.map((r) => toRule(r, tenantId)).filter((r) => r.definition !== null);
}

export interface ActionResult {
  action: "assign" | "notify" | "escalate";
  result: "done" | "refused" | "scheduled" | "skipped";
  message: string;
}

/** The service-role transaction as the TenantTx lib/alerts/triage expects (no person: the timeline's actor is empty, the audit row names the rule). */
function asTx(db: Db): TenantTx {
  return { db, client: db.$client, claims: { role: "service_role" } as unknown as Claims, afterCommit: refuseAfterCommit };
}

async function assign(db: Db, a: AlertRow, rule: Rule, assigneeId: string, stage: "match" | "escalation"): Promise<ActionResult> {
  await db.$client.query("savepoint rule_assign");
  try {
    await triageAlert(asTx(db), a.tenant_id, a.id, { kind: "assign", assigneeId });
    await db.$client.query("release savepoint rule_assign");
  } catch (error) {
    await db.$client.query("rollback to savepoint rule_assign");
    const message = error instanceof ActionRefusal ? error.message : "the assignment failed";
    await recordAuditAs(db, null, {
      tenantId: a.tenant_id,
      action: "alert.assigned",
      targetType: "alert",
      targetId: a.id,
      outcome: "failure",
      details: { by_rule: rule.id, rule_name: rule.name, rule_version: rule.version, stage, assignee: assigneeId },
    });
    if (!(error instanceof ActionRefusal)) log.warn({ event: "workflows.assign-failed", alertId: a.id, ruleId: rule.id, err: safeError(error) }, "rule assignment failed");
    return { action: "assign", result: "refused", message };
  }
  await recordAuditAs(db, null, {
    tenantId: a.tenant_id,
    action: "alert.assigned",
    targetType: "alert",
    targetId: a.id,
    outcome: "success",
    details: { by_rule: rule.id, rule_name: rule.name, rule_version: rule.version, stage, assignee: assigneeId },
  });
  return { action: "assign", result: "done", message: `assigned to ${assigneeId}` };
}

/**
 * Gives the alert a group (lib/groups) through the triage path, as a person's
 * assignment goes: the database checks the group is of the alert's tenant or
 * an ancestor and writes the timeline entry. The group's members who may be
 * assigned the alert each get one outbox message (lib/mail), in this
 * transaction. One audit row, outcome failure when refused.
 */
async function assignGroup(db: Db, a: AlertRow, rule: Rule, groupId: string, stage: "match" | "escalation"): Promise<ActionResult> {
  const base = { by_rule: rule.id, rule_name: rule.name, rule_version: rule.version, stage, group: groupId };
  const group = await usableGroup(db.$client, a.tenant_id, groupId);
  let refusal: string | null = group ? null : "the group no longer exists here";
  let mailed = 0;
  if (group) {
    await db.$client.query("savepoint rule_group");
    try {
      await triageAlert(asTx(db), a.tenant_id, a.id, { kind: "group", group: { tenantId: group.tenantId, id: group.id } });
      const summary = summaryOf(a);
      for (const m of await notifiableMembers(db.$client, group, a.tenant_id)) {
        await enqueueMail(db, {
          to: m.email,
          tenantId: a.tenant_id,
          message: workflowAlertMail({ reason: stage === "match" ? "rule" : "escalation", tenantName: a.tenant_name, ruleName: rule.name, alert: summary, link: summary.link, brand: await brandOfTenant(a.tenant_id) }),
        });
        mailed++;
      }
      await db.$client.query("release savepoint rule_group");
    } catch (error) {
      await db.$client.query("rollback to savepoint rule_group");
      mailed = 0;
      refusal = error instanceof ActionRefusal ? error.message : "the group assignment failed";
      if (!(error instanceof ActionRefusal)) log.warn({ event: "workflows.group-failed", alertId: a.id, ruleId: rule.id, err: safeError(error) }, "rule group assignment failed");
    }
  }
  await recordAuditAs(db, null, {
    tenantId: a.tenant_id,
    action: "alert.assigned",
    targetType: "alert",
    targetId: a.id,
    outcome: refusal ? "failure" : "success",
    details: { ...base, group_tenant: group?.tenantId ?? null, group_name: group?.name ?? null, ...(refusal ? {} : { mailed }) },
  });
  if (refusal) return { action: "assign", result: "refused", message: refusal };
  return { action: "assign", result: "done", message: `assigned to group "${group!.name}"${mailed ? `, ${mailed} member${mailed === 1 ? "" : "s"} mailed` : ""}` };
}

async function notify(db: Db, a: AlertRow, rule: Rule, channelIds: string[], reason: "rule" | "escalation"): Promise<ActionResult[]> {
  const out: ActionResult[] = [];
  for (const channelId of channelIds) {
    const { rows } = await db.$client.query<{ tenant_id: string; id: string; name: string; kind: "webhook" | "email"; recipients: string[]; enabled: boolean; tenant_name: string }>(
      `select c.tenant_id, c.id, c.name, c.kind, c.recipients, c.enabled, t.name as tenant_name
         from public.notification_channels c join public.tenants t on t.id = c.tenant_id
        where c.tenant_id = $1 and c.id = $2`,
      [rule.tenantId, channelId],
    );
    const c = rows[0];
    if (!c || !c.enabled) {
      out.push({ action: "notify", result: "refused", message: c ? `channel "${c.name}" is disabled` : "the channel no longer exists" });
      continue;
    }
    const ids = await queueNotification(db, {
      channel: { tenantId: c.tenant_id, id: c.id, kind: c.kind, recipients: c.recipients, tenantName: c.tenant_name },
      reason,
      alert: summaryOf(a),
      rule: { tenantId: rule.tenantId, id: rule.id, name: rule.name, version: rule.version },
    });
    await recordAuditAs(db, null, {
      tenantId: a.tenant_id,
      action: "alert.notified",
      targetType: "alert",
      targetId: a.id,
      outcome: "success",
      details: { by_rule: rule.id, rule_name: rule.name, rule_version: rule.version, stage: reason === "rule" ? "match" : "escalation", channel: c.id, channel_name: c.name, deliveries: ids.length },
    });
    out.push({ action: "notify", result: "done", message: `queued to "${c.name}"` });
  }
  return out;
}

/**
 * The alert tenant's default recipients from the settings registry
 * (lib/rules/defaults.ts): each default webhook gets a delivery like a
 * rule's own channel; each default address one outbox message. One audit
 * row names what was sent and what was skipped.
 */
async function notifyDefaults(db: Db, a: AlertRow, rule: Rule, reason: "rule" | "escalation"): Promise<ActionResult[]> {
  const d = await defaultRecipients(db, a.tenant_id);
  const out: ActionResult[] = [];
  let deliveries = 0;
  for (const c of d.webhooks) {
    deliveries += (
      await queueNotification(db, {
        channel: { tenantId: c.tenantId, id: c.id, kind: c.kind, recipients: c.recipients, tenantName: c.tenantName },
        reason,
        alert: summaryOf(a),
        rule: { tenantId: rule.tenantId, id: rule.id, name: rule.name, version: rule.version },
      })
    ).length;
    out.push({ action: "notify", result: "done", message: `queued to default channel "${c.name}"` });
  }
  const summary = summaryOf(a);
  for (const to of d.emails) {
    await enqueueMail(db, {
      to,
      tenantId: a.tenant_id,
      message: workflowAlertMail({ reason, tenantName: a.tenant_name, ruleName: rule.name, alert: summary, link: summary.link, brand: await brandOfTenant(a.tenant_id) }),
    });
  }
  if (d.emails.length > 0) out.push({ action: "notify", result: "done", message: `mailed ${d.emails.length} default recipient${d.emails.length === 1 ? "" : "s"}` });
  for (const id of d.skipped) out.push({ action: "notify", result: "refused", message: `default webhook ${id} is not an enabled webhook channel of the tenant that set it` });
  if (out.length === 0) out.push({ action: "notify", result: "done", message: "no default recipients are set" });
  await recordAuditAs(db, null, {
    tenantId: a.tenant_id,
    action: "alert.notified",
    targetType: "alert",
    targetId: a.id,
    outcome: d.skipped.length > 0 ? "failure" : "success",
    details: {
      by_rule: rule.id,
      rule_name: rule.name,
      rule_version: rule.version,
      stage: reason === "rule" ? "match" : "escalation",
      defaults: true,
      channels: d.webhooks.map((c) => c.id),
      deliveries,
      emails: d.emails.length,
      skipped: d.skipped,
    },
  });
  return out;
}

/** Records the stage; false when it was recorded before (a retried job: do nothing twice). */
async function claimStage(db: Db, a: AlertRow, rule: Rule, stage: "match" | "escalation"): Promise<boolean> {
  const { rowCount } = await db.$client.query(
    `insert into public.workflow_rule_runs (tenant_id, alert_id, rule_tenant_id, rule_id, rule_version, stage, outcome)
     values ($1, $2, $3, $4, $5, $6, 'applied') on conflict do nothing`,
    [a.tenant_id, a.id, rule.tenantId, rule.id, rule.version, stage],
  );
  return rowCount === 1;
}

async function finishStage(db: Db, a: AlertRow, rule: Rule, stage: "match" | "escalation", results: ActionResult[], outcome: "applied" | "skipped" | "failed") {
  await db.$client.query(`update public.workflow_rule_runs set actions = $5, outcome = $6 where tenant_id = $1 and alert_id = $2 and rule_id = $3 and stage = $4`, [
    a.tenant_id,
    a.id,
    rule.id,
    stage,
    JSON.stringify(results),
    outcome,
  ]);
}

/**
 * The escalation job of one rule for one alert, in the tenant's queue (fairness between tenants), at
 * the default priority 0: due at its time, ahead of the tenant's own backlog of evaluations.
 * "replace" moves a pending one to `due` (the rule's delay changed since it was queued).
 */
async function scheduleEscalation(db: Db, a: { tenant_id: string; id: string }, rule: { tenantId: string; id: string }, due: Date, mode: "preserve_run_at" | "replace") {
  await db.$client.query(
    `select graphile_worker.add_job(identifier => $1, payload => $2::json, run_at => $3, max_attempts => 5,
            job_key => $4, job_key_mode => $6, queue_name => $5)`,
    [ESCALATE_TASK, JSON.stringify({ tenantId: a.tenant_id, alertId: a.id, ruleTenantId: rule.tenantId, ruleId: rule.id }), due, `workflows:escalate:${a.id}:${rule.id}`, tenantQueue(a.tenant_id), mode],
  );
}

export function escalationDue(createdAt: Date, d: RuleDefinition): Date | null {
  return d.escalation ? new Date(createdAt.getTime() + d.escalation.afterMinutes * 60_000) : null;
}

export interface Evaluation {
  matched: { ruleId: string; name: string; results: ActionResult[] }[];
}

/** Runs every applicable rule against one alert, once. */
export async function evaluateAlert(tenantId: string, alertId: string): Promise<Evaluation> {
  return withServiceRole("workflows.engine", async (db) => {
    const a = await loadAlert(db, tenantId, alertId);
    if (!a) return { matched: [] };
    // features.workflows off for the alert's tenant: no rule (its own or an ancestor's) acts on it.
    if (!(await featureEnabledAsService(db, tenantId, "features.workflows"))) return { matched: [] };
    const facts = factsOf(a);
    const matched: Evaluation["matched"] = [];
    for (const rule of await effectiveRules(db, tenantId)) {
      const d = rule.definition!;
      if (!ruleMatches(d, facts)) continue;
      if (!(await claimStage(db, a, rule, "match"))) continue;
      const results: ActionResult[] = [];
      // Someone took it before the rules ran (a backlog): acknowledged or further, or given to a person
      // or a group. Their triage stands, for the person and the group alike (the row is locked since
      // loadAlert, which read it before any rule acted, so a later rule still overrides an earlier one).
      const taken = a.status !== "new" || a.assigned_to !== null || a.assigned_group_id !== null;
      const left: ActionResult = { action: "assign", result: "skipped", message: "already taken by a person: left as it is" };
      if (d.actions.assignTo) results.push(taken ? left : await assign(db, a, rule, d.actions.assignTo, "match"));
      if (d.actions.assignGroup) results.push(taken ? left : await assignGroup(db, a, rule, d.actions.assignGroup, "match"));
      results.push(...(await notify(db, a, rule, d.actions.notify, "rule")));
      if (d.actions.notifyDefaults) results.push(...(await notifyDefaults(db, a, rule, "rule")));
      const due = escalationDue(new Date(a.created_at), d);
      if (due) {
        await scheduleEscalation(db, a, rule, due, "preserve_run_at");
        results.push({ action: "escalate", result: "scheduled", message: `escalates at ${due.toISOString()} unless acknowledged` });
      }
      await finishStage(db, a, rule, "match", results, results.some((r) => r.result === "refused") ? "failed" : "applied");
      matched.push({ ruleId: rule.id, name: rule.name, results });
    }
    return { matched };
  });
}

export type EscalationOutcome = "escalated" | "acknowledged" | "not-due" | "rule-gone" | "done-before" | "alert-gone" | "feature-off";

/** The escalation of one rule for one alert: acts only if the alert is still not acknowledged at `now`. */
export async function escalateAlert(job: { tenantId: string; alertId: string; ruleTenantId: string; ruleId: string }, now = new Date()): Promise<EscalationOutcome> {
  return withServiceRole("workflows.engine", async (db) => {
    const a = await loadAlert(db, job.tenantId, job.alertId);
    if (!a) return "alert-gone";
    // Turned off after the alert arrived: the pending escalation does nothing.
    if (!(await featureEnabledAsService(db, job.tenantId, "features.workflows"))) return "feature-off";
    const rule = (await effectiveRules(db, job.tenantId)).find((r) => r.id === job.ruleId && r.tenantId === job.ruleTenantId);
    if (!rule?.definition?.escalation) return "rule-gone";
    const due = escalationDue(new Date(a.created_at), rule.definition)!;
    // Not yet: the rule's delay was raised since the job was queued (or hosts' clocks differ). The job
    // is queued again for the new time, not retried into failure.
    if (now.getTime() < due.getTime()) {
      await scheduleEscalation(db, a, rule, due, "replace");
      return "not-due";
    }
    if (!(await claimStage(db, a, rule, "escalation"))) return "done-before";
    if (a.acknowledged_at !== null || a.status !== "new") {
      await finishStage(db, a, rule, "escalation", [], "skipped");
      return "acknowledged";
    }
    const e = rule.definition.escalation;
    const results: ActionResult[] = [];
    if (e.assignTo) results.push(await assign(db, a, rule, e.assignTo, "escalation"));
    if (e.assignGroup) results.push(await assignGroup(db, a, rule, e.assignGroup, "escalation"));
    results.push(...(await notify(db, a, rule, e.notify, "escalation")));
    if (e.notifyDefaults) results.push(...(await notifyDefaults(db, a, rule, "escalation")));
    await finishStage(db, a, rule, "escalation", results, results.some((r) => r.result === "refused") ? "failed" : "applied");
    return "escalated";
  });
}

const evaluatePayload = z.object({ tenantId: z.string().uuid(), alertId: z.string().uuid() });
const escalatePayload = evaluatePayload.extend({ ruleTenantId: z.string().uuid(), ruleId: z.string().uuid() });

const evaluateTask: Task = async (payload) => {
  const p = evaluatePayload.safeParse(payload);
  if (!p.success) return void log.error({ event: "workflows.bad-payload" }, "an evaluate job does not name an alert; dropped");
  await evaluateAlert(p.data.tenantId, p.data.alertId);
};

const escalateTask: Task = async (payload) => {
  const p = escalatePayload.safeParse(payload);
  if (!p.success) return void log.error({ event: "workflows.bad-payload" }, "an escalate job does not name an alert and rule; dropped");
  // "not-due" queued it again for its time (escalateAlert); this run ends.
  await escalateAlert(p.data);
};

let registered = false;
export function registerWorkflowTasks(): void {
  if (registered) return;
  registered = true;
  registerEngineTask(EVALUATE_TASK, evaluateTask);
  registerEngineTask(ESCALATE_TASK, escalateTask);
}

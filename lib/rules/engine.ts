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
// makes a retried job act once. What each action does is in rule-actions.ts.
import type { Task } from "graphile-worker";
import { z } from "zod";
import { withServiceRole } from "@/lib/db/service-role";
import type { Db } from "@/lib/db/with-tenant";
import { tenantQueue } from "@/lib/jobs/queue";
import { registerEngineTask } from "@/lib/jobs/worker";
import { log } from "@/lib/log";
import { primaryDomainSql } from "@/lib/domains/resolve";
import { featureEnabledAsService } from "@/lib/settings/enforce";
import { ruleMatches, type AlertFacts, type RuleDefinition } from "./language";
import { assign, assignGroup, notify, notifyDefaults, type ActionResult, type AlertRow } from "./rule-actions";
import { toRule, type Rule } from "./store";

export type { ActionResult } from "./rule-actions";

export const EVALUATE_TASK = "workflows:evaluate";
export const ESCALATE_TASK = "workflows:escalate";

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

/** The rules that apply to a tenant (its own and its ancestors'), enabled, in order. */
export async function effectiveRules(db: Db, tenantId: string): Promise<Rule[]> {
  const { rows } = await db.$client.query(`select * from workflows.rules_for($1) where enabled`, [tenantId]);
  return rows.map((r) => toRule(r, tenantId)).filter((r) => r.definition !== null);
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

// What a matching rule does to one alert (lib/rules/engine.ts runs these in
// the alert's service-role transaction): assign it to a person or a group
// through the triage path a person's assignment takes, notify the rule's
// channels, or the tenant's default recipients. Each writes its audit row
// (actor: the rule, named in details.by_rule) and answers an ActionResult
// the rule-run row keeps.
import type { Severity } from "@/drizzle/schema";
import { ActionRefusal } from "@/lib/actions/refusal";
import { triageAlert } from "@/lib/alerts/triage";
import { recordAuditAs } from "@/lib/audit/record";
import type { Claims } from "@/lib/db/claims";
import { refuseAfterCommit, type Db, type TenantTx } from "@/lib/db/with-tenant";
import { log, safeError } from "@/lib/log";
import { brandOfTenant } from "@/lib/branding/resolve";
import { enqueueMail, workflowAlertMail } from "@/lib/mail";
import { queueNotification, type AlertSummary } from "@/lib/notify/queue";
import { publicOriginForTenant } from "@/lib/tenancy/origin";
import { notifiableMembers, usableGroup } from "@/lib/groups/store";
import { defaultRecipients } from "./defaults";
import type { Rule } from "./store";

/** The alert a rule acts on, as lib/rules/engine.ts loads it (locked for the evaluation). */
export interface AlertRow {
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

export interface ActionResult {
  action: "assign" | "notify" | "escalate";
  result: "done" | "refused" | "scheduled" | "skipped";
  message: string;
}

/** The service-role transaction as the TenantTx lib/alerts/triage expects (no person: the timeline's actor is empty, the audit row names the rule). */
function asTx(db: Db): TenantTx {
  return { db, client: db.$client, claims: { role: "service_role" } as unknown as Claims, afterCommit: refuseAfterCommit };
}

export async function assign(db: Db, a: AlertRow, rule: Rule, assigneeId: string, stage: "match" | "escalation"): Promise<ActionResult> {
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
export async function assignGroup(db: Db, a: AlertRow, rule: Rule, groupId: string, stage: "match" | "escalation"): Promise<ActionResult> {
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

export async function notify(db: Db, a: AlertRow, rule: Rule, channelIds: string[], reason: "rule" | "escalation"): Promise<ActionResult[]> {
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
export async function notifyDefaults(db: Db, a: AlertRow, rule: Rule, reason: "rule" | "escalation"): Promise<ActionResult[]> {
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

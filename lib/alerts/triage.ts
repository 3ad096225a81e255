// Triage changes to alerts, inside the caller's transaction (the server
// actions in lib/actions/alerts call these after the PDP said yes). RLS
// decides which alerts exist for the caller; the database's workflow trigger
// decides which changes are allowed (transitions, close reason, assignee) and
// records the timeline. This module turns its refusals into sentences.
import type pg from "pg";
import type { AlertStatus } from "@/drizzle/schema";
import { ActionRefusal } from "@/lib/actions/refusal";
import { checkActionsForEach, principalFromClaims, type TenantResource } from "@/lib/authz";
import type { TenantTx } from "@/lib/db/with-tenant";
import { sqlState } from "@/lib/db/sql-state";
import { STATUS_LABELS } from "./labels";
import { isClosed } from "./workflow";
import { featureOn } from "@/lib/settings/enforce";
import { effectiveConfigs } from "@/lib/settings/resolve";

/** Foreign, unknown and invisible alerts all read the same: existence is not revealed. */
export const ALERT_NOT_FOUND = "That alert is not here: it may have been removed, or it belongs to a tenant you cannot work in. Nothing was changed.";

export interface TriageAlert {
  tenantId: string;
  id: string;
  status: AlertStatus;
  assignedTo: string | null;
  /** The alert's group (lib/groups), by id; undefined where the caller did not read it. */
  assignedGroupId?: string | null;
}

export type StatusChange =
  | { to: "acknowledged" | "in_progress" }
  | { to: "resolved" | "false_positive"; reason: string };

export type TriageChange =
  /** `shown`: the status the person's page showed; the change is refused if the alert has moved on since. */
  | { kind: "status"; change: StatusChange; shown?: AlertStatus }
  | { kind: "assign"; assigneeId: string | null }
  /** A group of the alert's tenant or an ancestor (lib/groups), or null to clear it; the database checks the tenant. */
  | { kind: "group"; group: { tenantId: string; id: string } | null };

/** The alert under RLS, by its full key; null when the caller cannot see it. */
export async function findAlert(client: pg.ClientBase, tenantId: string, alertId: string): Promise<TriageAlert | null> {
  const { rows } = await client.query<{ tenant_id: string; id: string; status: AlertStatus; assigned_to: string | null; assigned_group_id: string | null }>(
    `select tenant_id, id, status, assigned_to, assigned_group_id from public.alerts where tenant_id = $1 and id = $2`,
    [tenantId, alertId],
  );
  const r = rows[0];
  return r ? { tenantId: r.tenant_id, id: r.id, status: r.status, assignedTo: r.assigned_to, assignedGroupId: r.assigned_group_id } : null;
}

async function requireAlert(tx: TenantTx, tenantId: string, alertId: string): Promise<TriageAlert> {
  const alert = await findAlert(tx.client, tenantId, alertId);
  if (!alert) throw new ActionRefusal(ALERT_NOT_FOUND);
  return alert;
}

export const GROUP_NOT_USABLE = "That group cannot be given this alert: only groups of its tenant, or of a tenant above it, can be. Nothing was changed.";

/** features.alert_triage off, as the database refuses it (migration 20261201031100): the actions ask first, so only a change of the setting meanwhile meets it. */
export const TRIAGE_OFF = "Alert triage is not enabled for this alert's tenant. Ask your MSSP to enable it; nothing was changed.";

const hintOf = (error: unknown) => {
  const e = error as { hint?: string; cause?: { hint?: string } };
  return e.hint ?? e.cause?.hint;
};

/** The sentence for a refusal by the workflow triggers, or null for any other error. */
export function refusalFor(error: unknown, alert: TriageAlert, change: TriageChange): string | null {
  if (sqlState(error) === "42501" && hintOf(error) === "alert_triage_off") return TRIAGE_OFF;
  if (sqlState(error) !== "23514") return null;
  const hint = hintOf(error);
  if (hint === "alert_transition" && change.kind === "status") {
    return `This alert is ${STATUS_LABELS[alert.status].toLowerCase()}; it cannot be moved to ${STATUS_LABELS[change.change.to].toLowerCase()}. Reload to see its current state.`;
  }
  if (hint === "alert_close_reason") return "Say why you are closing this alert: a reason is required.";
  if (hint === "alert_assignee") {
    return "That person cannot be assigned this alert: only analysts and admins of its tenant, or MSSP staff covering it, can be.";
  }
  if (hint === "alert_group") return GROUP_NOT_USABLE;
  return null;
}

const FROZEN = "This alert cannot be changed now (its tenant may be suspended). Nothing was changed.";

async function apply(client: pg.ClientBase, alert: TriageAlert, change: TriageChange): Promise<void> {
  if (change.kind === "group") {
    const { rowCount } = await client.query(
      `update public.alerts set assigned_group_tenant_id = $3, assigned_group_id = $4 where tenant_id = $1 and id = $2`,
      [alert.tenantId, alert.id, change.group?.tenantId ?? null, change.group?.id ?? null],
    );
    if (rowCount === 0) throw new ActionRefusal(FROZEN);
    return;
  }
  if (change.kind === "assign") {
    const { rowCount } = await client.query(`update public.alerts set assigned_to = $3 where tenant_id = $1 and id = $2`, [alert.tenantId, alert.id, change.assigneeId]);
    // Visible but not writable under RLS: a frozen tenant (the restrictive write policies).
    if (rowCount === 0) throw new ActionRefusal(FROZEN);
    return;
  }
  const reason = "reason" in change.change ? change.change.reason : null;
  // Only from the status just read: a colleague's change committed in between is not overwritten.
  const { rowCount } = await client.query(`update public.alerts set status = $3, close_reason = $4 where tenant_id = $1 and id = $2 and status = $5`, [
    alert.tenantId,
    alert.id,
    change.change.to,
    reason,
    alert.status,
  ]);
  // Changed by someone else this instant, or visible but not writable under RLS (a frozen tenant).
  if (rowCount === 0) throw new ActionRefusal("This alert cannot be changed now: it changed meanwhile, or its tenant is suspended. Reload to see it; nothing was changed.");
}

/** One alert, one change. Returns the alert as it was. */
export async function triageAlert(tx: TenantTx, tenantId: string, alertId: string, change: TriageChange): Promise<TriageAlert> {
  const alert = await requireAlert(tx, tenantId, alertId);
  if (change.kind === "assign" && alert.assignedTo === change.assigneeId) return alert;
  if (change.kind === "group" && alert.assignedGroupId === (change.group?.id ?? null)) return alert;
  if (change.kind === "status" && change.shown && change.shown !== alert.status) {
    throw new ActionRefusal(
      `This alert is ${STATUS_LABELS[alert.status].toLowerCase()} now: someone changed it after your page showed it ${STATUS_LABELS[change.shown].toLowerCase()}. Reload to see it; nothing was changed.`,
      { reason: "stale" },
    );
  }
  try {
    await apply(tx.client, alert, change);
  } catch (error) {
    const message = refusalFor(error, alert, change);
    if (message) throw new ActionRefusal(message);
    throw error;
  }
  return alert;
}

export async function commentOnAlert(tx: TenantTx, tenantId: string, alertId: string, body: string): Promise<string> {
  await requireAlert(tx, tenantId, alertId);
  await tx.client.query("savepoint alert_comment");
  try {
    const { rows } = await tx.client.query<{ id: string }>(
      `insert into public.alert_events (tenant_id, alert_id, kind, actor_id, body) values ($1, $2, 'comment', $3, $4) returning id`,
      [tenantId, alertId, tx.claims.sub, body],
    );
    await tx.client.query("release savepoint alert_comment");
    return rows[0].id;
  } catch (error) {
    await tx.client.query("rollback to savepoint alert_comment");
    if (sqlState(error) === "42501" && hintOf(error) === "alert_triage_off") throw new ActionRefusal(TRIAGE_OFF);
    // The frozen tenant's restrictive insert policy: a refusal that says why, not a failure.
    if (sqlState(error) === "42501") throw new ActionRefusal("Comments cannot be added now (the alert's tenant may be suspended). Nothing was saved.");
    throw error;
  }
}

// ---------------------------------------------------------------------------
// Bulk: many alerts, one transaction, a result per alert
// ---------------------------------------------------------------------------

export const MAX_BULK = 100;

/** A selected alert that is not there for the caller under the list's scope (its tenant named by the form, so unproven). */
export const BULK_NOT_FOUND = "not found here";

export interface AlertKey {
  tenantId: string;
  alertId: string;
}

export interface BulkRowResult extends AlertKey {
  outcome: "changed" | "unchanged" | "refused";
  message?: string;
}

/**
 * Applies `change` to each alert under `scope` (the host's tenant, or the
 * MSSP on the console) that the caller can see and may triage (the PDP, per
 * alert tenant). Each row runs under a savepoint, so one the database refuses
 * is reported and the others still change; all of it commits together.
 */
export async function bulkTriage(tx: TenantTx, scope: TenantResource, keys: readonly AlertKey[], change: TriageChange): Promise<BulkRowResult[]> {
  const { rows } = await tx.client.query<{ tenant_id: string; id: string; status: AlertStatus; assigned_to: string | null; path: string; kind: TenantResource["kind"]; tstatus: TenantResource["status"] }>(
    `select a.tenant_id, a.id, a.status, a.assigned_to, t.path::text as path, t.kind, t.status as tstatus
       from public.alerts a
       join public.tenants t on t.id = a.tenant_id
      where (a.tenant_id, a.id) in (select * from unnest($1::uuid[], $2::uuid[]))
        and t.path operator(extensions.<@) $3::extensions.ltree
      order by a.tenant_id, a.id`,
    [keys.map((k) => k.tenantId), keys.map((k) => k.alertId), scope.path],
  );
  const tenants = new Map<string, TenantResource>();
  for (const r of rows) tenants.set(r.tenant_id, { id: r.tenant_id, path: r.path, kind: r.kind, status: r.tstatus });
  const allowed = tenants.size
    ? await checkActionsForEach(principalFromClaims(tx.claims), ["alerts:triage"], [...tenants.values()])
    : new Map<string, Record<"alerts:triage", boolean>>();
  const found = new Map(rows.map((r) => [`${r.tenant_id}:${r.id}`, r]));
  // features.alert_triage: a tenant that has not bought triage keeps its alerts as they are.
  const configs = await effectiveConfigs(tx, [...tenants.keys()]);

  const results: BulkRowResult[] = [];
  for (const key of keys) {
    const r = found.get(`${key.tenantId}:${key.alertId}`);
    if (!r) {
      results.push({ ...key, outcome: "refused", message: BULK_NOT_FOUND });
      continue;
    }
    if (!allowed.get(r.tenant_id)?.["alerts:triage"]) {
      results.push({ ...key, outcome: "refused", message: "you may not triage this tenant's alerts" });
      continue;
    }
    if (!featureOn(configs.get(r.tenant_id), "features.alert_triage")) {
      results.push({ ...key, outcome: "refused", message: "alert triage is not enabled for this tenant" });
      continue;
    }
    const alert: TriageAlert = { tenantId: r.tenant_id, id: r.id, status: r.status, assignedTo: r.assigned_to };
    if (
      (change.kind === "assign" && alert.assignedTo === change.assigneeId) ||
      (change.kind === "status" && alert.status === change.change.to)
    ) {
      results.push({ ...key, outcome: "unchanged" });
      continue;
    }
    await tx.client.query("savepoint bulk_row");
    try {
      await apply(tx.client, alert, change);
      await tx.client.query("release savepoint bulk_row");
      results.push({ ...key, outcome: "changed" });
    } catch (error) {
      await tx.client.query("rollback to savepoint bulk_row");
      const message = error instanceof ActionRefusal ? error.message : refusalFor(error, alert, change);
      if (message === null) throw error;
      results.push({ ...key, outcome: "refused", message });
    }
  }
  return results;
}

/** "3 acknowledged, 1 already was, 2 refused." */
export function summarizeBulk(results: readonly BulkRowResult[], done: string): string {
  const n = (o: BulkRowResult["outcome"]) => results.filter((r) => r.outcome === o).length;
  const parts = [`${n("changed")} ${done}`];
  if (n("unchanged")) parts.push(`${n("unchanged")} already ${n("unchanged") === 1 ? "was" : "were"}`);
  if (n("refused")) parts.push(`${n("refused")} not changed`);
  return `${parts.join(", ")}.`;
}

export { isClosed };

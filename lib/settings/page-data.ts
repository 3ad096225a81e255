// Everything the effective configuration page shows, loaded in the caller's
// transaction: the tenant (under RLS), what the PDP lets the caller do there
// (settings:view to see the page at all, settings:manage / settings:govern
// per setting, audit:view for the history), every setting with its value and
// source, and the last changes from the audit trail. Plain data: the
// components under components/settings render it.
import { and, asc, desc, eq, like, sql } from "drizzle-orm";
import { auditLog, tenants } from "@/drizzle/schema";
import { checkActions, checkActionsForEach, principalFromClaims, type TenantResource } from "@/lib/authz";
import type { TenantTx } from "@/lib/db/with-tenant";
import { formatValue, HISTORY_LIMIT, valueAsText } from "./format";
import { GROUP_LABELS, SETTING_GROUPS, settingDefinition, type SettingGroup, type SettingInput } from "./registry";
import { effectiveConfig, type SettingSource } from "./resolve";

export interface SettingRow {
  key: string;
  label: string;
  description: string;
  bounds: string;
  input: SettingInput;
  changedBy: "tenant" | "mssp";
  /** What acts on it today; null: stored and shown only (lib/settings/registry.ts). */
  enforcedBy: string | null;
  /** The value in words ("on", "15 minutes", "Europe/Paris"). */
  display: string;
  /** The value as a form field's text. */
  text: string;
  source: SettingSource;
  sourceName: string | null;
  lockedHere: boolean;
  lockedBy: { tenantName: string; who: string } | null;
  changedByName: string | null;
  changedAt: string | null;
  storedInvalid: boolean;
  /** What the caller may do with it here (PDP, lock and tenant state decided). */
  can: { edit: boolean; clear: boolean; lock: boolean; unlock: boolean };
  /** Why it cannot be edited, when the caller could otherwise: "Locked by …", "Suspended". */
  readOnlyReason: string | null;
}

export interface SettingsHistoryRow {
  at: string;
  actor: string | null;
  action: string;
  outcome: string;
  setting: string | null;
  label: string | null;
  summary: string;
}

export interface SettingsTenant extends TenantResource {
  slug: string;
  name: string;
}

export type SettingsPageData =
  | { allowed: false }
  | {
      allowed: true;
      tenant: SettingsTenant;
      /** Other tenants the caller may open this page for (tenant host: the tenant and its sites). */
      choices: SettingsTenant[];
      can: { manage: boolean; govern: boolean; history: boolean };
      groups: { group: SettingGroup; label: string; settings: SettingRow[] }[];
      history: SettingsHistoryRow[];
    };

const TENANT_COLUMNS = { id: tenants.id, slug: tenants.slug, name: tenants.name, path: tenants.path, kind: tenants.kind, status: tenants.status };



/**
 * The page for one tenant by slug (the console's customer page), or, with
 * `scope`, for a tenant picked among those at or below `scope` (a tenant's
 * own portal: the host tenant and its sites). The same answer, "not allowed",
 * for a tenant that does not exist and one the caller may not read.
 */
export async function loadSettingsPage(tx: TenantTx, opts: { slug?: string; scopeId?: string }): Promise<SettingsPageData> {
  const principal = principalFromClaims(tx.claims);
  let candidates: SettingsTenant[];
  if (opts.scopeId) {
    candidates = await tx.db
      .select(TENANT_COLUMNS)
      .from(tenants)
      .where(sql`${tenants.path} operator(extensions.<@) (select path from public.tenants where id = ${opts.scopeId})`)
      .orderBy(asc(tenants.path));
  } else {
    candidates = await tx.db.select(TENANT_COLUMNS).from(tenants).where(eq(tenants.slug, opts.slug ?? "")).limit(1);
  }
  const viewable = await checkActionsForEach(principal, ["settings:view"], candidates);
  const choices = candidates.filter((t) => viewable.get(t.id)?.["settings:view"]);
  const tenant = choices.find((t) => t.slug === opts.slug) ?? choices.find((t) => t.id === opts.scopeId) ?? null;
  if (!tenant) return { allowed: false };

  const can = await checkActions(principal, ["settings:manage", "settings:govern", "audit:view"], tenant);
  const config = await effectiveConfig(tx, tenant.id);
  if (!config) return { allowed: false };
  const frozen = tenant.status !== "active";

  const rows: SettingRow[] = config.settings.map((s) => {
    const d = s.definition;
    const right = d.changedBy === "mssp" ? can["settings:manage"] && can["settings:govern"] : can["settings:manage"];
    const readOnlyReason = !right ? null : s.lockedBy ? `Locked by ${s.lockedBy.tenantName} (${s.lockedBy.who})` : frozen ? `${tenant.name} is ${tenant.status}` : null;
    const editable = right && readOnlyReason === null;
    return {
      key: s.key,
      label: d.label,
      description: d.description,
      bounds: d.bounds,
      input: d.input,
      changedBy: d.changedBy,
      enforcedBy: d.enforcedBy ?? null,
      display: formatValue(d, s.value),
      text: valueAsText(d, s.value),
      source: s.source,
      sourceName: s.sourceName,
      lockedHere: s.lockedHere,
      lockedBy: s.lockedBy ? { tenantName: s.lockedBy.tenantName, who: s.lockedBy.who } : null,
      changedByName: s.changedBy,
      changedAt: s.changedAt?.toISOString() ?? null,
      storedInvalid: s.storedInvalid,
      can: { edit: editable, clear: editable && s.source === "here", lock: editable && !s.lockedHere, unlock: editable && s.lockedHere },
      readOnlyReason,
    };
  });

  return {
    allowed: true,
    tenant,
    choices,
    can: { manage: can["settings:manage"], govern: can["settings:govern"], history: can["audit:view"] },
    groups: SETTING_GROUPS.map((g) => ({ group: g, label: GROUP_LABELS[g], settings: rows.filter((r) => settingDefinition(r.key)?.group === g) })),
    history: can["audit:view"] ? await settingsHistory(tx, tenant.id) : [],
  };
}

/** The tenant's last setting changes and refusals, newest first, from the audit trail (under RLS). */
export async function settingsHistory(tx: TenantTx, tenantId: string, limit = HISTORY_LIMIT): Promise<SettingsHistoryRow[]> {
  const rows = await tx.db
    .select({
      at: auditLog.occurredAt,
      actor: auditLog.actorEmail,
      action: auditLog.action,
      outcome: auditLog.outcome,
      targetId: auditLog.targetId,
      details: auditLog.details,
    })
    .from(auditLog)
    .where(and(eq(auditLog.tenantId, tenantId), like(auditLog.action, "setting.%")))
    .orderBy(desc(auditLog.occurredAt), desc(auditLog.seq))
    .limit(limit);
  return rows.map((r) => {
    const details = (r.details ?? {}) as Record<string, unknown>;
    const key = r.targetId ?? (typeof details.setting === "string" ? details.setting : null);
    const d = key ? settingDefinition(key) : undefined;
    return {
      at: new Date(r.at).toISOString(),
      actor: r.actor,
      action: r.action,
      outcome: r.outcome,
      setting: key,
      label: d?.label ?? key,
      summary: summarize(r.action, r.outcome, details, d),
    };
  });
}

function summarize(action: string, outcome: string, details: Record<string, unknown>, d: ReturnType<typeof settingDefinition>): string {
  const fmt = (v: unknown) => (d ? formatValue(d, v) : JSON.stringify(v));
  if (outcome !== "success") {
    const problem = typeof details.problem === "string" ? details.problem.replace(/_/g, " ") : String(details.reason ?? "refused");
    return `Refused (${problem})`;
  }
  switch (action) {
    case "setting.set":
      return `${fmt(details.from)} → ${fmt(details.to)}`;
    case "setting.cleared":
      return `Now inherits ${fmt(details.to)}`;
    case "setting.locked":
      return `Locked at ${fmt(details.value)}${Number(details.cleared_below) > 0 ? `; ${details.cleared_below} value(s) below removed` : ""}`;
    case "setting.unlocked":
      return "Unlocked";
    default:
      return action;
  }
}

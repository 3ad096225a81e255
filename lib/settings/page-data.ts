// Everything the effective configuration page shows, loaded in the caller's
// transaction: the tenant (under RLS), what the PDP lets the caller do there
// (settings:view to see the page at all, settings:manage / settings:govern
// per setting, audit:view for the history), every setting with its value and
// source, and the last changes from the audit trail. Plain data: the
// components under components/settings render it. The history's times come
// formatted in the page's zone (lib/locale): the host tenant's
// locale.time_zone, the MSSP's on the console, named after each time.
import { and, asc, desc, eq, like, sql } from "drizzle-orm";
import { auditLog, tenants } from "@/drizzle/schema";
import { checkActions, checkActionsForEach, principalFromClaims, type TenantResource } from "@/lib/authz";
import { hidesBrandHistory, hidesBrandValue, isProvider, PROVIDER_DEFAULT, PROVIDER_NAME, PROVIDER_STAFF, providerStaff, type ProviderMask } from "@/lib/branding/mask";
import type { TenantTx } from "@/lib/db/with-tenant";
import { DEFAULT_TIME_ZONE, formatTimeWithZone } from "@/lib/locale/time";
import { viewerTimeZone } from "@/lib/locale/viewer-zone";
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
  /** The value is the hidden provider's (white-labelled host): `display` already says "Provider default". */
  valueHidden: boolean;
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
  /** ISO 8601, UTC. */
  at: string;
  /** `at` as the page shows it: in the page's zone, followed by the zone's name. */
  when: string;
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
      can: { manage: boolean; govern: boolean; history: boolean; brand: boolean };
      /** Who "the MSSP" is on this host: "your provider" where its brand is hidden (lib/branding/mask.ts). */
      providerLabel: string;
      groups: { group: SettingGroup; label: string; settings: SettingRow[] }[];
      history: SettingsHistoryRow[];
      /** The zone the history's times are in: the page's tenant's (the host's; the caller's MSSP's on the console), not the viewed tenant's. */
      timeZone: string;
    };

const TENANT_COLUMNS = { id: tenants.id, slug: tenants.slug, name: tenants.name, path: tenants.path, kind: tenants.kind, status: tenants.status };



/**
 * The page for one tenant by slug (the console's customer page), or, with
 * `scope`, for a tenant picked among those at or below `scope` (a tenant's
 * own portal: the host tenant and its sites). The same answer, "not allowed",
 * for a tenant that does not exist and one the caller may not read.
 * `mask`: the host hides the MSSP's brand (lib/branding/mask.ts): values from
 * the provider are said to come from "your provider", its brand values are
 * not shown, its staff are "Provider staff".
 * `scopeId` is the host's tenant on a tenant host; without it (the console)
 * the times are in the caller's MSSP's zone.
 */
export async function loadSettingsPage(tx: TenantTx, opts: { slug?: string; scopeId?: string; mask?: ProviderMask | null }): Promise<SettingsPageData> {
  const mask = opts.mask ?? null;
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

  const can = await checkActions(principal, ["settings:manage", "settings:govern", "audit:view", "branding:manage"], tenant);
  const config = await effectiveConfig(tx, tenant.id);
  if (!config) return { allowed: false };
  const frozen = tenant.status !== "active";
  // Under a mask, the values set here by the provider's staff (the white-label flag, what the MSSP sells) name no one.
  const staffKeys = mask ? await providerStaffKeys(tx, tenant.id, mask) : new Set<string>();

  const rows: SettingRow[] = config.settings.map((s) => {
    const d = s.definition;
    const right = d.changedBy === "mssp" ? can["settings:manage"] && can["settings:govern"] : can["settings:manage"];
    const lockedBy = s.lockedBy ? (isProvider(mask, s.lockedBy.tenantId) ? { tenantName: PROVIDER_NAME, who: "" } : { tenantName: s.lockedBy.tenantName, who: s.lockedBy.who }) : null;
    const readOnlyReason = !right ? null : lockedBy ? `Locked by ${lockedBy.tenantName}${lockedBy.who ? ` (${lockedBy.who})` : ""}` : frozen ? `${tenant.name} is ${tenant.status}` : null;
    const hidden = hidesBrandValue(mask, s);
    const fromProvider = isProvider(mask, s.sourceTenantId);
    const editable = right && readOnlyReason === null;
    return {
      key: s.key,
      label: d.label,
      description: d.description,
      bounds: d.bounds,
      input: d.input,
      changedBy: d.changedBy,
      enforcedBy: d.enforcedBy ?? null,
      display: hidden ? PROVIDER_DEFAULT : formatValue(d, s.value),
      valueHidden: hidden,
      text: hidden ? "" : valueAsText(d, s.value),
      source: s.source,
      sourceName: fromProvider ? PROVIDER_NAME : s.sourceName,
      lockedHere: s.lockedHere,
      lockedBy,
      changedByName: fromProvider || staffKeys.has(s.key) ? PROVIDER_STAFF : s.changedBy,
      changedAt: s.changedAt?.toISOString() ?? null,
      storedInvalid: s.storedInvalid,
      can: { edit: editable, clear: editable && s.source === "here", lock: editable && !s.lockedHere, unlock: editable && s.lockedHere },
      readOnlyReason,
    };
  });

  // Only the history shows times: without audit:view the zone is not read.
  const timeZone = can["audit:view"] ? await viewerTimeZone(tx, opts.scopeId) : DEFAULT_TIME_ZONE;
  return {
    allowed: true,
    tenant,
    choices,
    can: { manage: can["settings:manage"], govern: can["settings:govern"], history: can["audit:view"], brand: can["branding:manage"] },
    providerLabel: mask ? PROVIDER_NAME : "the MSSP",
    groups: SETTING_GROUPS.map((g) => ({ group: g, label: GROUP_LABELS[g], settings: rows.filter((r) => settingDefinition(r.key)?.group === g) })),
    history: can["audit:view"] ? await settingsHistory(tx, tenant.id, undefined, mask, timeZone) : [],
    timeZone,
  };
}

/** The keys of the tenant's own values last changed by the provider's staff. */
async function providerStaffKeys(tx: TenantTx, tenantId: string, mask: ProviderMask): Promise<Set<string>> {
  const { rows } = await tx.client.query<{ key: string; changed_by: string | null }>("select key, changed_by from public.tenant_settings where tenant_id = $1", [tenantId]);
  const staff = await providerStaff(mask, rows.map((r) => r.changed_by));
  return new Set(rows.filter((r) => r.changed_by && staff.has(r.changed_by)).map((r) => r.key));
}

/** The tenant's last setting changes and refusals, newest first, from the audit trail (under RLS); `timeZone`: the zone `when` is in. */
export async function settingsHistory(
  tx: TenantTx,
  tenantId: string,
  limit = HISTORY_LIMIT,
  mask: ProviderMask | null = null,
  timeZone: string = DEFAULT_TIME_ZONE,
): Promise<SettingsHistoryRow[]> {
  const rows = await tx.db
    .select({
      at: auditLog.occurredAt,
      actorId: auditLog.actorId,
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
  const staff = await providerStaff(mask, rows.map((r) => r.actorId));
  return rows.map((r) => {
    const details = (r.details ?? {}) as Record<string, unknown>;
    const key = r.targetId ?? (typeof details.setting === "string" ? details.setting : null);
    const d = key ? settingDefinition(key) : undefined;
    const at = new Date(r.at);
    return {
      at: at.toISOString(),
      when: formatTimeWithZone(at, timeZone),
      actor: r.actorId && staff.has(r.actorId) ? PROVIDER_STAFF : r.actor,
      action: r.action,
      outcome: r.outcome,
      setting: key,
      label: d?.label ?? key,
      summary: hidesBrandHistory(mask, key) ? summarizeHidden(r.action, r.outcome, details, d) : summarize(r.action, r.outcome, details, d),
    };
  });
}

/** A brand setting's change under a mask: what this tenant set, never the value it replaced (it may be the provider's). */
function summarizeHidden(action: string, outcome: string, details: Record<string, unknown>, d: ReturnType<typeof settingDefinition>): string {
  if (outcome !== "success" || action === "setting.unlocked") return summarize(action, outcome, details, d);
  const fmt = (v: unknown) => (d ? formatValue(d, v) : JSON.stringify(v));
  switch (action) {
    case "setting.set":
      return `Set to ${fmt(details.to)}`;
    case "setting.cleared":
      return "Now inherits the value above";
    case "setting.locked":
      return `Locked at ${fmt(details.value)}`;
    default:
      return action;
  }
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

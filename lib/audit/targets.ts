// Names for audit targets. An audit row stores what it acted on as a type and
// an id (a UUID, mostly); the audit pages show the thing's name instead,
// looked up at read time in the caller's own transaction, so RLS decides which
// names the reader may see (a row the reader may not see, or one since
// deleted, falls back to what the event's details recorded, else the type and a
// short id). Nothing here changes what is stored or hashed (lib/audit/verify.ts).
import { sql } from "drizzle-orm";
import type { Db } from "@/lib/db/with-tenant";
import { invoiceNumber } from "@/lib/billing";

/** Where each target type's name lives: a fixed table and label expression (never from input). */
const SOURCES: Record<string, { from: string; label: string }> = {
  tenant: { from: "public.tenants", label: "name" },
  user: { from: "public.users", label: "email" },
  credential: { from: "public.credentials", label: "name" },
  invitation: { from: "public.invitations", label: "email" },
  api_key: { from: "public.api_keys", label: "name" },
  api_client: { from: "public.api_keys", label: "name" },
  notification_channel: { from: "public.notification_channels", label: "name" },
  workflow_rule: { from: "public.workflow_rules", label: "name" },
  assignee_group: { from: "public.assignee_groups", label: "name" },
  billing_plan: { from: "public.billing_plans", label: "name" },
  billing_invoice: { from: "public.billing_invoices", label: "kind || ':' || coalesce(number::text, '')" },
  alert: { from: "public.alerts", label: "title" },
  collector: { from: "public.collectors", label: "name" },
  alert_filter: { from: "public.alert_saved_filters", label: "name" },
  job: { from: "public.jobs", label: "kind" },
  custom_domain: { from: "public.custom_domains", label: "domain" },
  // "Executive report, PDF, from 2026-11-01"
  report: { from: "public.reports", label: "initcap(kind) || ' report, ' || upper(format) || ', from ' || to_char(period_start at time zone 'UTC', 'YYYY-MM-DD')" },
  // "Executive report, PDF, weekly"
  report_schedule: { from: "public.report_schedules", label: "initcap(kind) || ' report, ' || upper(format) || ', ' || cadence" },
  // "Setting security.require_mfa on 12 tenants", "Suspend on 3 tenants"
  bulk_run: {
    from: "public.bulk_runs",
    label:
      "case operation when 'setting' then 'Setting ' || coalesce(params ->> 'key', '') when 'plan' then 'Billing plan' when 'rotate_keys' then 'Key rotation' else initcap(operation) end || ' on ' || total || case when total = 1 then ' tenant' else ' tenants' end",
  },
};

/** How each target type reads in the table ("credential", "API key"). */
export const TARGET_TYPE_LABELS: Record<string, string> = {
  tenant: "Tenant",
  user: "User",
  credential: "Credential",
  invitation: "Invitation",
  api_key: "API key",
  api_client: "API key",
  notification_channel: "Channel",
  workflow_rule: "Rule",
  assignee_group: "Group",
  billing_plan: "Plan",
  billing_plan_assignment: "Plan assignment",
  billing_invoice: "Invoice",
  alert: "Alert",
  alerts: "Alerts",
  assets: "Assets",
  collector: "Collector",
  alert_filter: "Saved view",
  job: "Job",
  setting: "Setting",
  custom_domain: "Domain",
  report: "Report",
  report_schedule: "Report schedule",
  bulk_run: "Bulk run",
  brand_assets: "Brand images",
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface TargetRef {
  targetType: string | null;
  targetId: string | null;
  details: Record<string, unknown>;
}

export interface TargetName {
  /** "Credential", "Tenant", … (or the raw type when unknown). */
  type: string | null;
  /** A human name: the thing's name, email, setting key, key version… */
  name: string;
}

const key = (type: string, id: string) => `${type}:${id.toLowerCase()}`;

/**
 * Looks up the names of the rows' targets, one query per target type present,
 * under the caller's RLS. Returns a map keyed by "type:id".
 */
export async function resolveTargetNames(db: Db, rows: TargetRef[]): Promise<Map<string, string>> {
  const byType = new Map<string, Set<string>>();
  for (const r of rows) {
    if (!r.targetType || !r.targetId || !SOURCES[r.targetType] || !UUID.test(r.targetId)) continue;
    const ids = byType.get(r.targetType) ?? new Set<string>();
    ids.add(r.targetId.toLowerCase());
    byType.set(r.targetType, ids);
  }
  const names = new Map<string, string>();
  for (const [type, ids] of byType) {
    const src = SOURCES[type];
    const result = await db.execute(
      sql`select id::text as id, ${sql.raw(src.label)} as label from ${sql.raw(src.from)} where id = any(${`{${[...ids].join(",")}}`}::uuid[])`,
    );
    for (const row of result.rows as Array<{ id: string; label: string | null }>) {
      if (!row.label) continue;
      let label = row.label;
      if (type === "billing_invoice") {
        const [kind, n] = label.split(":");
        label = invoiceNumber(kind, n ? Number(n) : null);
      }
      names.set(key(type, row.id), label);
    }
  }
  return names;
}

const str = (v: unknown): string | undefined => (typeof v === "string" && v.trim() ? v.trim() : undefined);
const num = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : undefined);

/**
 * Refs for the actors that are API keys (an API request's actor is its key, which has no email):
 * their names come back from resolveTargetNames with the targets'.
 */
export function keyActorRefs(rows: readonly { actorId: string | null; actorEmail: string | null }[]): TargetRef[] {
  return rows.filter((r) => r.actorId && !r.actorEmail).map((r) => ({ targetType: "api_key", targetId: r.actorId, details: {} }));
}

/** Who acted, for the table: their email, an API key's name, "system" for none, else a short id the reader cannot resolve. */
export function actorLabel(r: { actorId: string | null; actorEmail: string | null }, names: Map<string, string>): string {
  if (r.actorEmail) return r.actorEmail;
  if (!r.actorId) return "system";
  const keyName = names.get(key("api_key", r.actorId));
  return keyName ? `API key ${keyName}` : `${r.actorId.slice(0, 8)}… (not visible)`;
}

/** The target's display name, from the looked-up names, else the event's own details, else a short id. */
export function targetName(r: TargetRef, names: Map<string, string>): TargetName | null {
  if (!r.targetType && !r.targetId) return null;
  const type = r.targetType ? (TARGET_TYPE_LABELS[r.targetType] ?? r.targetType.replace(/_/g, " ")) : null;
  const d = r.details ?? {};
  let name: string | undefined;
  if (r.targetType === "setting") name = r.targetId ?? undefined;
  else if ((r.targetType === "alerts" || r.targetType === "assets") && r.targetId && /^\d+$/.test(r.targetId)) {
    name = `${r.targetId} ${r.targetType === "alerts" ? "alert" : "asset"}${r.targetId === "1" ? "" : "s"}`;
  } else if (r.targetType && r.targetId) name = names.get(key(r.targetType, r.targetId));
  name ??= str(d.name) ?? str(d.email) ?? str(d.slug);
  // Key rotations name the version they produced.
  const version = num(d.target_version) ?? num(d.kek_version);
  const versionLabel = version === undefined ? undefined : `${num(d.kek_version) !== undefined ? "KEK" : "key"} v${version}`;
  if (!name) name = r.targetId ? (UUID.test(r.targetId) ? `${r.targetId.slice(0, 8)}… (not visible)` : r.targetId) : "—";
  return { type, name: versionLabel ? `${name} · ${versionLabel}` : name };
}

// Alerts as the API shows them (GET /alerts, GET /alerts/{id}, PATCH's answer),
// read in the caller's withTenant transaction. Scope: the addressed tenant
// itself, not its sites: the gateway's PDP check (alerts:read) was made for
// that one tenant, and a site is addressed by its own path. RLS still decides
// whether the tenant's alerts exist for the caller at all.
import type { TenantTx } from "@/lib/db/with-tenant";
import { decodeAlertCursor, encodeAlertCursor } from "./cursor";
import { utcMicrosSql } from "@/lib/db/timestamps";

export interface ApiAlert {
  id: string;
  external_id: string | null;
  source: string;
  title: string;
  description: string;
  severity: string;
  status: string;
  rule_name: string | null;
  hostname: string | null;
  source_ip: string | null;
  asset_id: string | null;
  assigned_to: string | null;
  close_reason: string | null;
  has_raw_event: boolean;
  detected_at: string;
  created_at: string;
  updated_at: string;
  acknowledged_at: string | null;
  resolved_at: string | null;
}

export const ALERT_COLUMNS = `a.id, a.external_id, a.source, a.title, a.description, a.severity, a.status, a.rule_name, a.hostname,
  host(a.source_ip) as source_ip, a.asset_id, a.assigned_to, a.close_reason,
  exists (select 1 from public.alert_raw_events r where r.tenant_id = a.tenant_id and r.alert_id = a.id) as has_raw_event,
  ${utcMicrosSql("a.detected_at")} as detected_at, ${utcMicrosSql("a.created_at")} as created_at, ${utcMicrosSql("a.updated_at")} as updated_at,
  ${utcMicrosSql("a.acknowledged_at")} as acknowledged_at, ${utcMicrosSql("a.resolved_at")} as resolved_at`;

export interface AlertListQuery {
  status?: string[];
  severity?: string[];
  source?: string;
  since?: string;
  until?: string;
  q?: string;
  cursor?: string;
  limit: number;
}

export interface AlertPage {
  data: ApiAlert[];
  next_cursor: string | null;
}

/** Newest first by detected_at (then by id), keyset-paged. */
export async function listApiAlerts(tx: TenantTx, tenantId: string, query: AlertListQuery): Promise<AlertPage> {
  const params: unknown[] = [tenantId];
  const where = ["a.tenant_id = $1"];
  const p = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  if (query.status?.length) where.push(`a.status = any (${p(query.status)}::text[])`);
  if (query.severity?.length) where.push(`a.severity = any (${p(query.severity)}::text[])`);
  if (query.source) where.push(`a.source = ${p(query.source)}`);
  if (query.since) where.push(`a.detected_at >= ${p(query.since)}::timestamptz`);
  if (query.until) where.push(`a.detected_at < ${p(query.until)}::timestamptz`);
  if (query.q) where.push(`a.search @@ websearch_to_tsquery('english', ${p(query.q)})`);
  if (query.cursor) {
    const at = decodeAlertCursor(query.cursor);
    // The index's order (alerts_tenant_detected: detected_at desc, id asc).
    const ts = p(at.detectedAt);
    where.push(`(a.detected_at < ${ts}::timestamptz or (a.detected_at = ${ts}::timestamptz and a.id > ${p(at.id)}::uuid))`);
  }
  const limit = p(query.limit + 1);
  const { rows } = await tx.client.query<ApiAlert>(
    `select ${ALERT_COLUMNS} from public.alerts a where ${where.join(" and ")}
      order by a.detected_at desc, a.id limit ${limit}`,
    params,
  );
  const more = rows.length > query.limit;
  const data = more ? rows.slice(0, query.limit) : rows;
  const last = data[data.length - 1];
  return { data, next_cursor: more && last ? encodeAlertCursor({ detectedAt: last.detected_at, id: last.id }) : null };
}

/** One alert of the tenant; null when it does not exist for the caller (unknown, another tenant's, hidden by RLS). */
export async function getApiAlert(tx: TenantTx, tenantId: string, alertId: string): Promise<ApiAlert | null> {
  const { rows } = await tx.client.query<ApiAlert>(`select ${ALERT_COLUMNS} from public.alerts a where a.tenant_id = $1 and a.id = $2`, [
    tenantId,
    alertId,
  ]);
  return rows[0] ?? null;
}

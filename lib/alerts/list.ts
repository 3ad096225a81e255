// The alert list: paged, filterable by severity, status and (within the
// caller's scope) tenant. RLS bounds what exists; the filters only narrow it.
import { and, count, desc, eq, inArray, type SQL } from "drizzle-orm";
import { z } from "zod";
import { ALERT_STATUSES, alerts, SEVERITIES, tenants, type AlertStatus, type Severity } from "@/drizzle/schema";
import type { Db } from "@/lib/db/with-tenant";
import { tenantSlugSchema } from "@/lib/tenancy/slug";

export const ALERT_PAGE_SIZE = 25;

const filterSchema = z.object({
  severity: z.enum(SEVERITIES),
  status: z.enum(ALERT_STATUSES),
  tenant: tenantSlugSchema,
  page: z.coerce.number().int().min(1).max(100_000),
});

export interface AlertFilters {
  severity?: Severity;
  status?: AlertStatus;
  tenant?: string;
  page: number;
}

/**
 * Reads filters from URL search params. A value that does not parse is
 * dropped and reported, so a mistyped link shows a clear note and the
 * unfiltered list instead of an error page.
 */
export function parseAlertFilters(params: Record<string, string | string[] | undefined>): {
  filters: AlertFilters;
  problems: string[];
} {
  const filters: AlertFilters = { page: 1 };
  const problems: string[] = [];
  for (const key of ["severity", "status", "tenant", "page"] as const) {
    const raw = params[key];
    const value = Array.isArray(raw) ? raw[0] : raw;
    if (value === undefined || value === "") continue;
    const parsed = filterSchema.shape[key].safeParse(value);
    if (parsed.success) (filters as unknown as Record<string, unknown>)[key] = parsed.data;
    else problems.push(`Ignored ${key} "${value.slice(0, 40)}": not a valid ${key}.`);
  }
  return { filters, problems };
}

export interface AlertRow {
  id: string;
  tenantSlug: string;
  tenantName: string;
  title: string;
  severity: Severity;
  status: AlertStatus;
  source: string;
  hostname: string | null;
  detectedAt: Date;
}

export interface AlertPage {
  rows: AlertRow[];
  total: number;
  page: number;
  pageCount: number;
}

/**
 * The page is taken from alerts alone and only its rows are joined to their
 * tenants: joining first made the planner (which cannot size the RLS id list)
 * rescan the alerts index once per tenant for an MSSP operator (npm run bench).
 */
export async function listAlerts(db: Db, filters: AlertFilters, pageSize = ALERT_PAGE_SIZE): Promise<AlertPage> {
  const where: SQL[] = [];
  if (filters.severity) where.push(eq(alerts.severity, filters.severity));
  if (filters.status) where.push(eq(alerts.status, filters.status));
  if (filters.tenant) {
    // A filter, not a scope: RLS already bounds which tenants exist here.
    const [tenant] = await db.select({ id: tenants.id }).from(tenants).where(eq(tenants.slug, filters.tenant));
    if (!tenant) return { rows: [], total: 0, page: 1, pageCount: 1 };
    where.push(eq(alerts.tenantId, tenant.id));
  }
  const condition = where.length ? and(...where) : undefined;

  const [{ total }] = await db.select({ total: count() }).from(alerts).where(condition);
  const pageCount = Math.max(1, Math.ceil(total / pageSize));
  const page = Math.min(filters.page, pageCount);

  const pageRows = await db
    .select({
      id: alerts.id,
      tenantId: alerts.tenantId,
      title: alerts.title,
      severity: alerts.severity,
      status: alerts.status,
      source: alerts.source,
      hostname: alerts.hostname,
      detectedAt: alerts.detectedAt,
    })
    .from(alerts)
    .where(condition)
    .orderBy(desc(alerts.detectedAt), desc(alerts.id))
    .limit(pageSize)
    .offset((page - 1) * pageSize);

  const tenantIds = [...new Set(pageRows.map((r) => r.tenantId))];
  const names = tenantIds.length
    ? await db.select({ id: tenants.id, slug: tenants.slug, name: tenants.name }).from(tenants).where(inArray(tenants.id, tenantIds))
    : [];
  const byId = new Map(names.map((t) => [t.id, t]));
  const rows = pageRows.map(({ tenantId, ...r }) => ({
    ...r,
    tenantSlug: byId.get(tenantId)?.slug ?? "",
    tenantName: byId.get(tenantId)?.name ?? "",
  }));
  return { rows, total, page, pageCount };
}

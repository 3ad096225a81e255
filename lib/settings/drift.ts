// The drift report (console → Configuration): for each MSSP the caller
// operates, which of its customers differ from the MSSP's own effective
// configuration, setting by setting. An MSSP runs a thousand customers, so the
// report is a summary (how many customers differ, per setting) and one page of
// the customers that differ, most differences first, with a search and a
// setting filter in the URL (lib/settings/drift-query.ts); never every
// customer's every setting.
//
// How a difference is found without resolving every customer's configuration:
// a customer (a child of the MSSP) takes a setting's value from its own row
// unless the MSSP or a tenant above it locked the setting; otherwise it
// inherits, and inherits the MSSP's value. So a customer differs on a setting
// exactly when it has its own row for it, the setting is not locked at or
// above the MSSP, and that row's value, read as the registry reads it (a
// stored value that no longer passes the registry is its default:
// lib/settings/resolve.ts), is not the MSSP's effective value. The database
// groups the customers' own rows by (setting, value) and counts them; the few
// distinct values are judged here; the counts, the customers that differ and
// their page are then counted and read in SQL with the differing (setting,
// value) pairs as a parameter. The search matches the names and slugs of the
// customers read for the PDP (as lib/tenancy/tenant-filter.ts does); the
// statements take the matching ids.
//
// The PDP is asked settings:view for the MSSP and each customer in one
// batch (cached: lib/authz/decision-cache.ts); customers it refuses are left
// out (and counted). Everything runs under the caller's withTenant (RLS).
import { isDeepStrictEqual } from "node:util";
import { checkActionsForEach, principalFromClaims, type TenantResource } from "@/lib/authz";
import type { TenantTx } from "@/lib/db/with-tenant";
import { DEFAULT_DRIFT_QUERY, DRIFT_PAGE_SIZE, DRIFT_SETTINGS, type DriftQuery } from "./drift-query";
import { formatValue } from "./format";
import { GROUP_LABELS, type SettingDefinition, type SettingGroup } from "./registry";
import { effectiveConfigs, type EffectiveConfig } from "./resolve";

export { DRIFT_PAGE_SIZE, DEFAULT_DRIFT_QUERY, driftHref, parseDriftQuery, type DriftQuery } from "./drift-query";

interface DriftTenant extends TenantResource {
  slug: string;
  name: string;
}

export interface DriftSetting {
  key: string;
  label: string;
  group: SettingGroup;
  groupLabel: string;
  /** The MSSP's effective value, in words. */
  baseline: string;
  /** Locked at the MSSP or above: no customer can differ. */
  locked: boolean;
  /** Customers that differ on it (exact, counted in SQL). */
  differing: number;
}

export interface DriftCell {
  display: string;
  /** The customer locked it for its sites. */
  locked: boolean;
}

export interface DriftRow {
  slug: string;
  name: string;
  /** Settings it differs on. */
  count: number;
  /** Its value of each setting it differs on, by key. */
  cells: Record<string, DriftCell>;
}

export interface DriftReport {
  mssp: { id: string; slug: string; name: string };
  /** Customers compared (those the PDP lets the caller view). */
  customers: number;
  /** Customers left out because the PDP refused settings:view on them. */
  hidden: number;
  /** Every setting compared, with how many customers differ on it. */
  settings: DriftSetting[];
  /** Customers with at least one difference (whatever the search). */
  customersWithDrift: number;
  /** Of those, the ones matching the query's search and setting filter. */
  matching: number;
  /** One page of them, most differences first, then by name. */
  rows: DriftRow[];
  /** The query as served: the page clamped to the pages there are; a setting this MSSP has no drift on is kept (the page says so). */
  query: DriftQuery;
  pageCount: number;
  pageSize: number;
}

/** The MSSPs the caller holds a role on, by name. */
export const DRIFT_MSSPS_SQL = `select id, slug, name, path::text as path, kind, status from public.tenants where id = any ($1::uuid[]) order by name, id`;
/** The MSSP's ($1) customers, as the PDP is asked about them (exported for scripts/bench). */
export const DRIFT_CUSTOMERS_SQL = `select id, slug, name, path::text as path, kind, status from public.tenants where parent_id = $1`;
/**
 * The customers' ($1) own values of the settings compared ($2), grouped: each distinct value once,
 * with how many customers set it (exported for scripts/bench). value::text is the canonical jsonb
 * text, handed back as is to the statements below.
 */
export const DRIFT_VALUES_SQL = `select s.key, s.value::text as value, count(*)::int as n
   from public.tenant_settings s
  where s.tenant_id = any ($1::uuid[]) and s.key = any ($2::text[])
  group by s.key, s.value`;
/**
 * Per customer ($1, by name) with a differing value ($2 keys, $3 values, pairwise): how many settings
 * it differs on, and on setting $4. Shared by the count and the page below. No join with tenants:
 * probing tenants once per differing customer re-checks its policy's ~1,600 visible ids each time
 * (30 of 33 ms at 1,000 customers); the names are the ones already read for the PDP.
 */
const DIFFERING = `select s.tenant_id, count(*)::int as n, count(*) filter (where s.key = $4)::int as on_setting
     from public.tenant_settings s
     join unnest ($2::text[], $3::text[]) as d(key, value) on d.key = s.key and s.value = d.value::jsonb
    where s.tenant_id = any ($1::uuid[])
    group by s.tenant_id`;
/** Matches the query: $5 the customers whose name or slug matches the search (null: no search), $4 the setting. */
const MATCHES = `($5::uuid[] is null or x.tenant_id = any ($5::uuid[])) and ($4::text is null or x.on_setting > 0)`;
/** How many customers differ at all, and how many of them match the search ($5) and setting ($4) (exported for scripts/bench). */
export const DRIFT_COUNT_SQL = `select count(*)::int as drifting, (count(*) filter (where ${MATCHES}))::int as matching
   from (${DIFFERING}) x`;
/** One page ($6 rows from $7) of those matching, most differences first, then by name ($1's order) (exported for scripts/bench). */
export const DRIFT_PAGE_SQL = `select x.tenant_id, x.n
   from (${DIFFERING}) x
  where ${MATCHES}
  order by x.n desc, array_position ($1::uuid[], x.tenant_id)
  limit $6 offset $7`;
/** The differing values ($2, $3) of the page's customers ($1). */
export const DRIFT_CELLS_SQL = `select s.tenant_id, s.key, s.value, s.locked
   from public.tenant_settings s
   join unnest ($2::text[], $3::text[]) as d(key, value) on d.key = s.key and s.value = d.value::jsonb
  where s.tenant_id = any ($1::uuid[])`;

/** One report per MSSP the caller holds a role on; empty when they operate none or may view none. */
export async function loadDriftReports(tx: TenantTx, query: DriftQuery = DEFAULT_DRIFT_QUERY): Promise<DriftReport[]> {
  const msspIds = [...new Set(tx.claims.tenants.filter((m) => m.kind === "mssp").map((m) => m.tenant_id))];
  if (msspIds.length === 0) return [];
  const { rows: mssps } = await tx.client.query<DriftTenant>(DRIFT_MSSPS_SQL, [msspIds]);
  const reports: DriftReport[] = [];
  for (const mssp of mssps) {
    const report = await driftFor(tx, mssp, query);
    if (report) reports.push(report);
  }
  return reports;
}

/** A stored value as the registry reads it (resolve.ts): one that no longer passes is the default. */
function effectiveOf(definition: SettingDefinition, stored: unknown): unknown {
  const parsed = definition.schema.safeParse(stored);
  return parsed.success ? parsed.data : definition.default;
}

/** By name, then slug: the page's order among customers with as many differences (exported for scripts/bench). */
export function customersByName<T extends { name: string; slug: string }>(customers: readonly T[]): T[] {
  return [...customers].sort((a, b) => a.name.localeCompare(b.name, "en") || a.slug.localeCompare(b.slug));
}

export interface DriftValues {
  /** The MSSP's effective configuration (the baseline). */
  base: EffectiveConfig;
  /** Whether a setting is locked at the MSSP or above: every customer then takes the MSSP's value. */
  lockedAbove: (key: string) => boolean;
  /** The settings compared: DRIFT_SETTINGS less those locked at the MSSP or above. */
  compared: SettingDefinition[];
  /** The (setting, value) pairs that differ from the baseline; value: the canonical jsonb text. */
  differing: { key: string; value: string }[];
  /** Customers that differ, per setting. */
  perSetting: Map<string, number>;
}

/**
 * Which of the customers' ($2, ids) own values differ from the MSSP's ($1) effective ones: the
 * distinct (setting, value) pairs, judged as the registry reads them (exported for scripts/bench,
 * which times the statements that take them).
 */
export async function differingValues(tx: TenantTx, msspId: string, customerIds: readonly string[]): Promise<DriftValues | null> {
  const base = (await effectiveConfigs(tx, [msspId])).get(msspId);
  if (!base) return null;
  const lockedAbove = (key: string) => {
    const s = base.get(key);
    return s.lockedHere || s.lockedBy !== null;
  };
  const compared = DRIFT_SETTINGS.filter((d) => !lockedAbove(d.key));
  const differing: { key: string; value: string }[] = [];
  const perSetting = new Map<string, number>();
  if (customerIds.length > 0 && compared.length > 0) {
    const { rows } = await tx.client.query<{ key: string; value: string; n: number }>(DRIFT_VALUES_SQL, [customerIds, compared.map((d) => d.key)]);
    for (const r of rows) {
      const d = compared.find((c) => c.key === r.key)!;
      if (isDeepStrictEqual(effectiveOf(d, JSON.parse(r.value)), base.get(d.key).value)) continue;
      differing.push({ key: r.key, value: r.value });
      perSetting.set(r.key, (perSetting.get(r.key) ?? 0) + r.n);
    }
  }
  return { base, lockedAbove, compared, differing, perSetting };
}

async function driftFor(tx: TenantTx, mssp: DriftTenant, query: DriftQuery): Promise<DriftReport | null> {
  const { rows: customers } = await tx.client.query<DriftTenant>(DRIFT_CUSTOMERS_SQL, [mssp.id]);
  const allowed = await checkActionsForEach(principalFromClaims(tx.claims), ["settings:view"], [mssp, ...customers]);
  if (!allowed.get(mssp.id)?.["settings:view"]) return null;
  const shown = customersByName(customers.filter((c) => allowed.get(c.id)?.["settings:view"]));
  const visible = shown.map((c) => c.id);
  const values = await differingValues(tx, mssp.id, visible);
  if (!values) return null;
  const { base, lockedAbove, compared, differing, perSetting } = values;
  const settings: DriftSetting[] = DRIFT_SETTINGS.map((d) => ({
    key: d.key,
    label: d.label,
    group: d.group,
    groupLabel: GROUP_LABELS[d.group],
    baseline: formatValue(d, base.get(d.key).value),
    locked: lockedAbove(d.key),
    differing: perSetting.get(d.key) ?? 0,
  }));

  const report = {
    mssp: { id: mssp.id, slug: mssp.slug, name: mssp.name },
    customers: visible.length,
    hidden: customers.length - visible.length,
    settings,
    pageSize: DRIFT_PAGE_SIZE,
  };
  if (differing.length === 0) return { ...report, customersWithDrift: 0, matching: 0, rows: [], query: { ...query, page: 1 }, pageCount: 1 };

  // The search (part of a name or slug, any case) picks among the customers read for the PDP.
  const needle = query.q?.toLocaleLowerCase("en") ?? null;
  const searched = needle === null ? null : shown.filter((c) => c.name.toLocaleLowerCase("en").includes(needle) || c.slug.includes(needle)).map((c) => c.id);
  const pairs = [visible, differing.map((d) => d.key), differing.map((d) => d.value), query.setting, searched];
  const { rows: [count] } = await tx.client.query<{ drifting: number; matching: number }>(DRIFT_COUNT_SQL, pairs);
  const pageCount = Math.max(1, Math.ceil(count.matching / DRIFT_PAGE_SIZE));
  const page = Math.min(query.page, pageCount);
  const { rows: listed } =
    count.matching === 0
      ? { rows: [] }
      : await tx.client.query<{ tenant_id: string; n: number }>(DRIFT_PAGE_SQL, [...pairs, DRIFT_PAGE_SIZE, (page - 1) * DRIFT_PAGE_SIZE]);
  const byId = new Map(shown.map((c) => [c.id, c]));
  const cells = new Map<string, Record<string, DriftCell>>(listed.map((r) => [r.tenant_id, {}]));
  if (listed.length > 0) {
    const { rows } = await tx.client.query<{ tenant_id: string; key: string; value: unknown; locked: boolean }>(DRIFT_CELLS_SQL, [listed.map((r) => r.tenant_id), pairs[1], pairs[2]]);
    for (const r of rows) {
      const d = compared.find((c) => c.key === r.key)!;
      cells.get(r.tenant_id)![r.key] = { display: formatValue(d, effectiveOf(d, r.value)), locked: r.locked };
    }
  }
  return {
    ...report,
    customersWithDrift: count.drifting,
    matching: count.matching,
    rows: listed.map((r) => ({ slug: byId.get(r.tenant_id)!.slug, name: byId.get(r.tenant_id)!.name, count: r.n, cells: cells.get(r.tenant_id)! })),
    query: { ...query, page },
    pageCount,
  };
}

// The drift report (console → Configuration): for each MSSP the caller
// operates, which of its customers differ from the MSSP's own effective
// configuration, setting by setting. One query resolves every customer
// (settings.effective over all of them); the PDP is asked settings:view for
// the MSSP and each customer in one batch, and customers it refuses are left
// out (and counted).
import { isDeepStrictEqual } from "node:util";
import { asc, eq, inArray } from "drizzle-orm";
import { tenants } from "@/drizzle/schema";
import { checkActionsForEach, principalFromClaims, type TenantResource } from "@/lib/authz";
import type { TenantTx } from "@/lib/db/with-tenant";
import { formatValue } from "./format";
import { GROUP_LABELS, SETTINGS, type SettingGroup } from "./registry";
import { effectiveConfigs } from "./resolve";

// Settings that describe a customer (its industry, its brand) are meant to differ from the
// MSSP's: they are not drift, and would bury the configuration that does drift.
const DESCRIBES_THE_CUSTOMER: readonly SettingGroup[] = ["profile", "branding"];

interface DriftTenant extends TenantResource {
  slug: string;
  name: string;
}

export interface DriftCell {
  slug: string;
  name: string;
  display: string;
  /** here: the customer set it; inherited: a value set between (not possible for customers today) or a lock. */
  source: "here" | "inherited" | "default";
  locked: boolean;
}

export interface DriftSetting {
  key: string;
  label: string;
  group: SettingGroup;
  groupLabel: string;
  /** The MSSP's effective value, in words. */
  baseline: string;
  differing: DriftCell[];
}

export interface DriftReport {
  mssp: { id: string; slug: string; name: string };
  /** Customers compared (those the PDP lets the caller view). */
  customers: number;
  /** Customers left out because the PDP refused settings:view on them. */
  hidden: number;
  /** Every setting, with the customers that differ (empty when none). */
  settings: DriftSetting[];
  /** Customers with at least one difference, most first. */
  customersWithDrift: { slug: string; name: string; count: number }[];
}

const COLUMNS = { id: tenants.id, slug: tenants.slug, name: tenants.name, path: tenants.path, kind: tenants.kind, status: tenants.status };

/** One report per MSSP the caller holds a role on; empty when they operate none or may view none. */
export async function loadDriftReports(tx: TenantTx): Promise<DriftReport[]> {
  const msspIds = [...new Set(tx.claims.tenants.filter((m) => m.kind === "mssp").map((m) => m.tenant_id))];
  if (msspIds.length === 0) return [];
  const mssps: DriftTenant[] = await tx.db.select(COLUMNS).from(tenants).where(inArray(tenants.id, msspIds)).orderBy(asc(tenants.name));
  const reports: DriftReport[] = [];
  for (const mssp of mssps) {
    const report = await driftFor(tx, mssp);
    if (report) reports.push(report);
  }
  return reports;
}

async function driftFor(tx: TenantTx, mssp: DriftTenant): Promise<DriftReport | null> {
  const customers: DriftTenant[] = await tx.db.select(COLUMNS).from(tenants).where(eq(tenants.parentId, mssp.id)).orderBy(asc(tenants.name));
  const allowed = await checkActionsForEach(principalFromClaims(tx.claims), ["settings:view"], [mssp, ...customers]);
  if (!allowed.get(mssp.id)?.["settings:view"]) return null;
  const visible = customers.filter((c) => allowed.get(c.id)?.["settings:view"]);
  const configs = await effectiveConfigs(tx, [mssp.id, ...visible.map((c) => c.id)]);
  const base = configs.get(mssp.id);
  if (!base) return null;

  const counts = new Map<string, number>();
  const settings: DriftSetting[] = SETTINGS.filter((d) => !DESCRIBES_THE_CUSTOMER.includes(d.group)).map((d) => {
    const baseline = base.get(d.key).value;
    const differing: DriftCell[] = [];
    for (const c of visible) {
      const s = configs.get(c.id)?.get(d.key);
      if (!s || isDeepStrictEqual(s.value, baseline)) continue;
      differing.push({ slug: c.slug, name: c.name, display: formatValue(d, s.value), source: s.source, locked: s.lockedHere });
      counts.set(c.id, (counts.get(c.id) ?? 0) + 1);
    }
    return { key: d.key, label: d.label, group: d.group, groupLabel: GROUP_LABELS[d.group], baseline: formatValue(d, baseline), differing };
  });
  const customersWithDrift = visible
    .filter((c) => counts.has(c.id))
    .map((c) => ({ slug: c.slug, name: c.name, count: counts.get(c.id)! }))
    .sort((a, b) => b.count - a.count || a.name.localeCompare(b.name));
  return {
    mssp: { id: mssp.id, slug: mssp.slug, name: mssp.name },
    customers: visible.length,
    hidden: customers.length - visible.length,
    settings,
    customersWithDrift,
  };
}

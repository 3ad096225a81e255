// The load bench's baseline (issue 13: "the same pages rendered without auth
// and RLS as the baseline ratio"): the tenant alert page's data loaded as the
// owner, with the explicit tenant filter instead of RLS, and no session, no
// PDP. It exists only for `npm run bench -- --only=load`, which starts the
// production server with BENCH_BASELINE_PAGES=1; without it (every real
// deployment) the proxy never routes to app/bench-baseline and this refuses
// to load anything (tests/bench-baseline.test.ts).
//
// Same work as loadAlertListPage where it can be the same: the visible
// tenants and their effective settings (SLA clocks), listAlerts with the
// tenant filter (its `scope` option, the bench's), the rows' names. Left out:
// the PDP questions and what only a triager sees (assignees, groups, saved
// filters), so the baseline does less than the real page, never more.
import { withServiceRole } from "@/lib/db/service-role";
import { effectiveConfigsAsService } from "@/lib/settings/resolve";
import { listAlerts, type AlertFilters } from "./list";
import type { AlertListPage } from "./page-data";
import { slaClocks } from "./sla";
import { slaTargetsFromConfigs } from "./sla-targets";
import { applyTenantFilter } from "@/lib/tenancy/tenant-filter";
import { timeZoneOf } from "@/lib/locale/time";

import { benchBaselineEnabled } from "./baseline-flag";

export { benchBaselineEnabled };

/** The tenant alert page's data for host `slug` without auth and RLS; null when disabled or no such tenant. */
export async function loadAlertListBaseline(slug: string, filters: AlertFilters, now: Date): Promise<{ name: string; data: AlertListPage } | null> {
  if (!benchBaselineEnabled()) return null;
  return withServiceRole("bench.baseline", async (db) => {
    const { rows: tenants } = await db.$client.query<{ id: string; slug: string; name: string; status: string }>(
      `select t.id, t.slug, t.name, t.status
         from public.tenants r join public.tenants t on t.path operator(extensions.<@) r.path
        where r.slug = $1
        order by t.path`,
      [slug],
    );
    const host = tenants.find((t) => t.slug === slug);
    if (!host) return null;
    const ids = tenants.map((t) => t.id);
    const configs = await effectiveConfigsAsService(db, ids);
    const { listed, ...tenantPicker } = applyTenantFilter(filters, tenants.filter((t) => t.status !== "deprovisioned").map((t) => ({ slug: t.slug, name: t.name })));
    const page = await listAlerts(db, listed, undefined, { scope: ids });
    const targets = slaTargetsFromConfigs(configs);
    const rows = page.rows.map((r) => {
      const t = targets.get(r.tenantId);
      return { ...r, sla: t ? slaClocks(r, t, now) : null, selectable: false };
    });
    return {
      name: host.name,
      data: {
        alerts: { ...page, rows },
        ...tenantPicker,
        scopeTenantId: host.id,
        canBulk: false,
        assignees: [],
        groups: [],
        savedFilters: [],
        filterBelow: [],
        timeZone: timeZoneOf(configs.get(host.id)),
      },
    };
  });
}

// The render floor's data (app/bench-baseline/[tenant]/alerts-render): each tenant's and filters'
// page loaded once, then kept for the process's life. Bench only (the same flag); never a cache of
// tenant data in a real deployment, where the flag is off and this loads nothing.
const kept = new Map<string, Promise<{ name: string; data: AlertListPage } | null>>();

/** loadAlertListBaseline's answer, loaded once per tenant and filters and then kept (the load bench's render floor). */
export function loadAlertListBaselineKept(slug: string, filters: AlertFilters, now: Date): Promise<{ name: string; data: AlertListPage } | null> {
  if (!benchBaselineEnabled()) return Promise.resolve(null);
  const key = `${slug}\n${JSON.stringify(filters)}`;
  let page = kept.get(key);
  if (!page) {
    page = loadAlertListBaseline(slug, filters, now);
    kept.set(key, page);
    page.catch(() => kept.delete(key));
  }
  return page;
}


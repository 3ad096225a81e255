// What the PDP lets the caller do with alerts, tenant by tenant (issue 10,
// item 6). RLS decides which alerts exist for the caller; the PDP decides
// whether they may be read and triaged there, so a tenant's own policy
// (policies/tenant.<path>.yaml) denying alerts:read hides its alerts even from
// people whose memberships let RLS show them. Pages ask here before reading.
import { checkActionsForEach, principalFromClaims, type TenantResource } from "@/lib/authz";
import type { TenantTx } from "@/lib/db/with-tenant";
import { featureOn } from "@/lib/settings/enforce";
import { effectiveConfigs, type EffectiveConfig } from "@/lib/settings/resolve";

export interface AlertAccess {
  /** Visible tenants whose alerts the caller may read. */
  readable: Set<string>;
  /** Visible tenants whose alerts the caller may triage (a subset of readable in practice, not assumed) and that have features.alert_triage on. */
  triage: Set<string>;
  /** Visible tenants the PDP denies alerts:read on: the list leaves their alerts out. */
  hidden: string[];
  /** Every visible tenant, in tree order, with its name (the page's tenant filter). */
  tenants: VisibleTenant[];
  /** Their effective settings, read once here for the page (SLA targets, features). */
  configs: Map<string, EffectiveConfig>;
}

export interface VisibleTenant extends TenantResource {
  slug: string;
  name: string;
}

async function visibleTenants(tx: TenantTx): Promise<VisibleTenant[]> {
  const { rows } = await tx.client.query<VisibleTenant>(
    `select id, path::text as path, kind, status, slug, name from public.tenants order by path`,
  );
  return rows;
}

/**
 * Visible tenants whose alerts the caller may read: what every alert count
 * (the console overview included) is limited to. One PDP question per 50
 * tenants; throws PdpUnavailable like every other check.
 */
export async function readableAlertTenants(tx: TenantTx): Promise<Set<string>> {
  const rows = await visibleTenants(tx);
  if (rows.length === 0) return new Set();
  const decisions = await checkActionsForEach(principalFromClaims(tx.claims), ["alerts:read"], rows);
  return new Set(rows.filter((t) => decisions.get(t.id)?.["alerts:read"]).map((t) => t.id));
}

/** One PDP question per 50 visible tenants (lib/authz batches), for both actions. */
export async function alertAccess(tx: TenantTx): Promise<AlertAccess> {
  const rows = await visibleTenants(tx);
  const readable = new Set<string>();
  const triage = new Set<string>();
  const hidden: string[] = [];
  if (rows.length === 0) return { readable, triage, hidden, tenants: rows, configs: new Map() };
  // features.alert_triage off: the PDP may allow it, but the tenant has not bought it, so no controls.
  // The PDP (HTTP) and the settings (this transaction's connection) are asked at the same time.
  const [decisions, configs] = await Promise.all([
    checkActionsForEach(principalFromClaims(tx.claims), ["alerts:read", "alerts:triage"], rows),
    effectiveConfigs(tx, rows.map((t) => t.id)),
  ]);
  for (const t of rows) {
    const d = decisions.get(t.id);
    if (d?.["alerts:read"]) readable.add(t.id);
    else hidden.push(t.id);
    if (d?.["alerts:triage"] && featureOn(configs.get(t.id), "features.alert_triage")) triage.add(t.id);
  }
  return { readable, triage, hidden, tenants: rows, configs };
}

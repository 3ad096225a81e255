// What the PDP lets the caller do with alerts, tenant by tenant (issue 10,
// item 6). RLS decides which alerts exist for the caller; the PDP decides
// whether they may be read and triaged there, so a tenant's own policy
// (policies/tenant.<path>.yaml) denying alerts:read hides its alerts even from
// people whose memberships let RLS show them. Pages ask here before reading.
import { namedStatement } from "@/lib/db/prepared";
import { checkActionsForEach, principalFromClaims, type TenantResource } from "@/lib/authz";
import type { TenantTx } from "@/lib/db/with-tenant";
import { featureOn } from "@/lib/settings/enforce";
import { effectiveConfigs, type EffectiveConfig } from "@/lib/settings/resolve";

export interface AlertAccess {
  /** Visible tenants whose alerts the caller may read. */
  readable: Set<string>;
  /** Visible tenants the PDP lets the caller triage on (a subset of readable in practice, not assumed); whether the tenant has features.alert_triage on is triageOn's. */
  triageAllowed: Set<string>;
  /** Visible tenants the PDP denies alerts:read on: the list leaves their alerts out. */
  hidden: string[];
  /** Every visible tenant, in tree order, with its name (the page's tenant filter). */
  tenants: VisibleTenant[];
}

/** Where triage controls show, and the settings read to decide it (SLA targets come from the same read). */
export interface TriageOn {
  /** Of the tenants asked: the PDP allows triage there and features.alert_triage is on. */
  triage: Set<string>;
  /** Their effective settings. */
  configs: Map<string, EffectiveConfig>;
}

export interface VisibleTenant extends TenantResource {
  slug: string;
  name: string;
}

// Named: each pooled connection parses and plans it once (lib/db/prepared.ts).
const VISIBLE_TENANTS = namedStatement("alerts.visible-tenants", `select id, path::text as path, kind, status, slug, name from public.tenants order by path`);

async function visibleTenants(tx: TenantTx): Promise<VisibleTenant[]> {
  const { rows } = await tx.client.query<VisibleTenant>(VISIBLE_TENANTS());
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
  const triageAllowed = new Set<string>();
  const hidden: string[] = [];
  if (rows.length === 0) return { readable, triageAllowed, hidden, tenants: rows };
  const decisions = await checkActionsForEach(principalFromClaims(tx.claims), ["alerts:read", "alerts:triage"], rows);
  for (const t of rows) {
    const d = decisions.get(t.id);
    if (d?.["alerts:read"]) readable.add(t.id);
    else hidden.push(t.id);
    if (d?.["alerts:triage"]) triageAllowed.add(t.id);
  }
  return { readable, triageAllowed, hidden, tenants: rows };
}

/**
 * The effective settings of only the tenants a page shows (its rows' and its
 * scope's; an MSSP admin sees 1,617 customers, and reading all their settings
 * took 73-89 ms of the console's alert page), and which of them take triage:
 * features.alert_triage off means the PDP may allow it, but the tenant has not
 * bought it, so no controls.
 */
export async function triageOn(tx: TenantTx, access: AlertAccess, tenantIds: Iterable<string>): Promise<TriageOn> {
  const configs = await effectiveConfigs(tx, [...new Set(tenantIds)]);
  const triage = new Set([...configs].filter(([id, c]) => access.triageAllowed.has(id) && featureOn(c, "features.alert_triage")).map(([id]) => id));
  return { triage, configs };
}

// Everything the alert list page shows, with the PDP asked first: alerts:read
// per visible tenant (a denied tenant's alerts are left out; a denied host
// tenant refuses the page), alerts:triage for the bulk controls and per row.
import { AuthorizationError } from "@/lib/authz";
import type { TenantTx } from "@/lib/db/with-tenant";
import { tenantTimeZone } from "@/lib/locale/viewer-zone";
import { scopeTenantIdOf } from "@/lib/tenancy/scope-tenant";
import { alertAccess, triageOn } from "./access";
import type { Assignee } from "./detail";
import { alertListChoices } from "./list-choices";
import { listAlerts, type AlertFilters, type AlertPage, type AlertRow } from "./list";
import type { SavedFilter } from "./saved-filters";
import type { UsableGroup } from "@/lib/groups/store";
import { slaClocks, type SlaClocks } from "./sla";
import { slaTargetsFromConfigs } from "./sla-targets";
import { applyTenantFilter, type TenantFilterState } from "@/lib/tenancy/tenant-filter";

export interface AlertListRow extends AlertRow {
  sla: SlaClocks | null;
  /** The PDP allows triage on this row's tenant. */
  selectable: boolean;
}

export interface AlertListPage extends TenantFilterState {
  alerts: Omit<AlertPage, "rows"> & { rows: AlertListRow[] };
  /** The tenant bulk actions and saved filters belong to: the host's, or the caller's MSSP on the console. */
  scopeTenantId: string;
  canBulk: boolean;
  assignees: Assignee[];
  /** The group filter's choices: groups of the scope tenant and above (lib/groups). */
  groups: UsableGroup[];
  savedFilters: SavedFilter[];
  /**
   * The tenant filter names one tenant, and it has sites (or other tenants below it) the caller may
   * read: the filter is exact, so the page names them as links (the dashboard's scope takes the
   * whole subtree, which surprised people comparing the two).
   */
  filterBelow: { slug: string; name: string }[];
  /** The zone the rows' times are shown in: the scope tenant's locale.time_zone (lib/locale/time.ts). */
  timeZone: string;
}

/**
 * `hostTenantId`: the tenant host's tenant, or null on the console. Throws
 * AuthorizationError when the PDP denies alerts:read on the host's tenant (or,
 * on the console, everywhere).
 */
export async function loadAlertListPage(tx: TenantTx, filters: AlertFilters, hostTenantId: string | null, now: Date): Promise<AlertListPage> {
  const access = await alertAccess(tx);
  const scopeTenantId = scopeTenantIdOf(tx, hostTenantId);
  if (!scopeTenantId || (hostTenantId ? !access.readable.has(hostTenantId) : access.readable.size === 0)) {
    throw new AuthorizationError("alerts:read", hostTenantId ?? "console");
  }
  // The tenant filter's choices (names only) and the tenant ?tenant= names (lib/tenancy/tenant-filter.ts).
  const pickable = access.tenants.filter((t) => t.status !== "deprovisioned" && access.readable.has(t.id));
  const { listed, ...tenantPicker } = applyTenantFilter(
    filters,
    pickable.map((t) => ({ slug: t.slug, name: t.name })),
  );
  // The day filter covers the days of the zone the rows' times are shown in. The scope's settings are
  // read once per render (the layout has read them already; lib/settings/resolve.ts).
  const timeZone = await tenantTimeZone(tx, scopeTenantId);
  const page = await listAlerts(tx.db, listed, undefined, {
    me: tx.claims.sub,
    timeZone,
    hiddenTenantIds: access.hidden,
    readableTenantIds: [...access.readable],
    readableIsEveryVisible: access.hidden.length === 0,
    // The rows' tenant names from the tenants alertAccess already read (no second tenants query).
    tenantNames: new Map(access.tenants.map((t) => [t.id, { slug: t.slug, name: t.name }])),
  });
  // The settings of the rows' tenants and the scope's only, in one read: the SLA targets and where triage is on.
  const on = await triageOn(tx, access, [scopeTenantId, ...page.rows.map((r) => r.tenantId)]);
  const targets = slaTargetsFromConfigs(on.configs);
  const rows = page.rows.map((r) => {
    const t = targets.get(r.tenantId);
    return { ...r, sla: t ? slaClocks(r, t, now) : null, selectable: on.triage.has(r.tenantId) };
  });
  const canBulk = on.triage.has(scopeTenantId);
  // The pickers, the group filter and the saved filters in one round trip (lib/alerts/list-choices.ts).
  const pickers = await alertListChoices(tx, scopeTenantId, canBulk);
  // The filter's tenants below the chosen one, from the same choices (readable, not deprovisioned).
  const chosenSlug = tenantPicker.tenantFilter?.chosen?.slug;
  const chosen = chosenSlug ? pickable.find((t) => t.slug === chosenSlug) : undefined;
  const filterBelow = chosen ? pickable.filter((t) => t.path.startsWith(`${chosen.path}.`)).map((t) => ({ slug: t.slug, name: t.name })) : [];
  return {
    alerts: { ...page, rows },
    ...tenantPicker,
    filterBelow,
    scopeTenantId,
    canBulk,
    assignees: pickers.assignees,
    groups: pickers.groups,
    savedFilters: pickers.savedFilters,
    timeZone,
  };
}

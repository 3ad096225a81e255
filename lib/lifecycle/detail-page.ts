// One tenant's lifecycle page in the console: its state, plan, members, keys,
// data size, isolation resources and workflows (step timelines), and which
// lifecycle actions the PDP allows on it. The tenant is read under RLS (a slug
// the caller cannot see is the same null as one that does not exist); key
// and row counts come through the service role only after the PDP allowed a
// lifecycle action on it.
import { checkActions, isPdpUnavailable, principalFromClaims } from "@/lib/authz";
import { withLifecycleIn } from "./service-path";
import type { TenantTx } from "@/lib/db/with-tenant";
import { viewerTimeZone } from "@/lib/locale/viewer-zone";
import { countTenantRows } from "./catalog";
import { isTenantRecords, tableLabel } from "./data-labels";
import { isolationTarget } from "./isolation/apply";
import { latestWorkflows, type WorkflowView } from "./live";
import { LIFECYCLE_ACTIONS, NO_LIFECYCLE_PERMISSIONS, type LifecyclePermissions } from "./list-page";
import { OFFBOARD_KIND } from "./offboard";
import type { Plan } from "./plans";
import { PROVISION_KIND } from "./provision";
import type { TenantStatus } from "./states";
import { statusNote, type StatusNote } from "./status-note";

export type { WorkflowView };

/** The actions the tenant's other console pages need: settings, API keys, credentials, brand, custom domains. */
export const PAGE_LINK_ACTIONS = ["settings:view", "apikeys:manage", "credentials:view", "branding:manage", "domains:manage"] as const;
export type PageLinks = Record<(typeof PAGE_LINK_ACTIONS)[number], boolean>;
const NO_PAGE_LINKS = Object.fromEntries(PAGE_LINK_ACTIONS.map((a) => [a, false])) as PageLinks;

export interface TenantDetail {
  id: string;
  slug: string;
  name: string;
  kind: "mssp" | "customer" | "site";
  status: TenantStatus;
  plan: Plan;
  parentName: string | null;
  msspSlug: string;
  statusReason: string | null;
  /** The banner saying why it is not active, since when and by whom, in words (the stored reason is the machine's). */
  statusNote: StatusNote | null;
  statusChangedAt: string | null;
  statusChangedBy: string | null;
  deprovisionAfter: string | null;
  createdAt: string;
  members: number;
  openInvitations: number;
  sites: number;
  can: LifecyclePermissions;
  /** Which of the tenant's other pages the caller may use (the PDP): only those are linked. */
  links: PageLinks;
  pdpUnavailable: boolean;
  provisioning: WorkflowView | null;
  offboarding: WorkflowView | null;
  /** Filled only when the PDP allows a lifecycle action here. */
  keys: { version: number; status: string; createdAt: string }[] | null;
  /** The tenant's own records per table, most first (not the bookkeeping, not what is derived from them). */
  rows: { table: string; label: string; rows: number }[] | null;
  isolation: { target: "cluster" | "none"; lastStatus: string | null; objects: number | null };
  /**
   * The zone the page's times are shown in: the caller's MSSP's locale.time_zone,
   * not this tenant's (a console page: the operator reads every customer's
   * page on the MSSP's clock, as on the console's alert pages).
   */
  timeZone: string;
}

export async function loadTenantDetail(tx: TenantTx, slug: string): Promise<TenantDetail | null> {
  const { rows } = await tx.client.query(
    `select t.id, t.slug, t.name, t.kind, t.status, t.plan, t.path::text as path, p.name as parent_name, r.slug as mssp_slug,
            t.status_reason, t.status_changed_at, t.deprovision_after, t.created_at,
            (select u.email from public.users u where u.id = t.status_changed_by) as changed_by,
            (select count(*)::int from public.memberships m where m.tenant_id = t.id) as members,
            (select count(*)::int from public.invitations i where i.tenant_id = t.id and i.accepted_at is null and i.revoked_at is null and i.expires_at > now()) as invitations,
            (select count(*)::int - 1 from public.tenants d where d.path operator(extensions.<@) t.path) as sites
       from public.tenants t
       join public.tenants r on r.parent_id is null and t.path operator(extensions.<@) r.path
       left join public.tenants p on p.id = t.parent_id
      where t.slug = $1`,
    [slug],
  );
  const t = rows[0];
  if (!t) return null;
  let can = NO_LIFECYCLE_PERMISSIONS;
  let links = NO_PAGE_LINKS;
  let pdpUnavailable = false;
  try {
    const all = await checkActions(principalFromClaims(tx.claims), [...LIFECYCLE_ACTIONS, ...PAGE_LINK_ACTIONS], { id: t.id, path: t.path, kind: t.kind, status: t.status });
    can = Object.fromEntries(LIFECYCLE_ACTIONS.map((a) => [a, all[a]])) as LifecyclePermissions;
    links = Object.fromEntries(PAGE_LINK_ACTIONS.map((a) => [a, all[a]])) as PageLinks;
  } catch (error) {
    if (!isPdpUnavailable(error)) throw error;
    pdpUnavailable = true;
  }
  const staff = Object.values(can).some(Boolean);
  const workflows = await latestWorkflows(tx, t.id);
  const provisioning = workflows.find((w) => w.job.kind === PROVISION_KIND) ?? null;
  const isolationStep = provisioning?.steps.find((s) => s.name === "isolation");
  const [keys, dataRows] = staff
    ? await withLifecycleIn(tx.db, async (db) => {
        const k = await db.$client.query<{ version: number; status: string; created_at: Date }>(
          `select version, status, created_at from keyring.key_status($1) order by version desc`,
          [t.id],
        );
        const counts = await countTenantRows(db.$client, [t.id]);
        return [
          k.rows.map((r) => ({ version: r.version, status: r.status, createdAt: new Date(r.created_at).toISOString() })),
          Object.entries(counts)
            // The tenant's data, not the portal's bookkeeping about it nor the rollups kept from it.
            .filter(([table, n]) => n > 0 && isTenantRecords(table))
            .map(([table, n]) => ({ table, label: tableLabel(table), rows: n }))
            .sort((a, b) => b.rows - a.rows),
        ] as const;
      })
    : [null, null];
  const timeZone = await viewerTimeZone(tx, null);
  const statusChangedAt = t.status_changed_at ? new Date(t.status_changed_at).toISOString() : null;
  return {
    id: t.id,
    slug: t.slug,
    name: t.name,
    kind: t.kind,
    status: t.status,
    plan: t.plan,
    parentName: t.parent_name,
    msspSlug: t.mssp_slug,
    statusReason: t.status_reason,
    statusNote: statusNote({ status: t.status, reason: t.status_reason, changedAt: statusChangedAt, changedBy: t.changed_by, timeZone }),
    statusChangedAt,
    statusChangedBy: t.changed_by,
    deprovisionAfter: t.deprovision_after ? new Date(t.deprovision_after).toISOString() : null,
    createdAt: new Date(t.created_at).toISOString(),
    members: t.members,
    openInvitations: t.invitations,
    sites: t.sites,
    can,
    links,
    pdpUnavailable,
    provisioning,
    offboarding: workflows.find((w) => w.job.kind === OFFBOARD_KIND) ?? null,
    keys: keys ? [...keys] : null,
    rows: dataRows ? [...dataRows] : null,
    isolation: {
      target: isolationTarget(),
      lastStatus: (isolationStep?.output.status as string | undefined) ?? null,
      objects: (isolationStep?.output.objects as number | undefined) ?? null,
    },
    timeZone,
  };
}

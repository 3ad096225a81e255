// Everything the workflows page shows for one tenant, in the caller's
// transaction. The PDP decides what is offered (settings:view to read the
// rules and the dry run, settings:manage to change rules and channels and to
// see deliveries); RLS decides which rows exist.
import { checkActionsForEach, principalFromClaims, tenantResource } from "@/lib/authz";
import type { TenantTx } from "@/lib/db/with-tenant";
import { DEFAULT_TIME_ZONE } from "@/lib/locale/time";
import { viewerTimeZone } from "@/lib/locale/viewer-zone";
import { featureEnabled } from "@/lib/settings/enforce";
import { assigneesFor, type Assignee } from "@/lib/alerts/detail";
import { groupsFor, type UsableGroup } from "@/lib/groups/store";
import { listChannels, type Channel } from "@/lib/notify/channels";
import { recentDeliveries, type DeliveryView } from "@/lib/notify/read";
import { dryRun, type DryRun } from "./dry-run";
import { rulesFor, type Rule } from "./store";

export interface WorkflowsPageData {
  tenant: { id: string; name: string };
  canView: boolean;
  canManage: boolean;
  /** features.workflows is off for the tenant: the page says so and offers nothing. */
  disabled: boolean;
  rules: Rule[];
  channels: Pick<Channel, "id" | "name" | "kind" | "url" | "recipients" | "maskedSecret" | "enabled">[];
  deliveries: DeliveryView[];
  assignees: Assignee[];
  /** Groups a rule may assign: the tenant's own and inherited (lib/groups). */
  groups: UsableGroup[];
  dryRun: DryRun | null;
  /** The zone the deliveries' times are shown in: the tenant's locale.time_zone (the page is on its host). */
  timeZone: string;
}

/** `tenantId`: the tenant whose host the page is on (the page exists on tenant hosts only), so also the zone's. */
export async function loadWorkflowsPage(tx: TenantTx, tenantId: string, tenantName: string, now = new Date()): Promise<WorkflowsPageData> {
  const empty: WorkflowsPageData = { tenant: { id: tenantId, name: tenantName }, canView: false, canManage: false, disabled: false, rules: [], channels: [], deliveries: [], assignees: [], groups: [], dryRun: null, timeZone: DEFAULT_TIME_ZONE };
  const resource = await tenantResource(tx.db, tenantId);
  if (!resource) return empty;
  const allowed = (await checkActionsForEach(principalFromClaims(tx.claims), ["settings:view", "settings:manage"], [resource])).get(tenantId);
  const canView = Boolean(allowed?.["settings:view"]);
  const canManage = Boolean(allowed?.["settings:manage"]);
  if (!canView && !canManage) return empty;
  if (!(await featureEnabled(tx, tenantId, "features.workflows"))) return { ...empty, canView, disabled: true };
  const [rules, channels, assignees, groups] = [await rulesFor(tx, tenantId), await listChannels(tx, tenantId), await assigneesFor(tx, tenantId), await groupsFor(tx.client, tenantId)];
  const names = {
    people: new Map(assignees.map((a) => [a.id, a.name || a.email])),
    channels: new Map(channels.map((c) => [c.id, `"${c.name}"`])),
    groups: new Map(groups.map((g) => [g.id, g.name])),
  };
  return {
    tenant: { id: tenantId, name: tenantName },
    canView,
    canManage,
    disabled: false,
    rules,
    channels: channels.map(({ id, name, kind, url, recipients, maskedSecret, enabled }) => ({ id, name, kind, url, recipients, maskedSecret, enabled })),
    deliveries: canManage ? await recentDeliveries(tx, tenantId, 15) : [],
    assignees,
    groups,
    dryRun: await dryRun(tx, tenantId, now, names),
    timeZone: await viewerTimeZone(tx, tenantId),
  };
}

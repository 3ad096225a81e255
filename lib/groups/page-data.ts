// The Groups section of a tenant's team page, in the caller's transaction:
// the tenant's own groups with their members, the groups it inherits from
// above (read-only here), and who may be added (people who may be assigned
// the tenant's alerts, among those the caller can see). The team page shows
// it only for a tenant where the PDP allows users:manage.
import type { TenantTx } from "@/lib/db/with-tenant";
import { assigneesFor, type Assignee } from "@/lib/alerts/detail";
import { groupsFor, listOwnGroups, type OwnGroup, type UsableGroup } from "./store";

export interface GroupsSection {
  own: OwnGroup[];
  inherited: UsableGroup[];
  candidates: Assignee[];
}

export async function loadGroupsSection(tx: TenantTx, tenantId: string): Promise<GroupsSection> {
  const own = await listOwnGroups(tx, tenantId);
  const inherited = (await groupsFor(tx.client, tenantId)).filter((g) => g.inherited);
  return { own, inherited, candidates: await assigneesFor(tx, tenantId) };
}

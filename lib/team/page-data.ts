// Everything the team page shows, loaded in the caller's transaction: the
// tenants they may manage people in (PDP, batch), the selected tenant's
// members and open invitations, and which roles they may hand out there.
import { isProvider, PROVIDER_NAME, type ProviderMask } from "@/lib/branding/mask";
import { asc } from "drizzle-orm";
import { tenants, type Role } from "@/drizzle/schema";
import { checkActions, checkActionsForEach, principalFromClaims, type TenantResource } from "@/lib/authz";
import type { TenantTx } from "@/lib/db/with-tenant";
import { DEFAULT_TIME_ZONE } from "@/lib/locale/time";
import { viewerTimeZone } from "@/lib/locale/viewer-zone";
import { effectiveConfig } from "@/lib/settings/resolve";
import { pickTenant, type TenantPick } from "@/lib/tenancy/tenant-filter";
import { callerAdminRank, listMembers, listOpenInvitations, type InvitationRow, type MemberRow } from "./members";
import { grantableRoles } from "./roles";

export interface ManageableTenant extends TenantResource {
  slug: string;
  name: string;
}

export interface TeamPageData {
  tenants: ManageableTenant[];
  selected: ManageableTenant | null;
  /** What ?tenant= named (a slug, or a name past TENANT_SELECT_UP_TO tenants) when it named none or several. */
  pick: Pick<TenantPick<ManageableTenant>, "unresolved" | "typed">;
  members: MemberRow[];
  invitations: InvitationRow[];
  grantable: Role[];
  currentUserId: string;
  /** Whether the caller may change the tenant's settings (require MFA), and its effective value (lib/settings). */
  canManageSettings: boolean;
  requireMfa: boolean;
  /** session.mfa_required is locked above the tenant: who locked it ("Sentinel MSSP (Morgan Reyes)"). */
  requireMfaLockedBy: string | null;
  /** The zone the members' start days and invitations' expiry days are in: the host's tenant's, the MSSP's on the console. */
  timeZone: string;
}

/** `mask`: the host hides the MSSP's brand (lib/branding/mask.ts): a lock of the MSSP's is "your provider"'s. */
export async function loadTeamPage(tx: TenantTx, wantedSlug: string | undefined, fallbackId: string | null, mask: ProviderMask | null = null): Promise<TeamPageData> {
  const visible = await tx.db
    .select({ id: tenants.id, slug: tenants.slug, name: tenants.name, path: tenants.path, kind: tenants.kind, status: tenants.status })
    .from(tenants)
    .orderBy(asc(tenants.path));
  const allowed = await checkActionsForEach(principalFromClaims(tx.claims), ["users:manage"], visible);
  const manageable = visible.filter((t) => allowed.get(t.id)?.["users:manage"]);
  const { selected, unresolved, typed } = pickTenant(manageable, wantedSlug, fallbackId);
  const pick = { unresolved, typed };
  if (!selected) {
    return { tenants: [], selected: null, pick, members: [], invitations: [], grantable: [], currentUserId: tx.claims.sub, canManageSettings: false, requireMfa: false, requireMfaLockedBy: null, timeZone: DEFAULT_TIME_ZONE };
  }
  // One connection: these run one after another.
  const members = await listMembers(tx.db, selected.id);
  const invitations = await listOpenInvitations(tx.db, selected.id);
  const rank = await callerAdminRank(tx.db, selected.id);
  const settings = await checkActions(principalFromClaims(tx.claims), ["settings:manage"], selected);
  const mfa = (await effectiveConfig(tx, selected.id))?.get("session.mfa_required");
  return {
    tenants: manageable,
    selected,
    pick,
    members,
    invitations,
    grantable: grantableRoles(selected.kind, rank),
    currentUserId: tx.claims.sub,
    canManageSettings: settings["settings:manage"] && selected.kind !== "mssp",
    requireMfa: mfa?.value === true,
    requireMfaLockedBy: mfa?.lockedBy ? (isProvider(mask, mfa.lockedBy.tenantId) ? PROVIDER_NAME : `${mfa.lockedBy.tenantName} (${mfa.lockedBy.who})`) : null,
    // fallbackId is the host's tenant (null on the console): the viewer's zone, not the selected tenant's.
    timeZone: await viewerTimeZone(tx, fallbackId),
  };
}

// Everything the team page shows, loaded in the caller's transaction: the
// tenants they may manage people in (PDP, batch), the selected tenant's
// members and open invitations, and which roles they may hand out there.
import { asc, sql } from "drizzle-orm";
import { tenants, type Role } from "@/drizzle/schema";
import { checkActions, checkActionsForEach, principalFromClaims, type TenantResource } from "@/lib/authz";
import type { TenantTx } from "@/lib/db/with-tenant";
import { callerAdminRank, listMembers, listOpenInvitations, type InvitationRow, type MemberRow } from "./members";
import { grantableRoles } from "./roles";

export interface ManageableTenant extends TenantResource {
  slug: string;
  name: string;
}

export interface TeamPageData {
  tenants: ManageableTenant[];
  selected: ManageableTenant | null;
  members: MemberRow[];
  invitations: InvitationRow[];
  grantable: Role[];
  currentUserId: string;
  /** Whether the caller may change the tenant's settings (require MFA), and its current value. */
  canManageSettings: boolean;
  requireMfa: boolean;
}

export async function loadTeamPage(tx: TenantTx, wantedSlug: string | undefined, fallbackId: string | null): Promise<TeamPageData> {
  const visible = await tx.db
    .select({ id: tenants.id, slug: tenants.slug, name: tenants.name, path: tenants.path, kind: tenants.kind, status: tenants.status })
    .from(tenants)
    .orderBy(asc(tenants.path));
  const allowed = await checkActionsForEach(principalFromClaims(tx.claims), ["users:manage"], visible);
  const manageable = visible.filter((t) => allowed.get(t.id)?.["users:manage"]);
  const selected =
    manageable.find((t) => t.slug === wantedSlug) ?? manageable.find((t) => t.id === fallbackId) ?? manageable[0] ?? null;
  if (!selected) {
    return { tenants: [], selected: null, members: [], invitations: [], grantable: [], currentUserId: tx.claims.sub, canManageSettings: false, requireMfa: false };
  }
  // One connection: these run one after another.
  const members = await listMembers(tx.db, selected.id);
  const invitations = await listOpenInvitations(tx.db, selected.id);
  const rank = await callerAdminRank(tx.db, selected.id);
  const settings = await checkActions(principalFromClaims(tx.claims), ["settings:manage"], selected);
  const { rows } = await tx.db.execute<{ require_mfa: boolean }>(sql`select require_mfa from public.tenants where id = ${selected.id}`);
  return {
    tenants: manageable,
    selected,
    members,
    invitations,
    grantable: grantableRoles(selected.kind, rank),
    currentUserId: tx.claims.sub,
    canManageSettings: settings["settings:manage"] && selected.kind !== "mssp",
    requireMfa: Boolean(rows[0]?.require_mfa),
  };
}

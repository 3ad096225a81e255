// Server side of the team page, shared by the console and tenant hosts.
import { PdpUnavailable } from "@/components/ui/pdp-unavailable";
import { TenantPicker } from "@/components/tenants/tenant-picker";
import { PageHeader } from "@/components/ui/page-header";
import { isPdpUnavailable } from "@/lib/authz";
import type { TenantTx } from "@/lib/db/with-tenant";
import { loadTeamPage } from "@/lib/team/page-data";
import { requestProviderMask } from "@/lib/branding/mask";
import { loadGroupsSection } from "@/lib/groups/page-data";
import { GroupsSection } from "@/components/groups/groups-section";
import { RequireMfaToggle } from "./require-mfa-toggle";
import { TeamPanel } from "./team-panel";

export async function TeamPage(props: {
  run: <T>(fn: (tx: TenantTx) => Promise<T>) => Promise<T>;
  wantedSlug?: string;
  fallbackTenantId: string | null;
}) {
  let data;
  let groups;
  try {
    // With "hide the MSSP's brand" on this host, its locks are "your provider"'s (lib/branding/mask.ts).
    const mask = await requestProviderMask();
    data = await props.run((tx) => loadTeamPage(tx, props.wantedSlug, props.fallbackTenantId, mask));
    // The selected tenant is one where the PDP allowed users:manage (loadTeamPage), the action groups ask for too.
    const selected = data.selected;
    groups = selected ? await props.run((tx) => loadGroupsSection(tx, selected.id)) : null;
  } catch (error) {
    if (isPdpUnavailable(error)) return <PdpUnavailable />;
    throw error;
  }
  if (!data.selected) {
    return (
      <>
        <PageHeader title="Team" />
        <div className="rounded-xl border border-dashed border-slate-300 bg-white p-10 text-center" data-testid="team-not-allowed">
          <p className="text-sm font-medium text-slate-800">You can't manage people here.</p>
          <p className="mt-1 text-sm text-slate-500">Only admins manage members and invitations. Ask an admin of this tenant if someone needs access.</p>
        </div>
      </>
    );
  }
  return (
    <>
      <PageHeader
        title="Team"
        description="Who can use this portal, with which role. A role on a tenant also applies to its sites."
        actions={
          data.tenants.length > 1 ? (
            <TenantPicker id="team-tenant" tenants={data.tenants} selectedSlug={data.selected.slug} pick={data.pick} may="manage people in" />
          ) : undefined
        }
      />
      {data.canManageSettings && (
        <div className="mb-6">
          <RequireMfaToggle tenantId={data.selected.id} tenantName={data.selected.name} required={data.requireMfa} lockedBy={data.requireMfaLockedBy} />
        </div>
      )}
      <TeamPanel
        tenantId={data.selected.id}
        tenantName={data.selected.name}
        currentUserId={data.currentUserId}
        grantable={data.grantable}
        members={data.members.map((m) => ({ ...m, since: m.since.toISOString() }))}
        invitations={data.invitations.map((i) => ({ ...i, expiresAt: i.expiresAt.toISOString() }))}
        timeZone={data.timeZone}
      />
      {groups && (
        <div className="mt-6">
          <GroupsSection
            tenantId={data.selected.id}
            tenantName={data.selected.name}
            groups={groups.own.map((g) => ({ id: g.id, name: g.name, members: g.members }))}
            inherited={groups.inherited.map((g) => ({ id: g.id, name: g.name, tenantName: g.tenantName, memberCount: g.memberCount }))}
            candidates={groups.candidates}
          />
        </div>
      )}
    </>
  );
}

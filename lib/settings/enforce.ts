// What a tenant bought, enforced where it acts: the feature flags
// (features.alert_triage, features.workflows, features.reports) and limits.users. Each reads the
// one resolver (effectiveConfig in the caller's withTenant, or
// effectiveConfigAsService in a job) and refuses with an ActionRefusal, so a
// server action (lib/actions/guard.ts) shows the message, changes nothing and
// writes the denied audit row with these details.
import { ActionRefusal } from "@/lib/actions/refusal";
import type { Db, TenantTx } from "@/lib/db/with-tenant";
import { effectiveConfig, effectiveConfigAsService, type EffectiveConfig } from "./resolve";

export const FEATURE_LABELS = {
  "features.alert_triage": "Alert triage",
  "features.workflows": "Routing and escalation rules",
  "features.reports": "Report exports",
} as const;
export type EnforcedFeature = keyof typeof FEATURE_LABELS;

async function tenantName(tx: TenantTx, tenantId: string): Promise<string> {
  const { rows } = await tx.client.query<{ name: string }>("select name from public.tenants where id = $1", [tenantId]);
  return rows[0]?.name ?? "this tenant";
}

/** Whether the feature is on for the tenant; a tenant the caller cannot see reads as on (RLS refuses the change itself). */
export async function featureEnabled(tx: TenantTx, tenantId: string, feature: EnforcedFeature): Promise<boolean> {
  const config = await effectiveConfig(tx, tenantId);
  return config ? config.value<boolean>(feature) : true;
}

/** The same for many tenants at once, from configs the caller already read. */
export function featureOn(config: EffectiveConfig | undefined, feature: EnforcedFeature): boolean {
  return config ? config.value<boolean>(feature) : true;
}

/** Throws "<feature> is not enabled for <tenant>" when the tenant's effective flag is off. */
export async function requireFeature(tx: TenantTx, tenantId: string, feature: EnforcedFeature): Promise<void> {
  if (await featureEnabled(tx, tenantId, feature)) return;
  const name = await tenantName(tx, tenantId);
  throw new ActionRefusal(`${FEATURE_LABELS[feature]} is not enabled for ${name}. Ask your MSSP to enable it; nothing was changed.`, {
    setting: feature,
    value: false,
  });
}

/** For jobs (service role): is the feature on for the tenant? */
export async function featureEnabledAsService(db: Db, tenantId: string, feature: EnforcedFeature): Promise<boolean> {
  return (await effectiveConfigAsService(db, tenantId)).value<boolean>(feature);
}

/** What limits.users counts: the tenant's members, and its open (unaccepted, unrevoked, unexpired) invitations. */
async function userCount(client: TenantTx["client"], tenantId: string): Promise<{ members: number; open: number }> {
  const { rows } = await client.query<{ members: number; open: number }>(
    `select (select count(*)::int from public.memberships where tenant_id = $1) as members,
            (select count(*)::int from public.invitations
              where tenant_id = $1 and accepted_at is null and revoked_at is null and expires_at > now()) as open`,
    [tenantId],
  );
  return rows[0];
}

/**
 * limits.users: members plus open (unaccepted, unrevoked, unexpired)
 * invitations may not exceed the tenant's limit. Called after the invitation
 * is written, in the same transaction, so a resend (which revokes its old
 * invitation first) and a new invitation are counted the same way; the
 * refusal rolls the invitation and its email back.
 */
export async function requireUserCapacity(tx: TenantTx, tenantId: string): Promise<void> {
  const config = await effectiveConfig(tx, tenantId);
  if (!config) return;
  const limit = config.value<number>("limits.users");
  const { members, open } = await userCount(tx.client, tenantId);
  if (members + open > limit) {
    const name = await tenantName(tx, tenantId);
    const before = open - 1;
    throw new ActionRefusal(
      `${name} may have at most ${limit} user${limit === 1 ? "" : "s"} (members and open invitations, its configured limit); it has ${members} member${members === 1 ? "" : "s"} and ${before} open invitation${before === 1 ? "" : "s"}. Revoke an invitation or remove a member first, or ask your MSSP to raise the limit; nothing was changed.`,
      { setting: "limits.users", limit, members, open_invitations: before },
    );
  }
}

/**
 * limits.users when someone joins by accepting an invitation (lib/team/accept.ts, on the service
 * path "team.invitation", after the new membership is written in the same transaction). The invite
 * action counted the invitation as a place already, but an invitation that did not come through it
 * (SQL as an admin, a workflow's or an import's) was never counted, so the members are counted
 * again here: the newcomer included, they may not exceed the limit. Open invitations do not count
 * at this point (a newcomer is not refused for places others were promised). Acceptances of one
 * tenant take turns (lockTenantLimit) so two cannot both take the last place. Returns the limit and
 * the members now, for the caller's refusal when members > limit (its transaction then rolls back).
 */
export async function membersAfterJoining(db: Db, tenantId: string): Promise<{ limit: number; members: number }> {
  await lockTenantLimit({ client: db.$client }, "limits.users", tenantId);
  const limit = (await effectiveConfigAsService(db, tenantId)).value<number>("limits.users");
  const { members } = await userCount(db.$client, tenantId);
  return { limit, members };
}

/**
 * Makes the writers of one tenant's counted rows for the limit `setting` take turns until commit: a
 * writer takes it before counting, so two concurrent writers cannot both count below the limit and
 * both insert (under READ COMMITTED neither sees the other's row otherwise).
 */
export async function lockTenantLimit(tx: Pick<TenantTx, "client">, setting: string, tenantId: string): Promise<void> {
  await tx.client.query("select pg_advisory_xact_lock(hashtext($1::text), hashtext($2::text))", [setting, tenantId]);
}

/**
 * limits.assets: how many more assets the tenant may register. Taken by an
 * asset batch before it inserts, in its transaction: the advisory lock makes
 * the tenant's writers of new assets take turns until commit, so two batches
 * cannot both fill the last places. Updates of known assets are not counted.
 */
export async function assetRoom(tx: TenantTx, tenantId: string): Promise<{ limit: number; registered: number; free: number }> {
  const config = await effectiveConfig(tx, tenantId);
  await lockTenantLimit(tx, "limits.assets", tenantId);
  const { rows } = await tx.client.query<{ n: number }>("select count(*)::int as n from public.assets where tenant_id = $1", [tenantId]);
  const registered = rows[0].n;
  if (!config) return { limit: Number.POSITIVE_INFINITY, registered, free: Number.POSITIVE_INFINITY };
  const limit = config.value<number>("limits.assets");
  return { limit, registered, free: Math.max(0, limit - registered) };
}

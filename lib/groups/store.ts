// Assignee groups of a tenant ("Tier 1 SOC", "Acme on-call"), in the caller's
// withTenant transaction. RLS decides which rows exist and who may write
// (admins of the tenant or an ancestor); the database refuses a member who
// may not be assigned the tenant's alerts (hint group_member) and keeps
// names unique per tenant. This module turns those refusals into sentences.
//
// A tenant's groups apply to it and every tenant below it (as rules do):
// groupsFor answers a tenant's own and inherited groups
// (workflows.groups_for, which sees the MSSP's rows for its customers). So a
// tenant holds at most GROUPS_PER_TENANT groups (the database refuses the next,
// hint group_limit, migration 20261201031310).
import type pg from "pg";
import { personLabel, standingLabelsIn } from "@/lib/people/standing";
import { ActionRefusal } from "@/lib/actions/refusal";
import type { TenantTx } from "@/lib/db/with-tenant";
import { sqlState } from "@/lib/db/sql-state";

export const GROUP_NOT_FOUND = "That group is not here: it may have been deleted, or it belongs to another tenant. Nothing was changed.";
export const MEMBER_NOT_ASSIGNABLE =
  "That person cannot be in this group: only analysts and admins of this tenant, or MSSP staff covering it, can be assigned its alerts. Nothing was changed.";

/** The most assignee groups one tenant may hold. The database's trigger (migration 20261201031310) holds the same number. */
export const GROUPS_PER_TENANT = 50;

export const GROUP_LIMIT = `This tenant already has ${GROUPS_PER_TENANT} groups, the most it may have. Delete one it no longer needs first; nothing was changed.`;

/** A group as an alert or a rule names it: by its full key. */
export interface GroupRef {
  tenantId: string;
  id: string;
}

export interface GroupMember {
  userId: string;
  name: string;
  email: string;
}

/** A group of the tenant itself, with its members (those the caller can see). */
export interface OwnGroup extends GroupRef {
  name: string;
  members: GroupMember[];
  createdAt: Date;
}

/** A group usable in a tenant: its own, or an ancestor's (inherited, read-only there). */
export interface UsableGroup extends GroupRef {
  name: string;
  tenantName: string;
  inherited: boolean;
  memberCount: number;
}

/** The tenant's own groups and their members, under RLS, by name. */
export async function listOwnGroups(tx: TenantTx, tenantId: string): Promise<OwnGroup[]> {
  const { rows } = await tx.client.query<{ tenant_id: string; id: string; name: string; created_at: Date; members: GroupMember[] | null }>(
    `select g.tenant_id, g.id, g.name, g.created_at,
            -- Left join: MSSP staff or a parent tenant's admins in a group are hidden from its admins by RLS on users
            -- (named by what they are here, below).
            (select json_agg(json_build_object('userId', m.user_id, 'name', coalesce(u.name, ''), 'email', coalesce(u.email, ''))
                             order by u.email is null, lower(coalesce(nullif(u.name, ''), u.email)))
               from public.assignee_group_members m left join public.users u on u.id = m.user_id
              where m.tenant_id = g.tenant_id and m.group_id = g.id) as members
       from public.assignee_groups g
      where g.tenant_id = $1
      order by lower(g.name)`,
    [tenantId],
  );
  const hidden = rows.some((r) => (r.members ?? []).some((m) => !m.name && !m.email));
  const labels = hidden ? await standingLabelsIn(tx.client, tenantId) : new Map<string, string>();
  return rows.map((r) => ({
    tenantId: r.tenant_id,
    id: r.id,
    name: r.name,
    createdAt: new Date(r.created_at),
    members: (r.members ?? []).map((m) => (m.name || m.email ? m : { ...m, name: personLabel(null, m.userId, labels) })),
  }));
}

/** groupsFor's statement, $1 the tenant (exported for lib/alerts/list-choices.ts, which sends it with others). */
export const GROUPS_FOR_SQL = `select tenant_id, tenant_name, id, name, member_count from workflows.groups_for($1)`;

export interface UsableGroupRow {
  tenant_id: string;
  tenant_name: string;
  id: string;
  name: string;
  member_count: number;
}

/** A row of GROUPS_FOR_SQL as the pages use it. */
export function usableGroupOf(r: UsableGroupRow, tenantId: string): UsableGroup {
  return { tenantId: r.tenant_id, id: r.id, name: r.name, tenantName: r.tenant_name, inherited: r.tenant_id !== tenantId, memberCount: r.member_count };
}

/** The groups an alert of `tenantId` may be given: the tenant's own and its ancestors', the MSSP's first. */
export async function groupsFor(client: Pick<pg.ClientBase, "query">, tenantId: string): Promise<UsableGroup[]> {
  const { rows } = await client.query<UsableGroupRow>(GROUPS_FOR_SQL, [tenantId]);
  return rows.map((r) => usableGroupOf(r, tenantId));
}

/** One usable group of `tenantId` by id, or null (unknown, foreign, or not above the tenant). */
export async function usableGroup(client: Pick<pg.ClientBase, "query">, tenantId: string, groupId: string): Promise<UsableGroup | null> {
  return (await groupsFor(client, tenantId)).find((g) => g.id === groupId) ?? null;
}

function nameTaken(name: string): never {
  throw new ActionRefusal(`There is already a group named "${name}" here. Pick another name; nothing was changed.`, { field: "name" });
}

/** Runs `fn` under a savepoint, so a refused statement leaves the transaction usable for the denied audit row. */
async function refusing<T>(tx: TenantTx, name: string | null, fn: () => Promise<T>): Promise<T> {
  await tx.client.query("savepoint group_change");
  try {
    const out = await fn();
    await tx.client.query("release savepoint group_change");
    return out;
  } catch (error) {
    await tx.client.query("rollback to savepoint group_change");
    if (error instanceof ActionRefusal) throw error;
    const state = sqlState(error);
    if (state === "23505" && name !== null) nameTaken(name);
    if (state === "23514" && (error as { hint?: string }).hint === "group_member") throw new ActionRefusal(MEMBER_NOT_ASSIGNABLE, { field: "userId" });
    if (state === "54000" && (error as { hint?: string }).hint === "group_limit") throw new ActionRefusal(GROUP_LIMIT, { problem: "group_limit" });
    // RLS: visible but not writable (a frozen tenant, or not an admin there).
    if (state === "42501") throw new ActionRefusal("Groups cannot be changed in this tenant now. Nothing was changed.");
    throw error;
  }
}

async function ownGroup(tx: TenantTx, tenantId: string, groupId: string): Promise<{ id: string; name: string }> {
  const { rows } = await tx.client.query<{ id: string; name: string }>(`select id, name from public.assignee_groups where tenant_id = $1 and id = $2`, [tenantId, groupId]);
  if (!rows[0]) throw new ActionRefusal(GROUP_NOT_FOUND);
  return rows[0];
}

export async function createGroup(tx: TenantTx, tenantId: string, name: string): Promise<{ id: string; name: string }> {
  return refusing(tx, name, async () => {
    // Said here for the common case; the trigger is what holds the limit (two adds racing take turns there).
    const { rows: count } = await tx.client.query<{ n: number }>(`select count(*)::int as n from public.assignee_groups where tenant_id = $1`, [tenantId]);
    if ((count[0]?.n ?? 0) >= GROUPS_PER_TENANT) throw new ActionRefusal(GROUP_LIMIT, { problem: "group_limit" });
    const { rows } = await tx.client.query<{ id: string; name: string }>(
      `insert into public.assignee_groups (tenant_id, name, created_by) values ($1, $2, $3) returning id, name`,
      [tenantId, name, tx.claims.sub],
    );
    return rows[0];
  });
}

export async function renameGroup(tx: TenantTx, tenantId: string, groupId: string, name: string): Promise<{ from: string; to: string }> {
  const before = await ownGroup(tx, tenantId, groupId);
  return refusing(tx, name, async () => {
    const { rowCount } = await tx.client.query(`update public.assignee_groups set name = $3 where tenant_id = $1 and id = $2`, [tenantId, groupId, name]);
    if (!rowCount) throw new ActionRefusal(GROUP_NOT_FOUND);
    return { from: before.name, to: name };
  });
}

/** Deletes the group; its alerts lose it (the foreign key) and each gets a timeline entry. */
export async function deleteGroup(tx: TenantTx, tenantId: string, groupId: string): Promise<{ name: string; alerts: number }> {
  const group = await ownGroup(tx, tenantId, groupId);
  return refusing(tx, null, async () => {
    const { rows } = await tx.client.query<{ n: number }>(
      `select count(*)::int as n from public.alerts where assigned_group_tenant_id = $1 and assigned_group_id = $2`,
      [tenantId, groupId],
    );
    const { rowCount } = await tx.client.query(`delete from public.assignee_groups where tenant_id = $1 and id = $2`, [tenantId, groupId]);
    if (!rowCount) throw new ActionRefusal(GROUP_NOT_FOUND);
    return { name: group.name, alerts: rows[0].n };
  });
}

export async function addGroupMember(tx: TenantTx, tenantId: string, groupId: string, userId: string): Promise<{ group: string; added: boolean }> {
  const group = await ownGroup(tx, tenantId, groupId);
  return refusing(tx, null, async () => {
    const { rowCount } = await tx.client.query(
      `insert into public.assignee_group_members (tenant_id, group_id, user_id, added_by) values ($1, $2, $3, $4) on conflict do nothing`,
      [tenantId, groupId, userId, tx.claims.sub],
    );
    return { group: group.name, added: (rowCount ?? 0) > 0 };
  });
}

/** Takes a person out of a group; returns the group's name and who it was (the answer names both). */
export async function removeGroupMember(tx: TenantTx, tenantId: string, groupId: string, userId: string): Promise<{ group: string; person: string }> {
  const group = await ownGroup(tx, tenantId, groupId);
  return refusing(tx, null, async () => {
    // Someone RLS hides (MSSP staff, a parent tenant's admin) is named by what they are here, which
    // tenancy.people_standing_in answers only while they are in the group: asked before the delete.
    const labels = await standingLabelsIn(tx.client, tenantId);
    // The person is read in the same statement, while RLS still shows them (a member of the group's tenant).
    const { rows } = await tx.client.query<{ person: string | null }>(
      `delete from public.assignee_group_members m
        where m.tenant_id = $1 and m.group_id = $2 and m.user_id = $3
        returning (select coalesce(nullif(u.name, ''), u.email) from public.users u where u.id = m.user_id) as person`,
      [tenantId, groupId, userId],
    );
    if (rows.length === 0) throw new ActionRefusal("That person is not in this group (any more). Nothing was changed.");
    return { group: group.name, person: personLabel(rows[0].person, userId, labels) };
  });
}

/**
 * The group's members who may still be assigned the alert's tenant's alerts,
 * with their addresses: who a group assignment notifies. Runs on the engine's
 * service-role transaction.
 */
export async function notifiableMembers(client: Pick<pg.ClientBase, "query">, group: GroupRef, alertTenantId: string): Promise<{ userId: string; email: string }[]> {
  const { rows } = await client.query<{ user_id: string; email: string }>(
    `select m.user_id, u.email
       from public.assignee_group_members m join public.users u on u.id = m.user_id
      where m.tenant_id = $1 and m.group_id = $2
        -- triage.is_assignable, spelled out: the service role may not call the triage schema.
        and exists (select 1 from public.memberships ms
                      join public.tenants a on a.id = ms.tenant_id
                      join public.tenants t on t.id = $3
                     where ms.user_id = m.user_id
                       and ms.role in ('mssp_admin', 'mssp_analyst', 'tenant_admin', 'tenant_analyst')
                       and a.path operator(extensions.@>) t.path)
      order by u.email`,
    [group.tenantId, group.id, alertTenantId],
  );
  return rows.map((r) => ({ userId: r.user_id, email: r.email }));
}

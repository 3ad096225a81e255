// Naming the people on an alert whom the caller cannot see by name (RLS shows
// a person only through a membership in the caller's tenants). Before, each
// read as "MSSP staff", which was wrong for a removed member: Acme's admin
// saw their former analyst's old alerts as the MSSP's. The database says what
// each one is at the alert's tenant (workflows.people_standing, migration
// 20261201029800; the words in lib/people/standing.ts).
import type pg from "pg";
import { STANDING_LABELS, type Standing } from "@/lib/people/standing";

export interface AlertKeyRef {
  tenantId: string;
  id: string;
}

/**
 * Labels by `${tenantId}:${personId}` for the assignees of `alerts` (and, with
 * `timeline`, everyone on their timelines). Pass only the alerts that hold
 * someone the caller could not name: nothing to label, no query.
 */
export async function unseenPeopleLabels(client: Pick<pg.ClientBase, "query">, alerts: readonly AlertKeyRef[], timeline = false): Promise<Map<string, string>> {
  if (alerts.length === 0) return new Map();
  const { rows } = await client.query<{ tenant_id: string; person: string; standing: Standing }>(
    "select tenant_id, person, standing from workflows.people_standing($1::uuid[], $2::uuid[], $3)",
    [alerts.map((a) => a.tenantId), alerts.map((a) => a.id), timeline],
  );
  return new Map(rows.map((r) => [`${r.tenant_id}:${r.person}`, STANDING_LABELS[r.standing]]));
}

// Naming people the caller cannot see by name. RLS on users shows a person
// only through a membership in the caller's tenants, so MSSP staff, an admin
// of a tenant above, or someone who has left read as nothing. The database
// says what each one is at a tenant (tenancy.standing_at, migration
// 20261201030000): MSSP staff covering it, a member of a tenant above the
// caller's, or someone with no membership covering it any more. The alert
// pages (lib/alerts/people.ts), the API keys panel and the assignee groups use
// the same words.
import type pg from "pg";

export type Standing = "mssp_staff" | "member" | "former";

export const STANDING_LABELS: Record<Standing, string> = {
  mssp_staff: "MSSP staff",
  member: "staff of a parent tenant",
  former: "a former member",
};

/** When the database gave no answer (it answers only for tenants the caller can see). */
export const UNKNOWN_PERSON = "someone you cannot see";

/**
 * Labels by person id for the people a tenant's admin pages name: the creators and revokers of its API
 * keys and the members of its own assignee groups (tenancy.people_standing_in). Call it only when one of
 * them could not be named: nothing to label, no query.
 */
export async function standingLabelsIn(client: Pick<pg.ClientBase, "query">, tenantId: string): Promise<Map<string, string>> {
  const { rows } = await client.query<{ person: string; standing: Standing }>(
    "select person, standing from tenancy.people_standing_in($1)",
    [tenantId],
  );
  return new Map(rows.map((r) => [r.person, STANDING_LABELS[r.standing]]));
}

/** A person's name as the page shows it: their name or email when visible, else their standing. */
export function personLabel(visible: string | null | undefined, personId: string, labels: ReadonlyMap<string, string>): string {
  return visible || labels.get(personId) || UNKNOWN_PERSON;
}

// The alert list's choices (the assignee picker of the bulk bar, the group
// filter, the person's saved filters) in ONE round trip instead of three.
//
// Each is a small read of its own module (assigneesFor, groupsFor,
// listSavedFilters), and the list page needs all three on every render. Under
// load each round trip to Postgres costs the server a socket write and a
// wake-up of the backend on the same two cores (README "Performance"), so the
// page sends their statements, verbatim, as scalar subqueries of one named
// statement: the same SQL, the same RLS, the same order (each subquery's
// ORDER BY feeds its json_agg), the same rows. The assignees' subquery runs
// only when the caller may triage in bulk ($3), as before.
// tests/alert-list-choices.test.ts holds it to the three functions' answers.
import { namedStatement } from "@/lib/db/prepared";
import type { TenantTx } from "@/lib/db/with-tenant";
import { GROUPS_FOR_SQL, usableGroupOf, type UsableGroup, type UsableGroupRow } from "@/lib/groups/store";
import { ASSIGNEES_SQL, type Assignee } from "./detail";
import { SAVED_FILTERS_SQL, type SavedFilter } from "./saved-filters";

export interface AlertListChoices {
  assignees: Assignee[];
  groups: UsableGroup[];
  savedFilters: SavedFilter[];
}

/** $1 the scope tenant, $2 the person, $3 whether to read the assignees. */
const LIST_CHOICES = namedStatement(
  "alerts.list-choices",
  `select case when $3::boolean then (select coalesce(json_agg(a), '[]'::json) from (${ASSIGNEES_SQL}) a) else '[]'::json end as assignees,
          (select coalesce(json_agg(g), '[]'::json) from (${GROUPS_FOR_SQL}) g) as groups,
          (select coalesce(json_agg(f), '[]'::json) from (${SAVED_FILTERS_SQL}) f) as saved_filters`,
);

/** The list's choices for `tenantId` (the host's tenant, or the caller's MSSP on the console). */
export async function alertListChoices(tx: TenantTx, tenantId: string, withAssignees: boolean): Promise<AlertListChoices> {
  const { rows } = await tx.client.query<{ assignees: Assignee[]; groups: UsableGroupRow[]; saved_filters: SavedFilter[] }>(
    LIST_CHOICES([tenantId, tx.claims.sub, withAssignees]),
  );
  const r = rows[0]!;
  return { assignees: r.assignees, groups: r.groups.map((g) => usableGroupOf(g, tenantId)), savedFilters: r.saved_filters };
}

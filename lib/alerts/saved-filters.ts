// A person's saved alert-list filters, per tenant (the host's tenant, or on
// the console their MSSP). RLS shows each person only their own.
import { namedStatement } from "@/lib/db/prepared";
import { ActionRefusal } from "@/lib/actions/refusal";
import type { TenantTx } from "@/lib/db/with-tenant";
import { sqlState } from "@/lib/db/sql-state";
import { alertListHref, parseAlertFilters } from "./list";

export const MAX_SAVED_FILTERS = 50;

export interface SavedFilter {
  id: string;
  name: string;
  /** "?q=…&status=…", as the list writes it. */
  query: string;
}

/** listSavedFilters's statement, $1 the tenant, $2 the person (exported for lib/alerts/list-choices.ts). */
export const SAVED_FILTERS_SQL = `select id, name, query from public.alert_saved_filters where tenant_id = $1 and user_id = $2 order by name`;
// Named: each pooled connection parses and plans it once (lib/db/prepared.ts).
const SAVED_FILTERS = namedStatement("alerts.saved-filters", SAVED_FILTERS_SQL);

export async function listSavedFilters(tx: TenantTx, tenantId: string): Promise<SavedFilter[]> {
  const { rows } = await tx.client.query<SavedFilter>(SAVED_FILTERS([tenantId, tx.claims.sub]));
  return rows;
}

/**
 * Saves the list's current query under `name` (replacing one of the same
 * name). The query is parsed and written back by the list's own parser, so a
 * saved filter holds only what the list understands.
 */
export async function saveFilter(tx: TenantTx, tenantId: string, name: string, rawQuery: string): Promise<{ id: string; query: string }> {
  const { filters, problems } = parseAlertFilters(Object.fromEntries(new URLSearchParams(rawQuery.replace(/^\?/, ""))));
  if (problems.length) throw new ActionRefusal(`This view has filters that do not apply (${problems[0]}); fix them before saving.`);
  const query = alertListHref({ ...filters, page: 1 });
  const { rows: [n] } = await tx.client.query<{ n: number }>(
    `select count(*)::int as n from public.alert_saved_filters where tenant_id = $1 and user_id = $2 and name <> $3`,
    [tenantId, tx.claims.sub, name],
  );
  if (n.n >= MAX_SAVED_FILTERS) throw new ActionRefusal(`You have ${MAX_SAVED_FILTERS} saved filters here already; delete one first.`);
  try {
    await tx.client.query(`delete from public.alert_saved_filters where tenant_id = $1 and user_id = $2 and name = $3`, [tenantId, tx.claims.sub, name]);
    const { rows } = await tx.client.query<{ id: string }>(
      `insert into public.alert_saved_filters (tenant_id, user_id, name, query) values ($1, $2, $3, $4) returning id`,
      [tenantId, tx.claims.sub, name, query],
    );
    return { id: rows[0].id, query };
  } catch (error) {
    if (sqlState(error) === "42501") throw new ActionRefusal("Filters cannot be saved in this tenant now. Nothing was changed.");
    throw error;
  }
}

/** Deletes one of the caller's own saved filters; false when there was none (already deleted, or never theirs). */
/** Deletes one of the caller's saved views; returns its name, or null when it was already gone. */
export async function deleteFilter(tx: TenantTx, tenantId: string, filterId: string): Promise<string | null> {
  const { rows } = await tx.client.query<{ name: string }>(
    `delete from public.alert_saved_filters where tenant_id = $1 and id = $2 and user_id = $3 returning name`,
    [tenantId, filterId, tx.claims.sub],
  );
  return rows[0]?.name ?? null;
}

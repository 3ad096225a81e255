// What other tenants' rows hold about an offboarded subtree, removed by the
// offboarding's purge step (offboard-workflow.ts) before the subtree's own
// rows. The catalog purge (catalog.ts) empties every row whose tenant_id is
// in the subtree; these are the copies of its data kept under another
// tenant's id (an ancestor: the MSSP, a parent customer or site; or a former
// parent the subtree moved away from):
//
//   * notification deliveries about the subtree's alerts (alert_tenant_id),
//     sent to another tenant's channel (a rule or the default webhooks set
//     above it): their payload is the alert's summary (title, host, severity,
//     tenant name). Deleted, with their attempts (on delete cascade) and, for
//     email, their mail.outbox messages (mail_id: subject and body name the
//     alert), in the same transaction, so no message outlives its delivery
//     (lib/notify/delete-deliveries.ts, shared with the retention purge).
//   * health-change deliveries about a tenant of the subtree (reason
//     'health', payload.health.tenant_id): its name, states and the reasons
//     (a collector's name, its silence). Deleted the same way.
//   * reports of another tenant whose figures covered a tenant of the subtree
//     (covered_tenant_ids, kept when the report was stored: an ancestor's, or
//     a former parent's the subtree moved away from), and, for reports stored
//     before that column (null), an ancestor's generated since the offboarded
//     root existed: their content may carry the offboarded tenants' alert
//     titles, hosts and names. The content is
//     withdrawn (status failed, content null, the reason in `error`); the row
//     stays, so the ancestor sees what was there and can generate the same
//     period again (its figures then leave the offboarded tenants out). So is
//     an ancestor's report being generated (status running): its figures may
//     have been read before the subtree's rows went, and lib/reports/generate.ts
//     stores its content only while it is still running.
//
// What stays: the audit trail (append-only; it names alerts by id and reads
// their titles only from public.alerts, which no longer holds them), bulk-run
// items naming the tenant as a target (the MSSP's record of what it did),
// and other tenants' billing. Nothing here carries the subtree's alert
// content.
//
// Each call deletes at most `batchSize` deliveries (and their messages) and
// withdraws at most `batchSize` reports, in the caller's transaction: call it
// until it returns all zeros. Running it again finds nothing: idempotent, and
// a worker killed between two calls leaves the rest to the next. The purge
// step calls it before the subtree's own rows go and again after, for what
// was written meanwhile (an ancestor's report generated during the purge).
// Indexes: notification_deliveries_alert (20261201031200),
// notification_deliveries_health (20261201031600) and reports_covered_tenants
// (20261201032750).
import type pg from "pg";
import { deleteDeliveriesBatch, deleteDeliveriesSql } from "@/lib/notify/delete-deliveries";

type Queryable = Pick<pg.ClientBase, "query">;

export interface CopiesRemoved {
  /** Deliveries about the subtree's alerts or its health, from other tenants' channels. */
  deliveries: number;
  /** Their mail.outbox messages. */
  mails: number;
  /** Ancestors' reports whose content was withdrawn. */
  reports: number;
}

// Which rows are copies ($1 the subtree's ids; reports: $1 the offboarded root), shared by the
// statements and the count. Deliveries: by row address, a delivery's key is its channel's tenant;
// the subtree's own deliveries go with the catalog purge.
const ALERT_DELIVERIES = "alert_tenant_id = any ($1::uuid[]) and tenant_id <> all ($1::uuid[])";
const HEALTH_DELIVERIES = "reason = 'health' and (payload #>> '{health,tenant_id}') = any ($1::uuid[]::text[]) and tenant_id <> all ($1::uuid[])";
/**
 * Other tenants' reports (x: tenant_id, id) holding the subtree's figures: those whose content covered a
 * tenant of the subtree (`ids`; covered_tenant_ids, written when it was stored: a former parent's too,
 * after a move); and, by the tree of today, a current ancestor's (of the root g, its id `root`) being
 * generated now, or holding content stored before covered_tenant_ids existed (null) made since the root
 * existed. Index: reports_covered_tenants (20261201032750).
 */
const copiedReports = (root: string, ids: string) => `(select x.tenant_id, x.id from public.reports x
                    where x.covered_tenant_ids && ${ids} and x.content is not null and x.tenant_id <> all (${ids})
                   union
                   select x.tenant_id, x.id from public.tenants g
                     join public.tenants a on a.path operator(extensions.@>) g.path and a.id <> g.id
                     join public.reports x on x.tenant_id = a.id
                    where g.id = ${root}
                      and (x.status = 'running' or (x.covered_tenant_ids is null and x.content is not null and coalesce(x.finished_at, x.created_at) >= g.created_at))) c`;

/** The statements ($1 the subtree's ids, $2 the batch size; reports: $1 the offboarded root, $2 the batch size, $3 the reason, $4 the subtree's ids). Exported for the tests. */
export const COPIES_SQL = {
  alertDeliveries: deleteDeliveriesSql(ALERT_DELIVERIES, "$2"),
  healthDeliveries: deleteDeliveriesSql(HEALTH_DELIVERIES, "$2"),
  reports: `update public.reports r
               set status = 'failed', content = null, size_bytes = null, error = $3
             where (r.tenant_id, r.id) in (select c.tenant_id, c.id from ${copiedReports("$1", "$4::uuid[]")} limit $2)`,
} as const;

/** What the withdrawn report says instead of its content. */
export function withdrawnReason(name: string): string {
  return `Withdrawn when ${name.slice(0, 200)} was offboarded: it held that tenant's figures. Generate it again for the same period to get one without them.`;
}

/** One batch: up to `batchSize` deliveries of each kind (with their messages) and reports. */
export async function removeCopiesBatch(
  client: Queryable,
  subtree: { rootId: string; rootName: string; ids: readonly string[] },
  batchSize: number,
): Promise<CopiesRemoved> {
  const { deliveries, mails } = await deleteDeliveriesBatch(client, [COPIES_SQL.alertDeliveries, COPIES_SQL.healthDeliveries], [[...subtree.ids], batchSize]);
  const reports = (await client.query(COPIES_SQL.reports, [subtree.rootId, batchSize, withdrawnReason(subtree.rootName), [...subtree.ids]])).rowCount ?? 0;
  return { deliveries, mails, reports };
}

/** How many copies there are to remove (the purge step's progress counts them). */
export async function countCopies(client: Queryable, subtree: { rootId: string; ids: readonly string[] }): Promise<number> {
  const ids = [...subtree.ids];
  const { rows } = await client.query<{ n: string }>(
    `select (select count(*) from public.notification_deliveries where ${ALERT_DELIVERIES})
          + (select count(*) from public.notification_deliveries where ${HEALTH_DELIVERIES})
          + (select count(*) from ${copiedReports("$2", "$1::uuid[]")}) as n`,
    [ids, subtree.rootId],
  );
  return Number(rows[0].n);
}

// Deleting notification deliveries in bounded batches, with their mail.outbox
// messages: what the offboarding's purge step (lib/lifecycle/offboard-copies.ts)
// and the retention purge (lib/retention/purge.ts) remove about alerts that
// go. Each caller says which deliveries (a predicate and its parameters); this
// module holds the one way to delete them. A batch picks its rows by row
// address (a delivery's key is its channel's tenant, which the callers'
// predicates do not name), deletes exactly those and returns their mail ids;
// the email ones' messages (mail_id: subject and body name the alert) go in
// the same transaction, so no message outlives its delivery. Attempts go with
// their delivery (on delete cascade).
import type pg from "pg";

type Queryable = Pick<pg.ClientBase, "query">;

export interface DeliveriesDeleted {
  /** Deliveries deleted. */
  deliveries: number;
  /** Their mail.outbox messages deleted. */
  mails: number;
}

/**
 * The statement deleting one batch: the deliveries `where` picks (in `orderBy` order, if given),
 * at most `limit` (a parameter, e.g. "$2"), returning their mail ids.
 */
export function deleteDeliveriesSql(where: string, limit: string, orderBy?: string): string {
  return `delete from public.notification_deliveries d
            where d.ctid = any (array(select ctid from public.notification_deliveries
                                       where ${where}${orderBy ? ` order by ${orderBy}` : ""} limit ${limit}))
            returning d.mail_id`;
}

/** Deletes the messages of deleted deliveries ($1 their mail ids). */
export const DELETE_DELIVERY_MAILS_SQL = "delete from mail.outbox where id = any ($1::uuid[])";

/**
 * Runs each statement (from deleteDeliveriesSql, all with the same `params`) in the caller's
 * transaction, then deletes the deleted deliveries' messages. Returns how many of each went.
 */
export async function deleteDeliveriesBatch(client: Queryable, statements: readonly string[], params: unknown[]): Promise<DeliveriesDeleted> {
  const gone: { mail_id: string | null }[] = [];
  for (const sql of statements) gone.push(...(await client.query<{ mail_id: string | null }>(sql, params)).rows);
  const mailIds = gone.map((r) => r.mail_id).filter((id): id is string => id !== null);
  const mails = mailIds.length > 0 ? ((await client.query(DELETE_DELIVERY_MAILS_SQL, [mailIds])).rowCount ?? 0) : 0;
  return { deliveries: gone.length, mails };
}

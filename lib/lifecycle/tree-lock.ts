// Tree changes take turns (migration 20261201030200_tenant_tree_serialized.sql): a move, an
// offboarding's start, a provisioning or a restore takes the tree's lock first, in its transaction,
// and only then reads what it checks (cycles, the statuses above the new parent). Under READ
// COMMITTED each later statement sees what the previous holder committed, so two swapped moves
// cannot both pass the cycle check, and nothing moves into a tenant whose offboarding has begun.
// Taken before any tenant row is locked: the database would take it anyway at the first
// INSERT or change of parent, slug or status, but by then this transaction could hold a row the
// holder's cascade waits for (a deadlock Postgres would break by failing one of them).
import type { Db } from "@/lib/db/with-tenant";

export async function lockTree(db: Pick<Db, "$client">): Promise<void> {
  await db.$client.query("select tenancy.lock_tree()");
}

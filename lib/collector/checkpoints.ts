// Collector checkpoints at rest (public.collector_checkpoints, migration
// 20261201011500): read and advanced in the caller's withTenant transaction,
// which for the API is the collector's key under RLS. The portal never reads
// a cursor's meaning: it is whatever the collector's vendor module needs to
// resume.
//
// Advancing is a compare-and-set on the cursor: the collector says which
// cursor it started the page from (`previous_cursor`) and which it reached.
//   - stored cursor = previous_cursor   → advanced, alerts_sent += sent
//   - stored cursor = cursor already    → a retry of a call that got through
//                                         (the answer was lost): nothing
//                                         counted twice, answered as applied
//   - anything else                     → 409: another collector with the
//                                         same name moved it; this one must
//                                         reload instead of rewinding it
import { createHash } from "node:crypto";
import { recordUsageIn } from "@/lib/usage/record";
import { z } from "zod";
import type { TenantTx } from "@/lib/db/with-tenant";
import { sqlState } from "@/lib/db/sql-state";
import { IngestRefusal, refuseIfDenied } from "@/lib/ingest/errors";
import { line, uuid } from "@/lib/ingest/fields";
import { utcMicrosSql } from "@/lib/db/timestamps";

export const MAX_CURSOR = 2000;
const cursorField = line(MAX_CURSOR, "cursor");

export const advanceCheckpointBody = z.strictObject({
  credential_id: uuid.describe("The connector credential this position is in."),
  previous_cursor: cursorField.nullable().describe("The cursor the collector read this page from (null on the very first page)."),
  cursor: cursorField.describe("The cursor to resume from after this page (opaque to the portal)."),
  sent: z.int().min(0).max(1_000_000).describe("Alerts of this page the API created (an item it already held, answered duplicate, is not counted)."),
});
export type AdvanceCheckpoint = z.output<typeof advanceCheckpointBody>;

export interface ApiCheckpoint {
  credential_id: string;
  cursor: string | null;
  alerts_sent: number;
  last_sent_at: string | null;
  updated_at: string;
}

const COLUMNS = `k.credential_id, k.cursor, k.alerts_sent::float8 as alerts_sent, ${utcMicrosSql("k.last_sent_at")} as last_sent_at, ${utcMicrosSql("k.updated_at")} as updated_at`;

async function collectorId(tx: TenantTx, tenantId: string, name: string): Promise<string | null> {
  const { rows } = await tx.client.query<{ id: string }>("select id from public.collectors where tenant_id = $1 and name = $2", [tenantId, name]);
  return rows[0]?.id ?? null;
}

/** The collector's checkpoints (none for a collector not yet seen). */
export async function listCheckpoints(tx: TenantTx, tenantId: string, name: string): Promise<ApiCheckpoint[]> {
  const { rows } = await tx.client.query<ApiCheckpoint>(
    `select ${COLUMNS} from public.collector_checkpoints k
       join public.collectors c on c.tenant_id = k.tenant_id and c.id = k.collector_id
      where k.tenant_id = $1 and c.name = $2
      order by k.credential_id`,
    [tenantId, name],
  );
  return rows;
}

/**
 * Usage metering: an applied advance is one connector pull (a page read from the vendor and sent on).
 * Keyed by the step taken, so a retried call that is applied twice counts once.
 */
async function recordPull(tx: TenantTx, tenantId: string, collectorId: string, body: AdvanceCheckpoint): Promise<void> {
  const step = createHash("sha256").update(`${body.previous_cursor ?? ""}\u0000${body.cursor ?? ""}`).digest("hex").slice(0, 32);
  await recordUsageIn(tx, [{ tenantId, metric: "connector_pulls", quantity: 1, key: `pull:${collectorId}:${body.credential_id}:${step}`, source: "collector" }]);
}

export async function advanceCheckpoint(tx: TenantTx, tenantId: string, name: string, body: AdvanceCheckpoint): Promise<ApiCheckpoint & { replayed: boolean }> {
  try {
    const id = await collectorId(tx, tenantId, name);
    if (!id) throw new IngestRefusal("not_found", `No collector named "${name}" here: send a heartbeat first (POST /collectors/heartbeat).`);
    const read = async () =>
      (
        await tx.client.query<{ cursor: string | null }>(
          "select cursor from public.collector_checkpoints where tenant_id = $1 and collector_id = $2 and credential_id = $3 for update",
          [tenantId, id, body.credential_id],
        )
      ).rows[0];
    let stored = await read();
    if (!stored && body.previous_cursor === null) {
      // The first advance creates the row. Two at once (overlapping pods of one name): the FOR UPDATE above
      // locked nothing, so the insert decides, and the loser is judged against the winner's row below
      // (a replay of the same step, or a 409): it never adds its count on top.
      const { rows: created } = await tx.client.query<ApiCheckpoint>(
        `insert into public.collector_checkpoints as k (tenant_id, collector_id, credential_id, cursor, alerts_sent, last_sent_at)
         values ($1, $2, $3, $4, $5::bigint, case when $5::bigint > 0 then now() end)
         on conflict (tenant_id, collector_id, credential_id) do nothing
         returning ${COLUMNS}`,
        [tenantId, id, body.credential_id, body.cursor, body.sent],
      );
      if (created[0]) {
        await recordPull(tx, tenantId, id, body);
        return { ...created[0], replayed: false };
      }
      stored = await read();
    }
    if (stored && stored.cursor === body.cursor && body.previous_cursor !== body.cursor) {
      const { rows } = await tx.client.query<ApiCheckpoint>(
        `select ${COLUMNS} from public.collector_checkpoints k where k.tenant_id = $1 and k.collector_id = $2 and k.credential_id = $3`,
        [tenantId, id, body.credential_id],
      );
      return { ...rows[0], replayed: true };
    }
    if ((stored?.cursor ?? null) !== body.previous_cursor) {
      throw new IngestRefusal(
        "conflict",
        "This checkpoint has moved since the collector read it (another collector with the same name is running?); reload it and carry on from there.",
        { cursor: stored?.cursor ?? null },
      );
    }
    const { rows } = await tx.client.query<ApiCheckpoint>(
      `insert into public.collector_checkpoints as k (tenant_id, collector_id, credential_id, cursor, alerts_sent, last_sent_at)
       values ($1, $2, $3, $4, $5::bigint, case when $5::bigint > 0 then now() end)
       on conflict (tenant_id, collector_id, credential_id) do update set
         cursor = excluded.cursor,
         alerts_sent = k.alerts_sent + excluded.alerts_sent,
         last_sent_at = coalesce(excluded.last_sent_at, k.last_sent_at)
       returning ${COLUMNS}`,
      [tenantId, id, body.credential_id, body.cursor, body.sent],
    );
    await recordPull(tx, tenantId, id, body);
    return { ...rows[0], replayed: false };
  } catch (error) {
    if (error instanceof IngestRefusal) throw error;
    // The credential is not one of this tenant's (or was deleted meanwhile).
    if (sqlState(error) === "23503") throw new IngestRefusal("not_found", "No such connector credential in this tenant.");
    if (sqlState(error) === "23505") throw new IngestRefusal("conflict", "This checkpoint was created at the same moment by another call; reload it.");
    refuseIfDenied(error, "record collector checkpoints");
  }
}

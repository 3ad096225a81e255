// Raw events that do not open, and their removal by an operator
// (docs/keys-runbook.md, `npm run keys -- raw-events --tenant <slug>`).
//
// A raw event that does not open can never be opened by anyone: its bytes fail
// the AEAD check with the right key (they were altered, or copied from
// another alert or tenant: members could store such rows until migration
// 20261201031500), or the key version it names was erased (a table restored
// without the keyring of the same backup). Each one keeps a tenant's DEK
// rotation from finishing (lib/vault/rotation.ts keeps the old version while
// anything under it remains, and fails naming the raw events). The rotation
// does not delete them itself: a key that cannot be had for another reason
// (its wrapped form altered, the key service down) must never look like rows
// to delete, and removing tenant data is the operator's decision, audited.
//
// findUnopenableRawEvents lists them (nothing is changed); deleteUnopenable-
// RawEvents deletes them in one transaction that finds them again under row
// locks, deletes only if their number is the one the operator confirmed, and
// writes an `alerts.raw-events-deleted` audit row naming the alerts. A row
// that opens is never deleted; a key that fails for any reason but "erased"
// (the key service failing, its KEK unavailable, a wrapped key that does not
// unwrap) stops both with RawEventKeyServiceError, lists nothing and changes
// nothing: such a failure says nothing about the rows.
import { recordAudit } from "@/lib/audit/record";
import { withServiceRole } from "@/lib/db/service-role";
import type { Db } from "@/lib/db/with-tenant";
import { activeKeyVersion } from "@/lib/vault/keys";
import { openRawEvent, rawEventDek, RawEventUnavailableError } from "./raw";

export { RawEventKeyServiceError } from "./raw";

const BATCH = 500;

export interface UnopenableRawEvent {
  alertId: string;
  keyVersion: number;
  /** integrity: the bytes fail their check with the right key; version_erased: the key version it names is gone for good. */
  reason: "integrity" | "version_erased";
  bytes: number;
  storedAt: Date;
}

/** A refusal of the cleanup that changed nothing; its message says why and names nothing secret. */
export class RawEventCleanupError extends Error {
  override readonly name = "RawEventCleanupError";
}

/** Every raw event of the tenant that does not open, read in batches on `db` (rows locked when `lock`). */
async function scan(db: Db, tenantId: string, lock: boolean): Promise<UnopenableRawEvent[]> {
  const deks = new Map<number, Buffer | null>();
  const bad: UnopenableRawEvent[] = [];
  let after: string | null = null;
  for (;;) {
    const { rows }: { rows: { alert_id: string; key_version: number; sealed: Buffer; created_at: Date }[] } = await db.$client.query(
      `select alert_id, key_version, sealed, created_at from public.alert_raw_events
        where tenant_id = $1 and ($2::uuid is null or alert_id > $2::uuid)
        order by alert_id limit $3${lock ? " for update" : ""}`,
      [tenantId, after, BATCH],
    );
    if (rows.length === 0) return bad;
    for (const r of rows) {
      let dek = deks.get(r.key_version);
      if (dek === undefined) {
        try {
          dek = await rawEventDek(tenantId, r.key_version, db);
        } catch (error) {
          // Only a version the keyring says is gone for good; anything else (the key service down, the
          // KEK not available, an altered wrapped key) stops the scan with RawEventKeyServiceError:
          // an incident or a retry, never a reason to list or delete a row.
          if (!(error instanceof RawEventUnavailableError && error.reason === "key_gone")) throw error;
          dek = null;
        }
        deks.set(r.key_version, dek);
      }
      const about = { alertId: r.alert_id, keyVersion: r.key_version, bytes: r.sealed.length, storedAt: r.created_at };
      if (dek === null) {
        bad.push({ ...about, reason: "version_erased" });
        continue;
      }
      try {
        openRawEvent(dek, { tenantId, alertId: r.alert_id, keyVersion: r.key_version }, r.sealed);
      } catch (error) {
        if (!(error instanceof RawEventUnavailableError)) throw error;
        bad.push({ ...about, reason: "integrity" });
      }
    }
    after = rows[rows.length - 1].alert_id;
  }
}

/** The tenant's raw events that do not open, in alert id order. Reads only. */
export function findUnopenableRawEvents(tenantId: string): Promise<UnopenableRawEvent[]> {
  return withServiceRole("ingest.unopenable-raw-events", (db) => scan(db, tenantId, false));
}

/**
 * Deletes the tenant's raw events that do not open, if there are exactly
 * `confirm` of them now (the number the operator saw listed and confirmed),
 * with one audit row; otherwise deletes nothing (RawEventCleanupError).
 * `via`: what asked for it, for the audit row ("npm run keys").
 */
export async function deleteUnopenableRawEvents(
  tenantId: string,
  opts: { confirm: number; via: string },
): Promise<{ deleted: UnopenableRawEvent[] }> {
  return withServiceRole("ingest.unopenable-raw-events", async (db) => {
    if ((await activeKeyVersion(db, tenantId)) === null) {
      throw new RawEventCleanupError(
        "This tenant has no active key (its keys were destroyed): none of its raw events opens, by design, and offboarding's purge removes them. Nothing was deleted.",
      );
    }
    const bad = await scan(db, tenantId, true);
    if (bad.length !== opts.confirm) {
      throw new RawEventCleanupError(
        `${bad.length} raw event${bad.length === 1 ? "" : "s"} of this tenant do${bad.length === 1 ? "es" : ""} not open now, not ${opts.confirm} as confirmed: ` +
          "list them again and confirm that number. Nothing was deleted.",
      );
    }
    if (bad.length === 0) return { deleted: [] };
    // Locked by the scan: exactly the rows found not to open.
    await db.$client.query(`delete from public.alert_raw_events where tenant_id = $1 and alert_id = any($2::uuid[])`, [
      tenantId,
      bad.map((b) => b.alertId),
    ]);
    await recordAudit(db, {
      tenantId,
      action: "alerts.raw-events-deleted",
      targetType: "tenant",
      targetId: tenantId,
      outcome: "success",
      details: {
        via: opts.via,
        reason: "unopenable",
        count: bad.length,
        integrity_failed: bad.filter((b) => b.reason === "integrity").length,
        version_erased: bad.filter((b) => b.reason === "version_erased").length,
        // The first 50 (the audit writer's limit for a list); count says how many there were.
        alerts: bad.map((b) => b.alertId),
      },
    });
    return { deleted: bad };
  });
}

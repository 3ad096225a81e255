// Key rotation (DESIGN.md, "Secrets and keys"): the job handlers, and the same
// DEK rotation as a plain function for commands and the benchmark.
//
// DEK rotation of one tenant (job kind "vault.rotate-dek"):
//   1. a new DEK version becomes active (keyring.create_tenant_key; the old
//      one becomes 'retiring' and still opens). In a job, the new version is
//      written to the job's payload in the same transaction, so a worker that
//      dies and is replaced never creates a second one.
//   2. every credential under an older version is re-sealed under the new one,
//      in batches (one SELECT, one UPDATE, each batch its own transaction with
//      the job's progress): opened with its own version's DEK, sealed with
//      the new DEK (the AAD names the new version), written back only where
//      the row still holds exactly the bytes that were opened. A row replaced
//      meanwhile (its owner rotated the secret, which seals under the active
//      key) is skipped: the newer write wins.
//   3. each retiring version that no longer seals anything is retired
//      (keyring.retire_tenant_key erases it, and refuses if a row still
//      uses it; then step 2 runs again).
// A row that does not open (a credential, a channel's signing secret or a raw
// event whose bytes fail their check, or that names an erased version) is
// left as it is and keeps its version from being erased; the job then fails
// for good, naming each table and how many of its rows (never an id or a
// byte of a secret) and the way out for each (docs/keys-runbook.md: for raw
// events, `npm run keys -- raw-events`, lib/ingest/raw-unopenable.ts).
// A key that cannot be had this time (the key service failing, the KEK not
// available, a wrapped key that does not unwrap) is not a row that does not
// open: it stops the pass with that error, nothing is counted, and the job
// is retried.
// At every instant every credential opens: rows are written only after
// they were opened, and a key is erased only once nothing uses it. A worker
// killed anywhere leaves a mix of old- and new-version rows, all readable,
// and the next attempt carries on from there.
//
// KEK rotation of an MSSP (job kind "vault.rotate-kek", on the MSSP root):
// keyring.rotate_kek re-wraps, in one transaction, every DEK any version of
// the MSSP's KEK wraps (found by the keyring's rows, not by the tree), and
// repairs keys a move made before keys followed moves left on the wrong side.
import { sqlState } from "@/lib/db/sql-state";
import { z } from "zod";
import { withServiceRole } from "@/lib/db/service-role";
import type { Db } from "@/lib/db/with-tenant";
import { checkpoint, PermanentJobError, updateClaimedJob, type ClaimedJob, type JobContext, type JobHandler } from "@/lib/jobs";
import { CredentialIntegrityError } from "./errors";
import { activeKeyVersion, dekFor, evictTenantKeys, rotateKek } from "./keys";
import { resealChannelSecrets } from "@/lib/notify/secret";
import { resealRawEvents } from "@/lib/ingest/raw";
import { openSecret, sealSecret } from "./seal";

export const ROTATE_DEK_KIND = "vault.rotate-dek";
export const ROTATE_KEK_KIND = "vault.rotate-kek";
export const DEFAULT_BATCH_SIZE = 500;
const MAX_BATCH_SIZE = 5_000;
/** Step 2 + 3 again if a retiring key turned out to be in use (a write that raced the last pass). */
const MAX_PASSES = 3;

export const dekPayloadSchema = z
  .object({
    batchSize: z.number().int().min(1).max(MAX_BATCH_SIZE).optional(),
    /** Set by step 1: the version this rotation re-seals to. */
    targetVersion: z.number().int().positive().optional(),
  })
  .passthrough();

export interface DekRotationOptions {
  batchSize?: number;
  /** After each committed batch (tests inject delays and concurrent writes here). */
  afterBatch?: (state: { done: number; total: number; targetVersion: number }) => Promise<void> | void;
  signal?: AbortSignal;
}

export interface DekRotationResult {
  targetVersion: number;
  /** Credentials re-sealed under targetVersion by this run. */
  resealed: number;
  /** Credentials skipped because they were replaced meanwhile (already under the active key). */
  skipped: number;
  /** Versions erased by this run. */
  retiredVersions: number[];
}

async function createKeyVersion(db: Db, tenantId: string): Promise<number> {
  try {
    const { rows } = await db.$client.query<{ version: number }>(`select keyring.create_tenant_key($1::uuid) as version`, [tenantId]);
    return rows[0].version;
  } catch (error) {
    const code = sqlState(error);
    if (code === "55000") {
      throw new PermanentJobError("This tenant's keys were destroyed (crypto-shredded); it cannot get a new key. Nothing was changed.");
    }
    if (code === "23503") throw new PermanentJobError("The tenant no longer exists.");
    throw error;
  }
}

/**
 * Step 1: the version to re-seal to. In a job, the one its payload names if it
 * is still the active one; otherwise a new one, recorded in the payload in
 * the same transaction.
 */
async function targetVersionFor(tenantId: string, job: ClaimedJob | undefined): Promise<number> {
  const recorded = job ? dekPayloadSchema.parse(job.payload).targetVersion : undefined;
  return withServiceRole("jobs.worker", async (db) => {
    if (recorded !== undefined) {
      const active = await activeKeyVersion(db, tenantId);
      if (active === recorded) return recorded;
      // Someone made a newer key active meanwhile: re-seal to that one instead.
      if (active !== null && active > recorded) {
        await updateClaimedJob(db, job!, { payload: { targetVersion: active } });
        return active;
      }
      if (active === null) throw new PermanentJobError("The tenant has no active key (its keys were destroyed). Nothing was changed.");
    }
    const version = await createKeyVersion(db, tenantId);
    if (job) await updateClaimedJob(db, job, { payload: { targetVersion: version } });
    return version;
  });
}

async function countBehind(tenantId: string, target: number): Promise<number> {
  return withServiceRole("jobs.worker", async (db) => {
    const { rows } = await db.$client.query<{ n: number }>(
      `select count(*)::int as n from public.credentials where tenant_id = $1 and key_version < $2`,
      [tenantId, target],
    );
    return rows[0].n;
  });
}

interface BatchOutcome {
  read: number;
  written: number;
  lastId: string | null;
  /** Rows that did not open (integrity failure): left as they are. */
  unopenable: number;
}

interface CredentialRowRaw {
  id: string;
  key_version: number;
  sealed: Buffer;
}

/**
 * Step 2, one batch, one transaction: one SELECT of up to `batchSize` rows
 * behind `target` after `afterId` (keyset order), one UPDATE writing the
 * re-sealed ones back, and the job's progress.
 */
async function resealBatch(
  tenantId: string,
  target: number,
  afterId: string | null,
  batchSize: number,
  job: ClaimedJob | undefined,
): Promise<BatchOutcome> {
  const targetDek = await dekFor(tenantId, target);
  return withServiceRole("jobs.worker", async (db) => {
    const { rows } = await db.$client.query<CredentialRowRaw>(
      `select id, key_version, sealed from public.credentials
        where tenant_id = $1 and key_version < $2 and ($3::uuid is null or id > $3::uuid)
        order by id limit $4`,
      [tenantId, target, afterId, batchSize],
    );
    if (rows.length === 0) return { read: 0, written: 0, lastId: afterId, unopenable: 0 };

    const deks = new Map<number, Buffer>();
    const ids: string[] = [];
    const oldVersions: number[] = [];
    const oldSealed: Buffer[] = [];
    const newSealed: Buffer[] = [];
    let unopenable = 0;
    for (const row of rows) {
      let dek = deks.get(row.key_version);
      if (!dek) {
        dek = await dekFor(tenantId, row.key_version, db); // on this batch's connection, not a second one
        deks.set(row.key_version, dek);
      }
      let plaintext: string;
      try {
        plaintext = openSecret(dek, { tenantId, credentialId: row.id, keyVersion: row.key_version }, row.sealed);
      } catch (error) {
        if (error instanceof CredentialIntegrityError) {
          unopenable++;
          continue;
        }
        throw error;
      }
      ids.push(row.id);
      oldVersions.push(row.key_version);
      oldSealed.push(row.sealed);
      newSealed.push(sealSecret(targetDek, { tenantId, credentialId: row.id, keyVersion: target }, plaintext));
    }

    let written = 0;
    if (ids.length > 0) {
      // Only rows that still hold exactly what was opened: a concurrent
      // replacement (sealed under the active key by its owner) wins.
      const result = await db.$client.query(
        `update public.credentials c set sealed = n.new_sealed, key_version = $2
           from unnest($3::uuid[], $4::int[], $5::bytea[], $6::bytea[]) as n(id, old_version, old_sealed, new_sealed)
          where c.tenant_id = $1 and c.id = n.id and c.key_version = n.old_version and c.sealed = n.old_sealed`,
        [tenantId, target, ids, oldVersions, oldSealed, newSealed],
      );
      written = result.rowCount ?? 0;
    }
    if (job) await updateClaimedJob(db, job, { progressDone: job.progressDone + rows.length });
    return { read: rows.length, written, lastId: rows[rows.length - 1].id, unopenable };
  });
}

/** Step 3: retire every retiring version nothing uses any more. Returns [retired, still in use]. */
async function retireUnused(tenantId: string, target: number): Promise<{ retired: number[]; inUse: number[] }> {
  const { retiring, used } = await withServiceRole("vault.keys", async (db) => {
    const r = await db.$client.query<{ version: number }>(
      `select version from keyring.key_status($1::uuid) where status = 'retiring' and version < $2 order by version`,
      [tenantId, target],
    );
    const u = await db.$client.query<{ key_version: number }>(
      // Webhook signing secrets (lib/notify/secret.ts) and raw events (lib/ingest/raw.ts) are sealed under the same keys.
      `select key_version from public.credentials where tenant_id = $1 and key_version < $2
       union select key_version from public.notification_channels where tenant_id = $1 and key_version < $2
       union select key_version from public.alert_raw_events where tenant_id = $1 and key_version < $2`,
      [tenantId, target],
    );
    return { retiring: r.rows.map((x) => x.version), used: new Set(u.rows.map((x) => x.key_version)) };
  });
  const retired: number[] = [];
  const inUse: number[] = [];
  for (const version of retiring) {
    if (used.has(version)) {
      inUse.push(version);
      continue;
    }
    try {
      await withServiceRole("vault.keys", (db) => db.$client.query(`select keyring.retire_tenant_key($1::uuid, $2)`, [tenantId, version]));
      retired.push(version);
    } catch (error) {
      // 55000: a credential under it appeared after the check above.
      if (sqlState(error) !== "55000") throw error;
      inUse.push(version);
    }
  }
  return { retired, inUse };
}

/** What did not open in one pass, by table. */
interface Unopenable {
  credentials: number;
  channels: number;
  rawEvents: number;
}

const count = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/**
 * The rotation's failure when rows did not open: each table and how many of
 * its rows, what was kept, and the way out for each kind (docs/keys-runbook.md).
 * Counts and names only: no id, no byte of a secret.
 */
async function unopenableMessage(tenantId: string, u: Unopenable, inUse: number[], targetVersion: number): Promise<string> {
  const what: string[] = [];
  const fixes: string[] = [];
  if (u.credentials > 0) {
    what.push(`${count(u.credentials, "credential", "credentials")} (public.credentials)`);
    fixes.push("credentials: Test on the tenant's Credentials page finds them; Replace secret or delete each");
  }
  if (u.channels > 0) {
    what.push(`${count(u.channels, "webhook signing secret", "webhook signing secrets")} (public.notification_channels)`);
    fixes.push("webhook signing secrets: Replace secret on each notification channel");
  }
  if (u.rawEvents > 0) {
    const slug = await withServiceRole("jobs.worker", async (db) => {
      const { rows } = await db.$client.query<{ slug: string }>(`select slug from public.tenants where id = $1`, [tenantId]);
      return rows[0]?.slug ?? "<slug>";
    });
    what.push(`${count(u.rawEvents, "raw event", "raw events")} of alerts (public.alert_raw_events)`);
    fixes.push(`raw events: \`npm run keys -- raw-events --tenant ${slug}\` lists them, and with --delete --confirm <count> deletes them, audited`);
  }
  const kept =
    inUse.length === 0
      ? "no key version is kept for them (the ones they name are gone already)"
      : `key version${inUse.length === 1 ? "" : "s"} ${inUse.join(", ")} ${inUse.length === 1 ? "was" : "were"} kept so nothing changes for them`;
  return (
    `Rows of this tenant did not open (integrity check failed, or the key version they name is gone) and could not be re-sealed: ` +
    `${what.join(", ")}; ${kept}. Everything else is on version ${targetVersion}. ` +
    `To finish: ${fixes.join("; ")} (docs/keys-runbook.md), then rotate again.`
  );
}

function interrupted(signal: AbortSignal | undefined, ctx: JobContext | undefined) {
  if (ctx) checkpoint(ctx);
  else if (signal?.aborted) throw signal.reason ?? new Error("rotation aborted");
}

async function rotate(tenantId: string, opts: DekRotationOptions, ctx?: JobContext): Promise<DekRotationResult> {
  const job = ctx?.job;
  const batchSize = Math.min(MAX_BATCH_SIZE, Math.max(1, Math.floor(opts.batchSize ?? DEFAULT_BATCH_SIZE)));
  let targetVersion = await targetVersionFor(tenantId, job);
  evictTenantKeys(tenantId);
  const outcome: DekRotationResult = { targetVersion, resealed: 0, skipped: 0, retiredVersions: [] };
  let done = job?.progressDone ?? 0;

  for (let pass = 1; ; pass++) {
    interrupted(opts.signal, ctx);
    const total = done + (await countBehind(tenantId, targetVersion));
    if (ctx) await ctx.progress(done, total);
    let afterId: string | null = null;
    const unopenable: Unopenable = { credentials: 0, channels: 0, rawEvents: 0 };
    for (;;) {
      const batch = await resealBatch(tenantId, targetVersion, afterId, batchSize, job);
      if (batch.read === 0) break;
      afterId = batch.lastId;
      done += batch.read;
      outcome.resealed += batch.written;
      outcome.skipped += batch.read - batch.written - batch.unopenable;
      unopenable.credentials += batch.unopenable;
      await opts.afterBatch?.({ done, total, targetVersion });
      interrupted(opts.signal, ctx);
    }
    // The channels' signing secrets: few per tenant, so one transaction.
    unopenable.channels += (await withServiceRole("jobs.worker", (db) => resealChannelSecrets(db, tenantId, targetVersion))).unopenable;
    // Raw events of API-ingested alerts (lib/ingest/raw.ts), in batches of their own.
    unopenable.rawEvents += (await resealRawEvents(tenantId, targetVersion, batchSize)).unopenable;

    const { retired, inUse } = await retireUnused(tenantId, targetVersion);
    outcome.retiredVersions.push(...retired);
    evictTenantKeys(tenantId);
    if (unopenable.credentials + unopenable.channels + unopenable.rawEvents > 0) {
      throw new PermanentJobError(await unopenableMessage(tenantId, unopenable, inUse, targetVersion));
    }
    if (inUse.length === 0) return outcome;
    if (pass >= MAX_PASSES) {
      throw new Error(`key versions ${inUse.join(", ")} are still in use after ${pass} passes; the rotation will be retried`);
    }
    // A write under an old key committed after its pass (or a retiring key
    // from an earlier rotation): run step 2 again.
    const newer = await withServiceRole("jobs.worker", (db) => activeKeyVersion(db, tenantId));
    if (newer !== null && newer !== targetVersion) targetVersion = outcome.targetVersion = newer;
  }
}

/**
 * Re-seals every credential of one tenant under a new DEK and retires the old
 * versions, synchronously and without the queue (commands, the benchmark).
 * Same steps and guarantees as the "vault.rotate-dek" job.
 */
export function rotateTenantDek(tenantId: string, opts: DekRotationOptions = {}): Promise<DekRotationResult> {
  return rotate(tenantId, opts);
}

/** The "vault.rotate-dek" handler; options for tests and commands (batch size, a hook after each batch). */
export function createRotateDekHandler(opts: Omit<DekRotationOptions, "signal"> = {}): JobHandler {
  return {
    // The worker asks the PDP before run (lib/jobs/worker.ts requireCreatorMay).
    requires: "keys:rotate",
    async run(ctx) {
      const parsed = dekPayloadSchema.safeParse(ctx.job.payload);
      if (!parsed.success) throw new PermanentJobError("The job's settings are not valid (batchSize must be 1–5000).");
      const result = await rotate(ctx.job.tenantId, { ...opts, batchSize: parsed.data.batchSize ?? opts.batchSize }, ctx);
      return {
        result: { ...result },
        audit: {
          action: "keys.dek-rotated",
          targetType: "tenant",
          targetId: ctx.job.tenantId,
          details: {
            target_version: result.targetVersion,
            resealed: result.resealed,
            skipped: result.skipped,
            retired_versions: result.retiredVersions,
          },
        },
      };
    },
    auditFailure: (job, error) => ({
      action: "keys.dek-rotation-failed",
      targetType: "tenant",
      targetId: job.tenantId,
      details: { error: error.message },
    }),
  };
}

/** The "vault.rotate-kek" handler (a job on the MSSP root tenant). */
export function createRotateKekHandler(): JobHandler {
  return {
    requires: "keys:rotate",
    async run(ctx) {
      await ctx.progress(0, 1);
      let rotated;
      try {
        rotated = await rotateKek(ctx.job.tenantId);
      } catch (error) {
        if (sqlState(error) === "22023") throw new PermanentJobError("Key-encryption keys belong to an MSSP; this tenant is not one.");
        throw error;
      }
      await ctx.progress(1, 1);
      // Repairs are rare (keys left behind by a move made before keys followed
      // moves): named only when there were some, so the usual answer is unchanged.
      const repaired = rotated.repaired > 0 ? { repaired: rotated.repaired } : {};
      return {
        result: { newVersion: rotated.newVersion, rewrapped: rotated.rewrapped, ...repaired },
        audit: {
          action: "keys.kek-rotated",
          targetType: "tenant",
          targetId: ctx.job.tenantId,
          details: { kek_version: rotated.newVersion, rewrapped: rotated.rewrapped, ...repaired },
        },
      };
    },
    auditFailure: (job, error) => ({
      action: "keys.kek-rotation-failed",
      targetType: "tenant",
      targetId: job.tenantId,
      details: { error: error.message },
    }),
  };
}

/** The handlers of this module by kind (lib/jobs/default-handlers registers them). */
export function rotationHandlers(): Record<string, JobHandler> {
  return { [ROTATE_DEK_KIND]: createRotateDekHandler(), [ROTATE_KEK_KIND]: createRotateKekHandler() };
}

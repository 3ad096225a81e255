// Batch alert ingestion (POST /alerts), inside the caller's withTenant
// transaction, so RLS decides whether the caller may write in the tenant.
//
// One batch is a handful of statements, whatever its size:
//   1. (when items name assets) one SELECT of the named assets, under RLS;
//   2. one INSERT … SELECT FROM unnest(arrays) ON CONFLICT (tenant_id, source,
//      external_id) DO NOTHING RETURNING: created rows come back, re-sent ones
//      do not;
//   3. (when some were re-sent) one SELECT of the existing ids, to report them;
//   4. (when items carry a raw payload) one INSERT of the sealed payloads.
// Every row's tenant is the call's: the items have no tenant field, and the
// schema refuses one. Idempotent: sending the same batch again creates
// nothing and answers each item "duplicate" with the alert it matched.
// Workflow rules evaluate these alerts as any other arrival: the statement
// trigger on public.alerts (migration 20261201004000) queues the evaluation
// in this same transaction.
import type { TenantTx } from "@/lib/db/with-tenant";
import { sqlState } from "@/lib/db/sql-state";
import { meterIngestedAlerts } from "@/lib/usage/record";
import { IngestRefusal, refuseIfDenied } from "./errors";
import type { BatchItem } from "./fields";
import { sealRawEvent, sealingKey } from "./raw";
import { MAX_BATCH, type AlertItem } from "./schemas";

export type ItemResult =
  | { index: number; status: "created"; id: string }
  | { index: number; status: "duplicate"; id: string }
  | { index: number; status: "rejected"; reason: string };

export interface BatchSummary {
  created: number;
  duplicates: number;
  rejected: number;
}

export interface AlertBatchResult {
  summary: BatchSummary;
  results: ItemResult[];
}

/** How far ahead of the server's clock a detected_at may be (sensor clock skew). */
const FUTURE_SKEW_MS = 5 * 60 * 1000;

interface Row {
  index: number;
  item: AlertItem;
  assetId: string | null;
  rawJson: string | null;
}

const key = (source: string, externalId: string) => `${source}\u0000${externalId}`;

export function summarize(results: readonly ItemResult[]): BatchSummary {
  const summary: BatchSummary = { created: 0, duplicates: 0, rejected: 0 };
  for (const r of results) {
    if (r.status === "created") summary.created++;
    else if (r.status === "duplicate") summary.duplicates++;
    else summary.rejected++;
  }
  return summary;
}

/** Assets the items name, by id and by external id, that exist in the tenant for the caller. */
async function resolveAssets(tx: TenantTx, tenantId: string, items: AlertItem[]) {
  const ids = [...new Set(items.flatMap((i) => (i.asset_id ? [i.asset_id.toLowerCase()] : [])))];
  const external = [...new Set(items.flatMap((i) => (i.asset_external_id ? [i.asset_external_id] : [])))];
  const byId = new Set<string>();
  const byExternal = new Map<string, string>();
  if (ids.length === 0 && external.length === 0) return { byId, byExternal };
  const { rows } = await tx.client.query<{ id: string; external_id: string | null }>(
    `select id, external_id from public.assets
      where tenant_id = $1 and (id = any ($2::uuid[]) or external_id = any ($3::text[]))`,
    [tenantId, ids, external],
  );
  for (const r of rows) {
    byId.add(r.id);
    if (r.external_id) byExternal.set(r.external_id, r.id);
  }
  return { byId, byExternal };
}

/**
 * Ingests one batch for `tenantId` (the call's tenant). Items that did not
 * parse arrive as { ok: false, reason } and are reported, not stored.
 */
export async function ingestAlerts(tx: TenantTx, tenantId: string, batch: readonly BatchItem<AlertItem>[], now = new Date()): Promise<AlertBatchResult> {
  if (batch.length > MAX_BATCH) throw new IngestRefusal("invalid", `A batch holds at most ${MAX_BATCH} alerts; this one has ${batch.length}. Nothing was written.`);
  const results: (ItemResult | undefined)[] = new Array(batch.length);
  const parsed: { index: number; item: AlertItem }[] = [];
  batch.forEach((b, index) => {
    if (!b.ok) results[index] = { index, status: "rejected", reason: b.reason };
    else parsed.push({ index, item: b.value });
  });

  const assets = await resolveAssets(tx, tenantId, parsed.map((p) => p.item));
  const firstOf = new Map<string, number>();
  const laterCopies: { index: number; of: number }[] = [];
  const rows: Row[] = [];
  for (const { index, item } of parsed) {
    if (item.detected_at && Date.parse(item.detected_at) > now.getTime() + FUTURE_SKEW_MS) {
      results[index] = { index, status: "rejected", reason: "detected_at is in the future (more than 5 minutes ahead of the server's clock)" };
      continue;
    }
    let assetId: string | null = null;
    if (item.asset_id) {
      assetId = item.asset_id.toLowerCase();
      if (!assets.byId.has(assetId)) {
        // Another tenant's asset reads as absent: existence is not revealed.
        results[index] = { index, status: "rejected", reason: "asset_id names no asset of this tenant" };
        continue;
      }
    } else if (item.asset_external_id) {
      assetId = assets.byExternal.get(item.asset_external_id) ?? null;
      if (!assetId) {
        results[index] = { index, status: "rejected", reason: "asset_external_id names no asset of this tenant (send it with POST /assets first)" };
        continue;
      }
    }
    const k = key(item.source, item.external_id);
    const first = firstOf.get(k);
    if (first !== undefined) {
      laterCopies.push({ index, of: first });
      continue;
    }
    firstOf.set(k, index);
    rows.push({ index, item, assetId, rawJson: item.raw ? JSON.stringify(item.raw) : null });
  }

  // The key is fetched before anything is written: a tenant whose keys were
  // destroyed cannot keep raw evidence, so the batch is refused whole.
  let sealKey = rows.some((r) => r.rawJson !== null) ? await sealingKey(tenantId, false, tx.db) : null;
  if (rows.some((r) => r.rawJson !== null) && !sealKey) {
    throw new IngestRefusal("conflict", "This tenant has no data key (its keys were destroyed), so raw events cannot be stored. Nothing was written.");
  }

  const created = new Map<string, string>();
  if (rows.length > 0) {
    const col = <T>(f: (r: Row) => T) => rows.map(f);
    let inserted;
    try {
      inserted = await tx.client.query<{ id: string; source: string; external_id: string }>(
        `insert into public.alerts
           (tenant_id, title, description, severity, source, external_id, rule_name, hostname, source_ip, asset_id, detected_at)
         select $1::uuid, t.title, t.description, t.severity, t.source, t.external_id, t.rule_name, t.hostname, t.source_ip, t.asset_id,
                coalesce(t.detected_at, now())
           from unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::inet[], $10::uuid[], $11::timestamptz[])
                as t(title, description, severity, source, external_id, rule_name, hostname, source_ip, asset_id, detected_at)
         on conflict (tenant_id, source, external_id) do nothing
         returning id, source, external_id`,
        [
          tenantId,
          col((r) => r.item.title),
          col((r) => r.item.description ?? ""),
          col((r) => r.item.severity),
          col((r) => r.item.source),
          col((r) => r.item.external_id),
          col((r) => r.item.rule_name ?? null),
          col((r) => r.item.hostname ?? null),
          col((r) => r.item.source_ip ?? null),
          col((r) => r.assetId),
          col((r) => r.item.detected_at ?? null),
        ],
      );
    } catch (error) {
      refuseIfDenied(error, "ingest alerts");
    }
    for (const r of inserted.rows) created.set(key(r.source, r.external_id), r.id);
  }

  const existing = new Map<string, string>();
  const missing = rows.filter((r) => !created.has(key(r.item.source, r.item.external_id)));
  if (missing.length > 0) {
    const { rows: found } = await tx.client.query<{ id: string; source: string; external_id: string }>(
      `select a.id, a.source, a.external_id from public.alerts a
         join unnest($2::text[], $3::text[]) as k(source, external_id) on a.source = k.source and a.external_id = k.external_id
        where a.tenant_id = $1`,
      [tenantId, missing.map((r) => r.item.source), missing.map((r) => r.item.external_id)],
    );
    for (const r of found) existing.set(key(r.source, r.external_id), r.id);
  }

  const sealed: { alertId: string; json: string }[] = [];
  for (const r of rows) {
    const k = key(r.item.source, r.item.external_id);
    const id = created.get(k);
    if (id) {
      results[r.index] = { index: r.index, status: "created", id };
      if (r.rawJson !== null) sealed.push({ alertId: id, json: r.rawJson });
      continue;
    }
    const dup = existing.get(k);
    // Conflicted but not visible: cannot happen within one tenant under the
    // select policy that admits writers; reported rather than assumed.
    results[r.index] = dup
      ? { index: r.index, status: "duplicate", id: dup }
      : { index: r.index, status: "rejected", reason: "an alert with this source and external_id exists but cannot be read here" };
  }
  for (const { index, of } of laterCopies) {
    const first = results[of];
    results[index] =
      first && first.status !== "rejected"
        ? { index, status: "duplicate", id: first.id }
        : { index, status: "rejected", reason: `same source and external_id as item ${of}, which was rejected` };
  }

  if (sealed.length > 0) {
    try {
      await storeRaw(tx, tenantId, sealed, sealKey!);
    } catch (error) {
      // 40001 from the seal-key trigger: a DEK rotation made another version
      // active since the key was read. Seal again under the new one, once.
      if (sqlState(error) !== "40001") throw error;
      await tx.client.query("rollback to savepoint ingest_raw");
      sealKey = await sealingKey(tenantId, true, tx.db);
      if (!sealKey) throw new IngestRefusal("conflict", "This tenant's data key was destroyed during the call. Nothing was written.");
      await storeRaw(tx, tenantId, sealed, sealKey);
    }
  }

  const final = results.map((r, index) => r ?? { index, status: "rejected" as const, reason: "not processed" });
  await meterIngestedAlerts(tx, tenantId, [...created.values()], summarize(final)); // usage metering + metrics (lib/usage)
  return { summary: summarize(final), results: final };
}

async function storeRaw(tx: TenantTx, tenantId: string, items: { alertId: string; json: string }[], k: { version: number; dek: Buffer }) {
  const ids = items.map((i) => i.alertId);
  const blobs = items.map((i) => sealRawEvent(k.dek, { tenantId, alertId: i.alertId, keyVersion: k.version }, i.json));
  await tx.client.query("savepoint ingest_raw");
  try {
    await tx.client.query(
      `insert into public.alert_raw_events (tenant_id, alert_id, sealed, key_version)
       select $1::uuid, r.alert_id, r.sealed, $2::int from unnest($3::uuid[], $4::bytea[]) as r(alert_id, sealed)`,
      [tenantId, k.version, ids, blobs],
    );
  } catch (error) {
    if (sqlState(error) === "42501") refuseIfDenied(error, "store raw events");
    throw error;
  }
  await tx.client.query("release savepoint ingest_raw");
}

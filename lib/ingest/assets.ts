// Assets by external id (POST /assets, GET /assets), in the caller's
// withTenant transaction.
//
// An upsert batch is one SELECT of what its external ids and host names
// already name, then at most three statements over unnest(arrays): the
// adoptions, one UPDATE of the known assets (fields not sent keep their
// value), one INSERT of the new ones. A host name is unique in a tenant, so each item is decided first:
//   - its external id exists            → that asset is updated;
//   - its host name belongs to an asset  → that asset adopts the external id
//     with no external id (made by hand     (one UPDATE for all such items),
//     or by the demo seed)                  then is updated like the above;
//   - its host name belongs to an asset  → rejected: two senders disagree
//     with another external id              about what the host is;
//   - otherwise                          → created, while the tenant has room
//                                           under limits.assets (past it, rejected).
// Items repeating an external id or a host name earlier in the batch are
// rejected, so one statement never touches a row twice. A concurrent request
// that creates one of the batch's assets first makes the writes fail on a
// unique index: the batch is then decided and written again, once (a savepoint).
import type { TenantTx } from "@/lib/db/with-tenant";
import { sqlState } from "@/lib/db/sql-state";
import { assetRoom } from "@/lib/settings/enforce";
import { IngestRefusal, refuseIfDenied } from "./errors";
import type { BatchItem } from "./fields";
import { decodeAssetCursor, encodeAssetCursor } from "./cursor";
import { MAX_BATCH, type AssetItem } from "./schemas";
import { utcMicrosSql } from "@/lib/db/timestamps";

export type AssetResult =
  | { index: number; status: "created" | "updated"; id: string }
  | { index: number; status: "rejected"; reason: string };

export interface AssetBatchResult {
  summary: { created: number; updated: number; rejected: number };
  results: AssetResult[];
}

export async function upsertAssets(tx: TenantTx, tenantId: string, batch: readonly BatchItem<AssetItem>[]): Promise<AssetBatchResult> {
  return (await upsertAssetsWithAdoptions(tx, tenantId, batch)).result;
}

/** upsertAssets, also saying which existing assets (made without an external id) adopted one: for the audit row. */
export async function upsertAssetsWithAdoptions(
  tx: TenantTx,
  tenantId: string,
  batch: readonly BatchItem<AssetItem>[],
): Promise<{ result: AssetBatchResult; adoptedIds: string[] }> {
  if (batch.length > MAX_BATCH) throw new IngestRefusal("invalid", `A batch holds at most ${MAX_BATCH} assets; this one has ${batch.length}. Nothing was written.`);
  const parsed: (AssetResult | undefined)[] = new Array(batch.length);
  const items: { index: number; item: AssetItem }[] = [];
  batch.forEach((b, index) => {
    if (!b.ok) parsed[index] = { index, status: "rejected", reason: b.reason };
    else items.push({ index, item: b.value });
  });
  // A concurrent request may create one of these external ids or host names between this batch's
  // SELECT and its writes (two collectors reporting the same new host): the unique index then
  // refuses the write (23505) once the other request has committed. The batch is decided again,
  // once, against what is stored now (the other request's asset is then updated or, another
  // external id's host, rejected for its item), so concurrent senders do not see 409s.
  await tx.client.query("savepoint upsert_assets");
  try {
    let outcome;
    try {
      outcome = await decideAndWrite(tx, tenantId, items, [...parsed]);
    } catch (error) {
      if (sqlState(error) !== "23505") throw error;
      await tx.client.query("rollback to savepoint upsert_assets");
      outcome = await decideAndWrite(tx, tenantId, items, [...parsed]);
    }
    await tx.client.query("release savepoint upsert_assets");
    return outcome;
  } catch (error) {
    // Taken again by yet another writer during the retry.
    if (sqlState(error) === "23505") throw new IngestRefusal("conflict", "Another request changed these assets at the same time; send the batch again. Nothing was written.");
    // The database's own check of limits.assets (migration 20261201031100); assetRoom keeps batches under it.
    if (sqlState(error) === "54000") throw new IngestRefusal("conflict", "This tenant has reached its asset limit (limits.assets); ask the MSSP to raise it. Nothing was written.");
    refuseIfDenied(error, "register assets");
  }
}

async function decideAndWrite(
  tx: TenantTx,
  tenantId: string,
  items: readonly { index: number; item: AssetItem }[],
  results: (AssetResult | undefined)[],
): Promise<{ result: AssetBatchResult; adoptedIds: string[] }> {
  const { rows: known } = items.length
    ? await tx.client.query<{ id: string; external_id: string | null; hostname: string }>(
        `select id, external_id, hostname from public.assets
          where tenant_id = $1 and (external_id = any ($2::text[]) or hostname = any ($3::text[]))`,
        [tenantId, items.map((i) => i.item.external_id), items.map((i) => i.item.hostname)],
      )
    : { rows: [] };
  const byExternal = new Map(known.filter((k) => k.external_id).map((k) => [k.external_id!, k]));
  const byHost = new Map(known.map((k) => [k.hostname, k]));

  const seenExternal = new Set<string>();
  const seenHost = new Set<string>();
  const write: { index: number; item: AssetItem }[] = [];
  const adopt: { id: string; externalId: string }[] = [];
  for (const { index, item } of items) {
    if (seenExternal.has(item.external_id) || seenHost.has(item.hostname)) {
      results[index] = { index, status: "rejected", reason: "repeats an external_id or hostname of an earlier item in this batch" };
      continue;
    }
    seenExternal.add(item.external_id);
    seenHost.add(item.hostname);
    const mine = byExternal.get(item.external_id);
    const host = byHost.get(item.hostname);
    if (host && host.id !== mine?.id) {
      if (host.external_id !== null || mine) {
        results[index] = { index, status: "rejected", reason: "hostname belongs to another asset of this tenant (with another external_id)" };
        continue;
      }
      adopt.push({ id: host.id, externalId: item.external_id });
    }
    write.push({ index, item });
  }

  const ids = new Map<string, { id: string; inserted: boolean }>();
  // Known by external id (or adopted just now): updated; fields not sent keep their value.
  const updates = write.filter((w) => byExternal.has(w.item.external_id) || adopt.some((a) => a.externalId === w.item.external_id));
  let inserts = write.filter((w) => !updates.includes(w));
  // New assets past the tenant's limits.assets are rejected one by one, in batch order; the rest is written.
  if (inserts.length > 0) {
    const room = await assetRoom(tx, tenantId);
    if (inserts.length > room.free) {
      const reason = `over the tenant's asset limit: ${room.limit.toLocaleString("en-US")} assets (limits.assets), ${room.registered.toLocaleString("en-US")} registered; ask the MSSP to raise it`;
      for (const { index } of inserts.slice(room.free)) results[index] = { index, status: "rejected", reason };
      inserts = inserts.slice(0, room.free);
    }
  }
  const arrays = (rows: { item: AssetItem }[]) => {
    const col = <T>(f: (i: AssetItem) => T) => rows.map((w) => f(w.item));
    return [
      col((i) => i.external_id),
      col((i) => i.hostname),
      col((i) => i.ip_address ?? null),
      col((i) => i.os ?? null),
      col((i) => i.kind ?? null),
      col((i) => i.criticality ?? null),
      col((i) => i.owner_email ?? null),
      col((i) => i.last_seen_at ?? null),
    ];
  };
  const UNNEST = `unnest($2::text[], $3::text[], $4::inet[], $5::text[], $6::text[], $7::text[], $8::text[], $9::timestamptz[])
                  as n(external_id, hostname, ip_address, os, kind, criticality, owner_email, last_seen_at)`;
  if (adopt.length > 0) {
    await tx.client.query(
      `update public.assets a set external_id = n.external_id
         from unnest($2::uuid[], $3::text[]) as n(id, external_id)
        where a.tenant_id = $1 and a.id = n.id and a.external_id is null`,
      [tenantId, adopt.map((a) => a.id), adopt.map((a) => a.externalId)],
    );
  }
  if (updates.length > 0) {
    const { rows } = await tx.client.query<{ id: string; external_id: string }>(
      `update public.assets a set
         hostname = n.hostname,
         ip_address = coalesce(n.ip_address, a.ip_address),
         os = coalesce(n.os, a.os),
         kind = coalesce(n.kind, a.kind),
         criticality = coalesce(n.criticality, a.criticality),
         owner_email = coalesce(n.owner_email, a.owner_email),
         last_seen_at = greatest(n.last_seen_at, a.last_seen_at)
         from ${UNNEST}
        where a.tenant_id = $1 and a.external_id = n.external_id
        returning a.id, a.external_id`,
      [tenantId, ...arrays(updates)],
    );
    for (const r of rows) ids.set(r.external_id, { id: r.id, inserted: false });
  }
  if (inserts.length > 0) {
    const { rows } = await tx.client.query<{ id: string; external_id: string }>(
      `insert into public.assets (tenant_id, external_id, hostname, ip_address, os, kind, criticality, owner_email, last_seen_at)
       select $1::uuid, n.external_id, n.hostname, n.ip_address, coalesce(n.os, 'unknown'), coalesce(n.kind, 'workstation'),
              coalesce(n.criticality, 'medium'), n.owner_email, n.last_seen_at
         from ${UNNEST}
       returning id, external_id`,
      [tenantId, ...arrays(inserts)],
    );
    for (const r of rows) ids.set(r.external_id, { id: r.id, inserted: true });
  }

  for (const { index, item } of write) {
    if (results[index]) continue; // rejected above (the asset limit)
    const r = ids.get(item.external_id);
    results[index] = r ? { index, status: r.inserted ? "created" : "updated", id: r.id } : { index, status: "rejected", reason: "not written" };
  }
  const final = results.map((r, index) => r ?? { index, status: "rejected" as const, reason: "not processed" });
  const summary = { created: 0, updated: 0, rejected: 0 };
  for (const r of final) summary[r.status]++;
  return { result: { summary, results: final }, adoptedIds: adopt.map((a) => a.id) };
}

export interface ApiAsset {
  id: string;
  external_id: string | null;
  hostname: string;
  ip_address: string | null;
  os: string;
  kind: string;
  criticality: string;
  owner_email: string | null;
  last_seen_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface AssetListQuery {
  kind?: string[];
  criticality?: string[];
  cursor?: string;
  limit: number;
}

/** The tenant's assets by host name (unique in a tenant), keyset-paged. */
export async function listApiAssets(tx: TenantTx, tenantId: string, query: AssetListQuery): Promise<{ data: ApiAsset[]; next_cursor: string | null }> {
  const params: unknown[] = [tenantId];
  const p = (v: unknown) => {
    params.push(v);
    return `$${params.length}`;
  };
  const where = ["a.tenant_id = $1"];
  if (query.kind?.length) where.push(`a.kind = any (${p(query.kind)}::text[])`);
  if (query.criticality?.length) where.push(`a.criticality = any (${p(query.criticality)}::text[])`);
  if (query.cursor) {
    const at = decodeAssetCursor(query.cursor);
    where.push(`(a.hostname, a.id) > (${p(at.hostname)}, ${p(at.id)}::uuid)`);
  }
  const { rows } = await tx.client.query<ApiAsset>(
    `select a.id, a.external_id, a.hostname, host(a.ip_address) as ip_address, a.os, a.kind, a.criticality, a.owner_email,
            ${utcMicrosSql("a.last_seen_at")} as last_seen_at, ${utcMicrosSql("a.created_at")} as created_at, ${utcMicrosSql("a.updated_at")} as updated_at
       from public.assets a where ${where.join(" and ")}
      order by a.hostname, a.id limit ${p(query.limit + 1)}`,
    params,
  );
  const more = rows.length > query.limit;
  const data = more ? rows.slice(0, query.limit) : rows;
  const last = data[data.length - 1];
  return { data, next_cursor: more && last ? encodeAssetCursor({ hostname: last.hostname, id: last.id }) : null };
}

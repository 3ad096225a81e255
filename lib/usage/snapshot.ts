// The nightly snapshots (docs/usage.md): for every tenant not offboarded, one
// reading each of assets_managed (its assets), active_seats (people holding a
// role on the tenant itself; a site's members are its own seats, not its
// customer's) and storage_bytes (the stored size of its alerts, their
// timelines and raw events, and its assets: pg_column_size of each row, an
// estimate that leaves out indexes). Keyed by metric and UTC day, so the job
// running twice in a day records the first reading only. Service role
// (usage.rollup): it reads every tenant by design.
import { withServiceRole } from "@/lib/db/service-role";
import { recordUsage, type UsageEvent } from "./record";

const BATCH = 500;

export interface SnapshotStats {
  tenants: number;
  recorded: number;
}

export async function takeSnapshots(now = new Date()): Promise<SnapshotStats> {
  const day = now.toISOString().slice(0, 10);
  const ids = await withServiceRole("usage.rollup", async (db) => {
    const { rows } = await db.$client.query<{ id: string }>("select id from public.tenants where status <> 'deprovisioned' order by id");
    return rows.map((r) => r.id);
  });
  let recorded = 0;
  for (let i = 0; i < ids.length; i += BATCH) {
    recorded += await withServiceRole("usage.rollup", async (db) => {
      const { rows } = await db.$client.query<{ id: string; assets: string; seats: string; bytes: string }>(
        `select t.id,
                (select count(*) from public.assets a where a.tenant_id = t.id) as assets,
                (select count(*) from public.memberships m where m.tenant_id = t.id) as seats,
                coalesce((select sum(pg_column_size(a.*)) from public.alerts a where a.tenant_id = t.id), 0)
                + coalesce((select sum(pg_column_size(e.*)) from public.alert_events e where e.tenant_id = t.id), 0)
                + coalesce((select sum(pg_column_size(r.*)) from public.alert_raw_events r where r.tenant_id = t.id), 0)
                + coalesce((select sum(pg_column_size(s.*)) from public.assets s where s.tenant_id = t.id), 0) as bytes
           from public.tenants t where t.id = any ($1::uuid[])`,
        [ids.slice(i, i + BATCH)],
      );
      const events: UsageEvent[] = rows.flatMap((r) => [
        { tenantId: r.id, metric: "assets_managed" as const, quantity: BigInt(r.assets), occurredAt: now, key: `snapshot:assets_managed:${day}`, source: "usage.snapshot" },
        { tenantId: r.id, metric: "active_seats" as const, quantity: BigInt(r.seats), occurredAt: now, key: `snapshot:active_seats:${day}`, source: "usage.snapshot" },
        { tenantId: r.id, metric: "storage_bytes" as const, quantity: BigInt(r.bytes), occurredAt: now, key: `snapshot:storage_bytes:${day}`, source: "usage.snapshot" },
      ]);
      return recordUsage(db, events);
    });
  }
  return { tenants: ids.length, recorded };
}

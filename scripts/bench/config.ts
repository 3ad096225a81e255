// Tenant configuration at MSSP scale for `npm run bench` (--only=config):
// the effective configuration of one tenant at depth 4 (MSSP → customer →
// site → sub-site) among the bench's ~1,600 tenants, and every customer of
// the MSSP resolved in one call (what the drift report read before it took
// only the customers' own rows: lib/settings/drift.ts).
//
// Seeded first, as the owner: a sub-site below the bench site (depth 4); a
// quarter of each customer's settings-to-vary set at the customer (~1,000
// customers x a few keys); values at the bench customer, its site and the
// sub-site; the MSSP's own defaults, two of them locked.
//
// Two sides, as the other scenarios:
//   RLS       effectiveConfig(tx, id) exactly as the Settings page calls it,
//             inside withTenant (claims from the real hook; settings.effective
//             answers only for tenants the caller can see, plus the RLS read
//             of the tenant row);
//   baseline  the same resolution as the owner (settings.resolve, no
//             visibility check, no RLS), through the same registry code.
// Both must give the same values and sources before anything is timed.
import { isDeepStrictEqual } from "node:util";
import { drizzle } from "drizzle-orm/node-postgres";
import pg from "pg";
import { schema } from "@/drizzle/schema";
import { varySettings } from "@/lib/demo/scale";
import type { Caller } from "@/lib/db/claims";
import { inTransaction, withTenant, type Db } from "@/lib/db/with-tenant";
import { effectiveConfig, effectiveConfigAsService, effectiveConfigs, effectiveConfigsAsService, type EffectiveConfig } from "@/lib/settings/resolve";
import { fmtCount, fmtMs, fmtRatio, measurePair, median, p95 } from "./measure";

export interface ConfigBenchInput {
  url: string;
  msspId: string;
  customer: { id: string; slug: string };
  site: { id: string; slug: string };
  /** The customer's tenant admin (acts on the sub-site through its host). */
  customerAdmin: { userId: string; email: string };
  /** The MSSP admin on the console. */
  msspAdmin: Caller;
  log: (line: string) => void;
}

const shape = (c: EffectiveConfig) => c.settings.map((s) => [s.key, s.value, s.source, s.sourceTenantId, s.lockedBy?.tenantId ?? null]);

async function seed(url: string, input: ConfigBenchInput): Promise<{ deep: { id: string; slug: string; depth: number }; rows: number }> {
  const owner = new pg.Client({ connectionString: url });
  await owner.connect();
  try {
    const slug = `${input.site.slug}-lab`;
    const { rows: [deep] } = await owner.query<{ id: string; slug: string; depth: number }>(
      `insert into public.tenants (parent_id, slug, name, kind) values ($1, $2, 'Bench lab (depth 4)', 'site')
       on conflict (slug) do update set name = excluded.name
       returning id, slug, extensions.nlevel(path) as depth`,
      [input.site.id, slug],
    );
    // Every customer of the MSSP: a quarter of the keys each (the scale data's settings).
    await varySettings(owner, { msspId: input.msspId });
    // The bench path: the customer, its site, the sub-site.
    const put = (tenant: string, key: string, value: unknown, locked = false) =>
      owner.query(
        `insert into public.tenant_settings (tenant_id, key, value, locked) values ($1, $2, $3::jsonb, $4)
         on conflict (tenant_id, key) do update set value = excluded.value, locked = excluded.locked`,
        [tenant, key, JSON.stringify(value), locked],
      );
    await put(input.customer.id, "sla.medium.ack_minutes", 120, true);
    await put(input.customer.id, "locale.language", "fr-FR");
    await put(input.customer.id, "notifications.emails", ["soc@customer.example", "oncall@customer.example"]);
    await put(input.site.id, "locale.time_zone", "Europe/Berlin");
    await put(input.site.id, "session.lifetime_hours", 10);
    await put(deep.id, "sla.low.ack_minutes", 600);
    await put(deep.id, "notifications.webhook_ids", ["00000000-0000-4000-8000-000000000001"]);
    // The MSSP's defaults last (a lock refuses values below it only when they are written after it).
    await put(input.msspId, "sla.critical.ack_minutes", 10, true);
    await put(input.msspId, "session.mfa_required", true, true);
    await put(input.msspId, "limits.connectors", 50);
    await put(input.msspId, "locale.time_zone", "UTC");
    await put(input.msspId, "features.workflows", false);
    await owner.query("analyze public.tenant_settings");
    const { rows: [n] } = await owner.query<{ n: number }>("select count(*)::int as n from public.tenant_settings");
    return { deep, rows: n.n };
  } finally {
    await owner.end();
  }
}

export async function runConfigBench(input: ConfigBenchInput): Promise<string[]> {
  const { log } = input;
  const t0 = performance.now();
  const { deep, rows } = await seed(input.url, input);
  log(`  seeded ${fmtCount(rows)} setting rows; ${deep.slug} at depth ${deep.depth} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  const caller: Caller = { ...input.customerAdmin, activeTenantId: deep.id };
  const serviceDb = (client: pg.PoolClient) => drizzle(client, { schema }) as unknown as Db;

  // ------------------------------------------------------ one tenant, depth 4
  const app = await withTenant(caller, (tx) => effectiveConfig(tx, deep.id));
  const base = await inTransaction((client) => effectiveConfigAsService(serviceDb(client), deep.id));
  if (!app || !isDeepStrictEqual(shape(app), shape(base))) throw new Error("config bench: the RLS and owner resolutions disagree");
  const fromAbove = app.settings.filter((s) => s.source !== "default").length;
  const one = await measurePair(
    () =>
      withTenant(caller, async (tx) => {
        const q0 = performance.now();
        const c = await effectiveConfig(tx, deep.id);
        return { rows: c?.settings.length ?? 0, queryMs: performance.now() - q0 };
      }),
    () =>
      inTransaction(async (client) => {
        const q0 = performance.now();
        const c = await effectiveConfigAsService(serviceDb(client), deep.id);
        return { rows: c.settings.length, queryMs: performance.now() - q0 };
      }),
  );

  // ------------------------------------------- every customer at once (settings.effective over 1,000 tenants)
  const ownerClient = new pg.Client({ connectionString: input.url });
  await ownerClient.connect();
  const customers = (await ownerClient.query<{ id: string }>("select id from public.tenants where parent_id = $1 order by slug", [input.msspId])).rows.map((r) => r.id);
  await ownerClient.end();
  const ids = [input.msspId, ...customers];
  const all = await measurePair(
    () =>
      withTenant(input.msspAdmin, async (tx) => {
        const q0 = performance.now();
        const m = await effectiveConfigs(tx, ids);
        return { rows: m.size, queryMs: performance.now() - q0 };
      }),
    () =>
      inTransaction(async (client) => {
        const q0 = performance.now();
        const m = await effectiveConfigsAsService(serviceDb(client), ids);
        return { rows: m.size, queryMs: performance.now() - q0 };
      }),
    { warmup: 2, minIterations: 15, maxIterations: 60, seconds: 6, hardCapSeconds: 20, floorIterations: 5 },
  );

  const line = (label: string, m: typeof one, extra: string) =>
    `${label}: RLS med ${fmtMs(median(m.rls.total))} / p95 ${fmtMs(p95(m.rls.total))} ms (query med ${fmtMs(median(m.rls.query))}), ` +
    `owner med ${fmtMs(median(m.baseline.total))} / p95 ${fmtMs(p95(m.baseline.total))} ms, ratio ${fmtRatio(median(m.rls.total) / median(m.baseline.total))}; ` +
    `${m.iterations} iterations${extra}`;
  const p = p95(one.rls.total);
  return [
    line(
      `effective configuration of ${deep.slug} (depth ${deep.depth}, ${app.settings.length} settings, ${fromAbove} set on its path, 2 locked above)`,
      one,
      `; target p95 < 5 ms: ${p < 5 ? "met" : "MISSED"}`,
    ),
    line(`every customer's configuration in one call (${fmtCount(ids.length)} tenants; the drift report reads only the customers' own rows: lib/settings/drift.ts)`, all, ""),
  ];
}

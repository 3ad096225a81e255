// Restoring an archive older than a rollup table rebuilds that table (lib/lifecycle/archive/derived.ts,
// migration 20261201029700): the dashboards, the alert list's count and /compare give the restored
// customer and its MSSP the figures its alerts and assets make, not zeros.
//
// The older archives are made from a current one by taking out the sections (and the head's tables)
// of the rollups a release of that era did not have, re-sealed under the same transfer key:
//   - before 20261201016000: no daily rollups, open counts, subtree rows, blocks or asset counts;
//   - 20261201016000-era: daily rollups and open counts only;
//   - 20261201024000-era: subtree rows too, but no blocks or asset counts.
// Each is restored with replace over the live customer, then:
//   - every rollup table, for every tenant, equals what the triggers kept before the export;
//   - analytics.customer_metrics (as /compare reads it, through RLS), the alert list's rollup sums
//     and the MSSP's subtree rows equal direct SQL over public.alerts and public.assets.
// An archive holding every rollup rebuilds nothing, and the rebuild refuses tenants still being
// restored (their triggers would skip what it deletes).
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { after, before, test } from "node:test";
import { createGunzip, createGzip } from "node:zlib";
import { closePool } from "@/lib/db/pool";
import { withServiceRole } from "@/lib/db/service-role";
import { exportTenant, restoreTenant } from "@/lib/lifecycle/archive";
import { ArchiveDecryptor, ArchiveEncryptor } from "@/lib/lifecycle/archive/crypto";
import { dekAad, totpAad } from "@/lib/lifecycle/archive/export";
import { controlLine, parseControl, splitLines } from "@/lib/lifecycle/archive/format";
import { unwrapSecret, wrapSecret } from "@/lib/lifecycle/archive/secrets";
import { clearKeyCache } from "@/lib/vault/keys";
import { insertFixtures, type Fixtures } from "./helpers/fixtures";
import { as, attempt, assertRefused } from "./helpers/sql";
import { assertSubtreeRollupsExact } from "./helpers/subtree-rollups";
import { createTestDatabase, withClient, type TestDatabase } from "./helpers/test-database";

const DAILY = "public.alert_daily_rollups";
const OPEN = "public.alert_open_counts";
const SUBTREE = "public.alert_subtree_rollups";
const BLOCKS = "public.alert_subtree_blocks";
const ASSETS = "public.asset_counts";
const ROLLUPS = [DAILY, OPEN, SUBTREE, BLOCKS, ASSETS];

const ERAS: { name: string; lacks: string[] }[] = [
  { name: "an archive from before 20261201016000 (no rollups at all)", lacks: ROLLUPS },
  { name: "a 20261201016000-era archive (daily rollups and open counts only)", lacks: [SUBTREE, BLOCKS, ASSETS] },
  { name: "a 20261201024000-era archive (no day blocks or asset counts)", lacks: [BLOCKS, ASSETS] },
];

const key = randomBytes(32);
const DAY = 86_400_000;
let dir: string;
let db: TestDatabase;
let fx: Fixtures;
let archive: string;
let before_: Record<string, unknown[]>;

const owner = <T = Record<string, unknown>>(sql: string, params: unknown[] = []) =>
  withClient(db.url, async (c) => (await c.query(sql, params)).rows as T[]);

/** Every row of every rollup table, as text, in key order. */
async function rollups(): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const table of ROLLUPS) out[table] = (await owner(`select to_jsonb(x)::text as r from ${table} x order by 1`)).map((r) => r.r);
  return out;
}

/** Alerts of every status, clock and severity, over the last weeks, in acme, its site and globex. */
async function addAlerts() {
  const now = Date.now();
  const rows: unknown[][] = [];
  const tenants = [fx.tenants.acme, fx.tenants["acme-eu"], fx.tenants.globex];
  const severities = ["critical", "high", "medium", "low", "info"];
  const statuses = ["new", "acknowledged", "in_progress", "resolved", "false_positive"];
  for (let k = 0; k < 40; k++) {
    // Every clock stopped before today: the range read below ends tomorrow.
    const detected = new Date(now - (5 + ((k * 7) % 30)) * DAY - k * 3_600_000);
    const status = statuses[k % 5];
    const ack = status === "new" ? null : new Date(detected.getTime() + ((k % 4) + 1) * 25 * 60_000);
    const closed = status === "resolved" || status === "false_positive";
    const resolved = closed && k % 7 !== 0 ? new Date(detected.getTime() + ((k % 3) + 1) * 30 * 3_600_000) : null;
    rows.push([tenants[k % 3], `alert ${k}`, severities[(k * 3) % 5], status, detected, ack, resolved, closed ? "done" : null]);
  }
  await withClient(db.url, async (c) => {
    for (const r of rows) {
      await c.query(
        `insert into public.alerts (tenant_id, title, severity, status, source, detected_at, acknowledged_at, resolved_at, close_reason)
         values ($1, $2, $3, $4, 'test', $5, $6, $7, $8)`,
        r,
      );
    }
    await c.query("insert into public.assets (tenant_id, hostname, kind) select $1, 'extra-' || g, 'server' from generate_series(1, 5) g", [fx.tenants["acme-eu"]]);
  });
}

/** `src` as a release without `lacks` would have written it: those sections and head tables taken out, re-sealed. */
async function withoutTables(src: string, dst: string, lacks: string[]) {
  const decryptor = new ArchiveDecryptor(key);
  const lines: string[] = [];
  await pipeline(createReadStream(src), decryptor, createGunzip(), async (source: AsyncIterable<Buffer>) => {
    for await (const line of splitLines(source)) lines.push(line);
  });
  const encryptor = new ArchiveEncryptor(key);
  const [from, to] = [decryptor.secrets!, encryptor.secrets];
  const out: string[] = [];
  let skipping = false;
  for (const line of lines) {
    if (!line.startsWith("#")) {
      if (!skipping) out.push(`${line}\n`);
      continue;
    }
    const c = parseControl(line);
    if (c.kind === "archive") out.push(controlLine({ ...c, tables: c.tables.filter((t) => !lacks.includes(t.name)) }));
    else if (c.kind === "section") {
      skipping = lacks.includes(c.name);
      if (!skipping) out.push(controlLine(c));
    } else if (c.kind === "end") {
      out.push(controlLine({ ...c, sections: Object.fromEntries(Object.entries(c.sections).filter(([name]) => !lacks.includes(name))) }));
    } else if (c.kind === "dek") {
      // Secrets are wrapped under keys derived from the archive's salt: carried to the new one.
      const aad = dekAad(c.tenantId, c.version);
      out.push(controlLine({ ...c, wrapped: wrapSecret(to.dek, aad, unwrapSecret(from.dek, aad, c.wrapped)) }));
    } else if (c.kind === "totp") {
      const aad = totpAad(c.userId);
      out.push(controlLine({ ...c, wrapped: wrapSecret(to.totp, aad, unwrapSecret(from.totp, aad, c.wrapped)) }));
    }
  }
  await pipeline(Readable.from(out), createGzip(), encryptor, createWriteStream(dst));
  assert.ok(!out.some((l) => lacks.some((t) => l.includes(`"name":"${t}"`))), "the sections are gone");
}

/** The figures /compare, the alert list and the dashboards read, against direct SQL over alerts and assets. */
async function assertFigures(when: string) {
  const from = new Date(Date.now() - 365 * DAY).toISOString().slice(0, 10);
  const to = new Date(Date.now() + DAY).toISOString().slice(0, 10);
  const customers = [fx.tenants.acme, fx.tenants.globex];
  const got = await as(fx, "msspAdmin", async (tx) =>
    (await tx.client.query("select * from analytics.customer_metrics($1::uuid[], $2::date, $3::date)", [customers, from, to])).rows,
  );
  for (const id of customers) {
    const [want] = await owner(
      `with sub as (select t.id from public.tenants t join public.tenants c on c.id = $1 and t.path operator(extensions.<@) c.path),
       a as (select x.*, x.status in ('resolved', 'false_positive') as closed from public.alerts x where x.tenant_id in (select id from sub))
       select (select count(*) from public.assets where tenant_id in (select id from sub))::text as assets,
              count(*)::text as alerts,
              (count(*) filter (where severity = 'critical'))::text as critical,
              (count(*) filter (where status <> 'new' and (acknowledged_at is not null or (closed and resolved_at is not null))))::text as acknowledged,
              (count(*) filter (where closed and resolved_at is not null))::text as resolved_timed,
              (count(*) filter (where ack_breached) + count(*) filter (where closed and resolved_at is not null and resolve_breached))::text as sla_breaches,
              (count(*) filter (where status in ('new', 'acknowledged', 'in_progress')))::text as open_at_end
         from a`,
      [id],
    );
    const row = got.find((r) => r.customer_id === id)!;
    assert.deepEqual(Object.fromEntries(Object.keys(want).map((k) => [k, String(row[k])])), want, `${when}: /compare figures of ${fx.slugOf(id)}`);
    assert.ok(Number(want.assets) > 0 && Number(want.alerts) > 0, "control: there is something to count");
  }
  // The alert list's count (lib/alerts/list-count.ts) and the dashboard's subtree series, for acme and the MSSP.
  for (const slug of ["acme", "mssp-a"] as const) {
    const [want] = await owner(
      `select count(*)::int as created, (count(*) filter (where a.status in ('new', 'acknowledged', 'in_progress')))::int as open,
              (count(*) filter (where a.status in ('resolved', 'false_positive')))::int as closed
         from public.alerts a join public.tenants t on t.id = a.tenant_id join public.tenants r on r.id = $1 and t.path operator(extensions.<@) r.path`,
      [fx.tenants[slug]],
    );
    const [read] = await as(fx, "msspAdmin", async (tx) =>
      (await tx.client.query(
        `with sub as (select t.id from public.tenants t join public.tenants r on r.id = $1 and t.path operator(extensions.<@) r.path)
         select (select coalesce(sum(created), 0)::int from public.alert_daily_rollups where tenant_id in (select id from sub)) as created,
                (select coalesce(sum(open), 0)::int from public.alert_open_counts where tenant_id in (select id from sub)) as open,
                (select coalesce(sum(closed), 0)::int from public.alert_subtree_rollups where tenant_id = $1) as closed,
                (select coalesce(sum(created), 0)::int from public.alert_subtree_rollups where tenant_id = $1) as subtree_created`,
        [fx.tenants[slug]],
      )).rows,
    );
    assert.deepEqual(read, { ...want, subtree_created: want.created }, `${when}: alert counts of ${slug}`);
  }
}

async function useApp() {
  await closePool();
  clearKeyCache();
  process.env.DATABASE_URL = db.appUrl;
}

before(async () => {
  process.env.NEXTAUTH_SECRET = "archive-rollups-test-secret";
  dir = await mkdtemp(path.join(os.tmpdir(), "archive-rollups-"));
  db = await createTestDatabase({ setEnv: false });
  fx = await insertFixtures(db.url);
  await addAlerts();
  await useApp();
  archive = path.join(dir, "acme.archive");
  await exportTenant({ slug: "acme", out: createWriteStream(archive), transferKey: key, via: "test" });
  before_ = await rollups();
  assert.ok(Object.values(before_).every((rows) => rows.length > 0), "control: every rollup table has rows");
  await assertFigures("before any restore");
});

after(async () => {
  await db?.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

for (const era of ERAS) {
  test(`${era.name}: the missing rollups are rebuilt, for the customer and its MSSP`, async () => {
    const older = path.join(dir, `acme-${era.lacks.length}.archive`);
    await withoutTables(archive, older, era.lacks);
    const restored = await restoreTenant({ in: createReadStream(older), transferKey: key, replace: true, via: "test" });
    assert.deepEqual(restored.replaced.sort(), ["acme", "acme-eu", "acme-us"]);
    assert.deepEqual([...restored.rebuilt].sort(), [...era.lacks].sort());
    // The console's restore answer names them (components/lifecycle/archive/restore-archive.tsx).
    const { restoreView } = await import("@/lib/lifecycle/web/console-archive");
    assert.deepEqual(restoreView(restored, { slug: "mssp-a", name: "MSSP A" }, true).rebuilt, restored.rebuilt);
    for (const table of era.lacks) assert.equal(restored.verified[table], undefined, "not in the archive: nothing to compare");
    const after_ = await rollups();
    for (const table of ROLLUPS) assert.deepEqual(after_[table], before_[table], `${table} as the triggers kept it before the export`);
    await withClient(db.url, (c) => assertSubtreeRollupsExact(c, `after restoring ${era.name}`));
    await assertFigures(`after restoring ${era.name}`);
  });
}

test("an archive holding every rollup rebuilds nothing: its rows are written as they are", async () => {
  const restored = await restoreTenant({ in: createReadStream(archive), transferKey: key, replace: true, via: "test" });
  assert.deepEqual(restored.rebuilt, []);
  for (const table of ROLLUPS) assert.equal(restored.verified[table], "equal");
  assert.deepEqual(await rollups(), before_);
  await assertFigures("after restoring a current archive");
});

test("the rebuild refuses tenants still being restored, and is not callable by signed-in users", async () => {
  const ids = [fx.tenants.acme, fx.tenants["acme-eu"], fx.tenants["acme-us"]];
  await assert.rejects(
    withServiceRole("lifecycle.archive", async (d) => {
      await d.$client.query("select keyring.begin_restore($1::uuid[])", [ids]);
      await d.$client.query("select analytics.rebuild_restored_rollups($1::uuid[], '{}')", [ids]);
    }),
    (e: { code?: string }) => e.code === "55000",
  );
  await as(fx, "msspAdmin", async (tx) =>
    assertRefused(await attempt(tx.client, "select analytics.rebuild_restored_rollups($1::uuid[], '{}')", [ids])),
  );
  assert.deepEqual(await rollups(), before_, "nothing changed");
});

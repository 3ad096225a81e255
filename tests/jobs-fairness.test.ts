// Fair scheduling between tenants on the job worker (issue 11, point 4;
// migration 20261201013500, docs/jobs.md): a tenant that queues many slow
// jobs does not starve another tenant's single job, on one worker slot or
// several; one tenant's jobs never run two at a time; the rule evaluations a
// burst of alert arrivals queues rank the same way. Real Postgres, the real
// graphile-worker runner (lib/jobs/runWorker).
import assert from "node:assert/strict";
import { after, before, beforeEach, describe, test } from "node:test";
import pg from "pg";
import { enqueueServiceJob, runWorker, type JobHandler } from "@/lib/jobs";
import { insertFixtures, type Fixtures } from "./helpers/fixtures";
import { createTestDatabase, type TestDatabase } from "./helpers/test-database";

let db: TestDatabase;
let fx: Fixtures;
let owner: pg.Client;

before(async () => {
  db = await createTestDatabase();
  fx = await insertFixtures(db.url);
  owner = new pg.Client({ connectionString: db.url });
  await owner.connect();
});
after(async () => {
  await owner.end();
  await db.drop();
});
beforeEach(async () => {
  await owner.query("delete from public.jobs; delete from graphile_worker._private_jobs; delete from jobs_engine.workers");
});

// Job kinds are letters only (lib/jobs KIND_PATTERN); one unfinished job per (tenant, kind).
const kindOf = (n: number) => `fair.slow-${String.fromCharCode(97 + Math.floor(n / 26))}${String.fromCharCode(97 + (n % 26))}`;

interface Run {
  tenant: string;
  kind: string;
  start: number;
  end: number;
}

/** Runs the worker until `expected` jobs have run; each job sleeps `ms`. */
async function runAll(kinds: string[], expected: number, ms: number, concurrency: number): Promise<Run[]> {
  const runs: Run[] = [];
  const controller = new AbortController();
  const handler = (kind: string): JobHandler => ({
    requires: "system-only",
    async run(ctx) {
      const r: Run = { tenant: fx.slugOf(ctx.job.tenantId), kind, start: performance.now(), end: 0 };
      runs.push(r);
      await new Promise((resolve) => setTimeout(resolve, ms));
      r.end = performance.now();
      if (runs.length === expected && runs.every((x) => x.end > 0)) setTimeout(() => controller.abort(), 50);
      return { result: {} };
    },
  });
  const timer = setTimeout(() => controller.abort(), 60_000);
  await runWorker({ signal: controller.signal, kinds, handlers: Object.fromEntries(kinds.map((k) => [k, handler(k)])), pollMs: 100, concurrency });
  clearTimeout(timer);
  return runs.sort((a, b) => a.start - b.start);
}

describe("fairness between tenants", () => {
  for (const concurrency of [1, 2]) {
    test(`acme queues 15 slow jobs, then globex one: globex's starts before acme's backlog drains (${concurrency} slot${concurrency > 1 ? "s" : ""})`, async () => {
      const kinds = Array.from({ length: 15 }, (_, n) => kindOf(n));
      for (const kind of kinds) await enqueueServiceJob({ tenantId: fx.tenants.acme, kind });
      await enqueueServiceJob({ tenantId: fx.tenants.globex, kind: kinds[0] });
      // Both tenants' jobs wait in their own queue, acme's ranked 0..14, globex's 0.
      const { rows } = await owner.query<{ queue_name: string; priority: number }>(
        "select queue_name, priority from graphile_worker.jobs order by priority, run_at",
      );
      assert.deepEqual(
        rows.filter((r) => r.queue_name === `tenant:${fx.tenants.acme}`).map((r) => r.priority),
        Array.from({ length: 15 }, (_, n) => n),
      );
      assert.deepEqual(rows.filter((r) => r.queue_name === `tenant:${fx.tenants.globex}`).map((r) => r.priority), [0]);

      const runs = await runAll(kinds, 16, 150, concurrency);
      assert.equal(runs.length, 16);
      const order = runs.map((r) => r.tenant);
      const globexAt = order.indexOf("globex");
      // Oldest-first would run it 16th; fair, it runs right after acme's first (or beside it).
      assert.ok(globexAt >= 0 && globexAt <= 1, `globex's job ran ${globexAt + 1}th: ${order.join(", ")}`);
      const acmeLast = runs.filter((r) => r.tenant === "acme").at(-1)!;
      assert.ok(runs[globexAt].start < acmeLast.start, "globex's job started before acme's backlog drained");
      // One tenant's jobs never overlap, even with two slots.
      const acme = runs.filter((r) => r.tenant === "acme");
      for (let i = 1; i < acme.length; i++) assert.ok(acme[i].start >= acme[i - 1].end - 1, `acme's jobs ${i - 1} and ${i} overlapped`);
    });
  }

  test("rule evaluations of a burst of arrivals rank behind another tenant's next arrival", async () => {
    for (const slug of ["acme", "globex"] as const) {
      await owner.query(
        `insert into public.workflow_rules (tenant_id, name, definition) values ($1, 'fair', '{"when": {}, "then": []}'::jsonb)`,
        [fx.tenants[slug]],
      );
    }
    await owner.query(
      `insert into public.alerts (tenant_id, title, severity, source, external_id)
       select $1, 'burst ' || n, 'low', 'fair', 'burst-' || n from generate_series(1, 200) n`,
      [fx.tenants.acme],
    );
    await owner.query(
      `insert into public.alerts (tenant_id, title, severity, source, external_id)
       select $1, 'burst ' || n, 'low', 'fair', 'burst2-' || n from generate_series(1, 50) n`,
      [fx.tenants.acme],
    );
    await owner.query("insert into public.alerts (tenant_id, title, severity, source, external_id) values ($1, 'one', 'low', 'fair', 'one')", [fx.tenants.globex]);
    const { rows } = await owner.query<{ queue_name: string; priority: number }>(
      "select queue_name, priority from graphile_worker.jobs where task_identifier = 'workflows:evaluate' order by priority, id",
    );
    const acme = rows.filter((r) => r.queue_name === `tenant:${fx.tenants.acme}`).map((r) => r.priority);
    const globex = rows.filter((r) => r.queue_name === `tenant:${fx.tenants.globex}`).map((r) => r.priority);
    // The second statement ranks after the first one's 200 waiting jobs.
    assert.deepEqual(acme, Array.from({ length: 250 }, (_, n) => n));
    assert.deepEqual(globex, [0]);
    // What graphile-worker takes next: globex's one, right after acme's first.
    const next = rows.slice(0, 3).map((r) => (r.queue_name === `tenant:${fx.tenants.globex}` ? "globex" : "acme"));
    assert.ok(next.indexOf("globex") <= 1, next.join(", "));
  });
});

// Webhook deliveries and mail (migration 20261201027500): a queue per endpoint
// and per tenant's mail, ranked behind what already waits there, so one
// tenant's burst (or a hanging endpoint) holds one worker slot, not all of them.
describe("deliveries", () => {
  const jobsOf = async (task: string) =>
    (await owner.query<{ queue_name: string | null; priority: number }>(`select queue_name, priority from graphile_worker.jobs where task_identifier = $1 order by id`, [task])).rows.map(
      (r) => [r.queue_name, r.priority] as const,
    );

  test("a channel's deliveries queue per channel, each ranked behind the ones waiting for it", async () => {
    // Webhook channels as rows (nothing is delivered here): a stand-in sealed secret under the tenant's current key version.
    const channel = async (slug: "acme" | "globex", name: string) =>
      (
        await owner.query<{ id: string }>(
          `insert into public.notification_channels (tenant_id, id, name, kind, url, secret_sealed, key_version)
           select $1, gen_random_uuid(), $2, 'webhook', 'https://hooks.example.com/fair', extensions.gen_random_bytes(48), max(k.version)
             from keyring.tenant_keys k where k.tenant_id = $1
           returning id`,
          [fx.tenants[slug], `fair ${name}`],
        )
      ).rows[0].id;
    const [busy, quiet, globex] = [await channel("acme", "busy"), await channel("acme", "quiet"), await channel("globex", "other")];
    const deliver = (slug: "acme" | "globex", channelId: string, n: number) =>
      owner.query(
        `insert into public.notification_deliveries (tenant_id, channel_id, kind, reason, payload)
         select $1, $2, 'webhook', 'test', '{}'::jsonb from generate_series(1, $3)`,
        [fx.tenants[slug], channelId, n],
      );
    await deliver("acme", busy, 3);
    await deliver("acme", quiet, 1);
    await deliver("globex", globex, 1);
    assert.deepEqual(await jobsOf("notify:deliver"), [
      [`notify:${busy}`, 0],
      [`notify:${busy}`, 1],
      [`notify:${busy}`, 2],
      [`notify:${quiet}`, 0],
      [`notify:${globex}`, 0],
    ]);
  });

  test("mail about a tenant queues per tenant; mail about no tenant has no queue", async () => {
    const mail = (tenantId: string | null, n: number) =>
      owner.query(
        `insert into mail.outbox (tenant_id, recipient, template, subject)
         select $1, 'fair' || g || '@example.test', 'fair', 'Fair' from generate_series(1, $2) g`,
        [tenantId, n],
      );
    await mail(fx.tenants.acme, 2);
    await mail(fx.tenants.globex, 1);
    await mail(null, 2);
    assert.deepEqual(await jobsOf("mail:deliver"), [
      [`mail:${fx.tenants.acme}`, 0],
      [`mail:${fx.tenants.acme}`, 1],
      [`mail:${fx.tenants.globex}`, 0],
      [null, 0],
      [null, 0],
    ]);
  });
});

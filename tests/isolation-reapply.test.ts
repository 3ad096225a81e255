// After a move or a restore commits, each tenant of the subtree gets its isolation set applied
// again through the durable job engine (lib/lifecycle/isolation-reapply.ts), so a namespace
// follows the tree: a customer moved to another MSSP stops carrying the old MSSP's labels (an
// operator listing one MSSP's tenants with `kubectl get ns -l mssp-portal/mssp-id=…` would
// otherwise still see it), and a restored tenant gets its namespace. Real Postgres, real job
// engine, the real @kubernetes/client-node against the fake API server of
// tests/helpers/fake-kube.ts. Without a cluster configured nothing is queued or contacted.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import pg from "pg";
import { withServiceRole } from "@/lib/db/service-role";
import { runJobsUntilIdle } from "@/lib/jobs";
import { exportTenant, restoreTenant } from "@/lib/lifecycle/archive";
import { LABEL, MANAGED_BY, namespaceNameFor } from "@/lib/lifecycle/isolation/render";
import { ISOLATION_REAPPLY_KIND, isolationReapplyHandler, queueIsolationReapply } from "@/lib/lifecycle/isolation-reapply";
import { moveTenant } from "@/lib/lifecycle/move";
import { fakeCluster } from "./helpers/fake-kube";
import { insertFixtures, subtree, type Fixtures, type TenantSlug } from "./helpers/fixtures";
import { createTestDatabase, type TestDatabase } from "./helpers/test-database";

let db: TestDatabase;
let fx: Fixtures;
let owner: pg.Client;
let dir: string;
const savedKubeconfig = process.env.KUBECONFIG;

before(async () => {
  db = await createTestDatabase();
  fx = await insertFixtures(db.url);
  owner = new pg.Client({ connectionString: db.url });
  await owner.connect();
  dir = await mkdtemp(path.join(os.tmpdir(), "reapply-test-"));
});
after(async () => {
  if (savedKubeconfig === undefined) delete process.env.KUBECONFIG;
  else process.env.KUBECONFIG = savedKubeconfig;
  await owner.end();
  await db.drop();
  await rm(dir, { recursive: true, force: true });
});

const lifecycle = <T>(fn: Parameters<typeof withServiceRole<T>>[1]) => withServiceRole("lifecycle.workflow", fn);
const run = () => runJobsUntilIdle({ kinds: [ISOLATION_REAPPLY_KIND], handlers: { [ISOLATION_REAPPLY_KIND]: isolationReapplyHandler() } });
const reapplyJobs = async () =>
  (await owner.query<{ tenant_id: string; status: string; created_by: string | null; result: any }>(
    "select tenant_id, status, created_by, result from public.jobs where kind = $1 order by created_at", [ISOLATION_REAPPLY_KIND])).rows;
/** The namespaces of `slugs` as provisioning left them: managed by the portal, this tenant's, under `mssp`. */
const provisioned = (slugs: TenantSlug[], mssp: TenantSlug) =>
  Object.fromEntries(slugs.map((s) => [namespaceNameFor(s), { [LABEL.managedBy]: MANAGED_BY, [LABEL.tenantId]: fx.tenants[s], [LABEL.msspId]: fx.tenants[mssp], [LABEL.msspSlug]: mssp }]));
const patchesOf = (seen: { method: string; path: string; body?: any }[], slug: string) =>
  seen.filter((s) => s.method === "PATCH" && (s.path === `/api/v1/namespaces/${namespaceNameFor(slug)}` || s.path.includes(`/namespaces/${namespaceNameFor(slug)}/`)));

describe("moving a tenant re-applies its subtree's isolation set", () => {
  test("with a cluster: one job per tenant, queued with the move; each PATCH carries the new MSSP's labels", async () => {
    const acme = subtree("acme");
    const cluster = await fakeCluster({ namespaces: provisioned(acme, "mssp-a") });
    process.env.KUBECONFIG = cluster.env.KUBECONFIG;
    const before = (await reapplyJobs()).length;
    await lifecycle((sdb) => moveTenant(sdb, fx.tenants.acme, fx.tenants["mssp-b"]));
    const queued = (await reapplyJobs()).slice(before);
    assert.deepEqual(queued.map((j) => j.tenant_id).sort(), acme.map((s) => fx.tenants[s]).sort(), "a job for the customer and each of its sites");
    assert.ok(queued.every((j) => j.status === "queued" && j.created_by === null), "queued by the system, with the move");
    assert.equal(cluster.seen.length, 0, "nothing is contacted inside the move's transaction");

    const { outcomes } = await run();
    assert.deepEqual(outcomes, ["succeeded", "succeeded", "succeeded"]);
    for (const slug of acme) {
      const patches = patchesOf(cluster.seen, slug);
      assert.equal(patches.length, 10, `${slug}: the whole set is applied again`);
      const nsPatch = patches.find((p) => p.path === `/api/v1/namespaces/${namespaceNameFor(slug)}`);
      assert.ok(nsPatch, `${slug}: its Namespace is patched`);
      for (const p of patches) {
        const labels = p.body.metadata.labels;
        assert.equal(labels[LABEL.msspId], fx.tenants["mssp-b"], `${p.path}: the new MSSP's id`);
        assert.equal(labels[LABEL.msspSlug], "mssp-b", `${p.path}: the new MSSP's slug`);
        assert.equal(labels[LABEL.tenantId], fx.tenants[slug]);
      }
      assert.equal(cluster.namespaces[namespaceNameFor(slug)][LABEL.msspId], fx.tenants["mssp-b"], "the namespace no longer names mssp-a");
    }
    const results = (await reapplyJobs()).slice(before).map((j) => j.result.status);
    assert.deepEqual(results, ["applied", "applied", "applied"]);
    const audit = await owner.query("select count(*)::int as n from public.audit_log where action = 'tenant.isolation-reapplied' and tenant_id = any($1)", [acme.map((s) => fx.tenants[s])]);
    assert.equal(audit.rows[0].n, 3);
  });

  test("a move that commits while the tenant's job runs joins it, and the job is queued again with the newer tree", async () => {
    const cluster = await fakeCluster({ namespaces: provisioned(["globex"], "mssp-a") });
    process.env.KUBECONFIG = cluster.env.KUBECONFIG;
    await lifecycle((sdb) => queueIsolationReapply(sdb, fx.tenants.globex));
    const base = isolationReapplyHandler();
    let moved = false;
    const handler = {
      ...base,
      async run(ctx: Parameters<typeof base.run>[0]) {
        const out = await base.run(ctx);
        if (!moved) {
          // Applied with mssp-a's labels; now the tree changes before the job is recorded as done.
          moved = true;
          await lifecycle((sdb) => moveTenant(sdb, fx.tenants.globex, fx.tenants["mssp-b"]));
        }
        return out;
      },
    };
    const { outcomes } = await runJobsUntilIdle({ kinds: [ISOLATION_REAPPLY_KIND], handlers: { [ISOLATION_REAPPLY_KIND]: handler } });
    assert.deepEqual(outcomes, ["succeeded", "succeeded"], "the joined move's work ran in a fresh job");
    const nsPatches = cluster.seen.filter((x) => x.method === "PATCH" && x.path === `/api/v1/namespaces/${namespaceNameFor("globex")}`);
    assert.deepEqual(nsPatches.map((p) => p.body.metadata.labels[LABEL.msspSlug]), ["mssp-a", "mssp-b"]);
    assert.equal(cluster.namespaces[namespaceNameFor("globex")][LABEL.msspId], fx.tenants["mssp-b"]);
    delete process.env.KUBECONFIG;
    await lifecycle((sdb) => moveTenant(sdb, fx.tenants.globex, fx.tenants["mssp-a"]));
  });

  test("a move that rolls back leaves no job behind", async () => {
    const before = (await reapplyJobs()).length;
    await assert.rejects(lifecycle(async (sdb) => {
      await moveTenant(sdb, fx.tenants.globex, fx.tenants["mssp-b"]);
      throw new Error("rolled back");
    }), /rolled back/);
    assert.equal((await reapplyJobs()).length, before);
  });

  test("a tenant being offboarded is left alone: its workflow deletes the namespace, and this does not make it again", async () => {
    const cluster = await fakeCluster({ namespaces: provisioned(["globex"], "mssp-a") });
    process.env.KUBECONFIG = cluster.env.KUBECONFIG;
    await lifecycle((sdb) => queueIsolationReapply(sdb, fx.tenants.globex));
    await owner.query("update public.tenants set status = 'deprovisioning' where id = $1", [fx.tenants.globex]);
    try {
      assert.deepEqual((await run()).outcomes, ["succeeded"]);
      assert.equal(cluster.seen.filter((s) => s.method === "PATCH").length, 0);
      assert.equal((await reapplyJobs()).at(-1)!.result.status, "skipped");
    } finally {
      await owner.query("update public.tenants set status = 'active' where id = $1", [fx.tenants.globex]);
    }
  });

  test("without a cluster nothing is queued and nothing is contacted", async () => {
    const cluster = await fakeCluster({ namespaces: provisioned(subtree("acme"), "mssp-b") });
    delete process.env.KUBECONFIG;
    const before = (await reapplyJobs()).length;
    await lifecycle((sdb) => moveTenant(sdb, fx.tenants.acme, fx.tenants["mssp-a"]));
    assert.equal((await reapplyJobs()).length, before);
    assert.equal((await run()).ran, 0);
    assert.equal(cluster.seen.length, 0);
  });
});

describe("restoring a tenant applies its subtree's isolation set", () => {
  test("a restore queues a job per restored tenant; each makes the namespace with the tenant's labels", async () => {
    delete process.env.KUBECONFIG;
    const key = randomBytes(32);
    const archive = path.join(dir, "acme.archive");
    await exportTenant({ slug: "acme", out: createWriteStream(archive), transferKey: key, via: "test" });
    // An empty cluster: the namespaces were never made (or were lost).
    const cluster = await fakeCluster();
    process.env.KUBECONFIG = cluster.env.KUBECONFIG;
    const before = (await reapplyJobs()).length;
    await restoreTenant({ in: createReadStream(archive), transferKey: key, replace: true, via: "test" });
    const acme = subtree("acme");
    assert.deepEqual((await reapplyJobs()).slice(before).map((j) => j.tenant_id).sort(), acme.map((s) => fx.tenants[s]).sort());
    assert.deepEqual((await run()).outcomes, ["succeeded", "succeeded", "succeeded"]);
    for (const slug of acme) {
      const labels = cluster.namespaces[namespaceNameFor(slug)];
      assert.ok(labels, `${slug}: its namespace was made`);
      assert.equal(labels[LABEL.tenantId], fx.tenants[slug]);
      assert.equal(labels[LABEL.msspId], fx.tenants["mssp-a"]);
    }
  });
});

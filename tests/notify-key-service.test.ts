// A webhook delivery that meets a failing key service (lib/notify/deliver.ts,
// lib/notify/secret.ts ChannelKeyServiceError), on a real Postgres, the real job
// engine and a real HTTP receiver. The key service fails for real: the compat
// Vault's root key is swapped (tests/helpers/key-service.ts), so the channel's
// signing secret cannot be opened this time. Then:
//   - the attempt is recorded as "retrying" with "key service unavailable", the
//     row stays queued and graphile-worker retries it with its backoff, like a 5xx;
//     once the key service answers, the retry delivers it, signed;
//   - on the last attempt the row fails, saying the key service was unavailable;
//   - a secret whose key version is gone, or whose bytes fail their check, still
//     fails the row at once (retrying cannot help), saying to replace the secret.
import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { describe, test } from "node:test";
import { runJobsUntilIdle } from "@/lib/jobs";
import { createChannel, queueNotification } from "@/lib/notify";
import { NOTIFY_TASK, registerNotifyDelivery } from "@/lib/notify/deliver";
import { destroyTenantKeys } from "@/lib/vault/keys";
import { useFixtureEnv } from "./helpers/fixture-env";
import { keyServiceSwitch } from "./helpers/key-service";

let receiver: http.Server | undefined;
const received: { delivery: string | undefined; signature: string | undefined }[] = [];
const env = useFixtureEnv({
  beforeDrop: async () => {
    delete process.env.CONNECTOR_TEST_ENDPOINT;
    receiver?.closeAllConnections();
    await new Promise((r) => receiver?.close(r));
  },
});
const keyService = keyServiceSwitch(() => env.db.url);

env.before(async () => {
  registerNotifyDelivery();
  receiver = http.createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      received.push({ delivery: req.headers["x-portal-delivery"] as string | undefined, signature: req.headers["x-portal-signature"] as string | undefined });
      res.writeHead(200).end("ok");
    });
  });
  await new Promise<void>((r) => receiver!.listen(0, "127.0.0.1", r));
  // Webhooks go to this loopback receiver (lib/credentials/verify.ts testEndpoint), never elsewhere.
  process.env.CONNECTOR_TEST_ENDPOINT = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
});

let n = 0;
async function webhookDelivery(tenant: "acme" | "acme-us" = "acme"): Promise<{ id: string; channelId: string }> {
  const tenantId = env.fx.tenants[tenant];
  const hook = await env.as("acmeAdmin", (tx) => createChannel(tx, { tenantId, name: `hook ${++n}`, kind: "webhook", url: "https://hooks.example.com/ks" }));
  const [id] = await env.as("acmeAdmin", (tx) =>
    queueNotification(tx.db, { channel: { tenantId, id: hook.channel.id, kind: "webhook", recipients: [], tenantName: "Acme" }, reason: "test" }),
  );
  return { id, channelId: hook.channel.id };
}

const runDeliveries = () => runJobsUntilIdle({ kinds: [NOTIFY_TASK] });
const row = async (id: string) =>
  (await env.owner<{ status: string; attempts: number; last_error: string | null }>(`select status, attempts, last_error from public.notification_deliveries where id = $1`, [id]))[0];
const attempts = async (id: string) =>
  (await env.owner<{ outcome: string; error: string | null }>(`select outcome, error from public.notification_attempts where delivery_id = $1 order by attempt`, [id])).map((a) => [a.outcome, a.error]);
const dueNow = (id: string) => env.owner(`update graphile_worker._private_jobs set run_at = now() where key = $1`, [`notify:${id}`]);

describe("a webhook delivery when the key service fails", () => {
  test("is retried like a 5xx, saying the key service is unavailable, and delivered once it answers", async () => {
    const { id } = await webhookDelivery();
    await keyService.down();
    try {
      await runDeliveries();
      const first = await row(id);
      assert.equal(first.status, "queued", "not failed for good");
      assert.equal(first.attempts, 1);
      assert.match(first.last_error ?? "", /^key service unavailable/);
      assert.doesNotMatch(first.last_error ?? "", /does not open|Replace secret/);
      const [[outcome, error]] = await attempts(id);
      assert.equal(outcome, "retrying");
      assert.match(error ?? "", /key service unavailable/);
      const [job] = await env.owner<{ later: boolean; last_error: string | null }>(`select run_at > now() as later, last_error from graphile_worker._private_jobs where key = $1`, [`notify:${id}`]);
      assert.equal(job.later, true, "the retry waits for graphile-worker's backoff");
      assert.equal(received.filter((r) => r.delivery === id).length, 0, "nothing was sent unsigned");

      // Still failing on the next attempt: retried again.
      await dueNow(id);
      await runDeliveries();
      assert.deepEqual(await row(id), { ...first, attempts: 2 });
    } finally {
      await keyService.up();
    }
    await dueNow(id);
    await runDeliveries();
    const done = await row(id);
    assert.equal(done.status, "delivered");
    assert.equal(done.attempts, 3);
    assert.equal(done.last_error, null);
    assert.deepEqual((await attempts(id)).map(([o]) => o), ["retrying", "retrying", "delivered"]);
    const sent = received.filter((r) => r.delivery === id);
    assert.equal(sent.length, 1);
    assert.match(sent[0].signature ?? "", /^v1=[0-9a-f]{64}$/);
  });

  test("on its last attempt the delivery fails, naming the key service", async () => {
    const { id } = await webhookDelivery();
    await env.owner(`update public.notification_deliveries set max_attempts = 1 where id = $1`, [id]);
    await keyService.down();
    try {
      await runDeliveries();
    } finally {
      await keyService.up();
    }
    const last = await row(id);
    assert.equal(last.status, "failed");
    assert.match(last.last_error ?? "", /^key service unavailable/);
    assert.deepEqual((await attempts(id)).map(([o]) => o), ["failed"]);
  });

  test("control: a secret whose key version is gone, or whose bytes fail, still fails at once (retrying cannot help)", async () => {
    // Gone for good: the site's keys are destroyed (crypto-shredding).
    const gone = await webhookDelivery("acme-us");
    await destroyTenantKeys(env.fx.tenants["acme-us"]);
    const altered = await webhookDelivery();
    const other = await webhookDelivery();
    // Another channel's sealed secret: bound to that channel, it does not open here.
    await env.owner(`update public.notification_channels set secret_sealed = (select secret_sealed from public.notification_channels where id = $1) where id = $2`, [
      other.channelId,
      altered.channelId,
    ]);
    await runDeliveries();
    for (const { id } of [gone, altered]) {
      const r = await row(id);
      assert.equal(r.status, "failed", id);
      assert.equal(r.attempts, 1);
      assert.match(r.last_error ?? "", /signing secret does not open .*Replace secret/);
      assert.doesNotMatch(r.last_error ?? "", /key service/);
    }
    assert.equal((await row(other.id)).status, "delivered");
  });
});

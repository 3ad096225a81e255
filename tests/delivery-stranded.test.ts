// Deliveries that no job will finish, against a real Postgres, the real job
// engine, a real SMTP server and a real HTTP receiver:
//   - an attempt on graphile-worker's last attempt records the failure, even
//     when the row's own count says attempts remain (they drift when a worker
//     dies mid-attempt or the database fails before the claim);
//   - the sweeps (mail:sweep, notify:sweep) fail a queued row whose job is
//     spent and unlocked, or gone, and leave alone one whose job may still run;
//   - spent delivery jobs are deleted after a week;
//   - a queue's fairness priority (jobs_engine.waiting_in) ignores spent jobs.
import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, beforeEach, describe, test } from "node:test";
import { withTenant } from "@/lib/db/with-tenant";
import { runJobsUntilIdle } from "@/lib/jobs";
import { enqueueMail, invitationMail } from "@/lib/mail";
import { parseCrontab } from "graphile-worker";
import { MAIL_SWEEP_CRONTAB, MAIL_SWEEP_TASK, MAIL_TASK, registerMailDelivery } from "@/lib/mail/deliver";
import { STRANDED_MAIL_ERROR, sweepStrandedMail } from "@/lib/mail/stranded";
import { createChannel, queueNotification } from "@/lib/notify";
import { NOTIFY_SWEEP_CRONTAB, NOTIFY_SWEEP_TASK, NOTIFY_TASK, registerNotifyDelivery } from "@/lib/notify/deliver";
import { STRANDED_DELIVERY_ERROR, sweepStrandedDeliveries } from "@/lib/notify/stranded";
import { insertFixtures, type Fixtures } from "./helpers/fixtures";
import { startSmtpServer, useSmtp, type TestSmtpServer } from "./helpers/smtp";
import { createTestDatabase, withClient, type TestDatabase } from "./helpers/test-database";

let db: TestDatabase;
let fx: Fixtures;
let smtp: TestSmtpServer;
let receiver: http.Server;
let answer = 503;
before(async () => {
  process.env.NEXTAUTH_SECRET = "delivery-stranded-test-secret";
  db = await createTestDatabase();
  fx = await insertFixtures(db.url);
  smtp = await startSmtpServer();
  useSmtp(smtp);
  registerMailDelivery();
  registerNotifyDelivery();
  receiver = http.createServer((req, res) => {
    req.resume();
    req.on("end", () => res.writeHead(answer).end("no"));
  });
  await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
  process.env.CONNECTOR_TEST_ENDPOINT = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
});
after(async () => {
  delete process.env.CONNECTOR_TEST_ENDPOINT;
  receiver.closeAllConnections();
  await new Promise((r) => receiver.close(r));
  await smtp.stop();
  await db.drop();
});
beforeEach(() => smtp.clear());

const owner = <T = Record<string, unknown>>(sql: string, params: unknown[] = []) => withClient(db.url, async (c) => (await c.query(sql, params)).rows as T[]);
let n = 0;
const message = () =>
  invitationMail({ timeZone: "UTC", tenantName: "Tenant acme", role: "tenant_viewer", link: `http://acme.localhost:3000/invite#token=${"T".repeat(40)}${++n}`, expiresAt: new Date(Date.now() + 86_400_000) });
const queueMail = async (to: string) =>
  (await withTenant({ userId: fx.users.acmeAdmin }, (tx) => enqueueMail(tx.db, { to, tenantId: fx.tenants.acme, message: message() }))).id;
const mailRow = async (id: string) => (await owner(`select status, attempts, last_error, body_sealed is null as erased from mail.outbox where id = $1`, [id]))[0];
const job = async (key: string) => (await owner(`select attempts, max_attempts from graphile_worker._private_jobs where key = $1`, [key]))[0];
/** As if graphile-worker had spent `used` attempts on the job (its count, not the row's). */
const useAttempts = (key: string, used: number | "all") =>
  owner(`update graphile_worker._private_jobs set attempts = ${used === "all" ? "max_attempts" : "$2"}, run_at = now() where key = $1`, used === "all" ? [key] : [key, used]);

async function webhookDelivery(): Promise<string> {
  const hook = await withTenant({ userId: fx.users.acmeAdmin }, (tx) => createChannel(tx, { tenantId: fx.tenants.acme, name: `hook ${++n}`, kind: "webhook", url: "https://hooks.example.com/x" }));
  const [id] = await withTenant({ userId: fx.users.acmeAdmin }, (tx) =>
    queueNotification(tx.db, { channel: { tenantId: fx.tenants.acme, id: hook.channel.id, kind: "webhook", recipients: [], tenantName: "Acme" }, reason: "test" }),
  );
  return id;
}
const deliveryRow = async (id: string) => (await owner(`select status, attempts, last_error from public.notification_deliveries where id = $1`, [id]))[0];

describe("graphile-worker's last attempt records the failure", () => {
  test("mail: the row says 1 of 8, the job says 8 of 8: the row fails, bodies erased, no spent job left", async () => {
    const id = await queueMail("last-try@example.test");
    await useAttempts(`mail:${id}`, 7); // seven attempts that died before their claim
    smtp.failNext(1);
    await runJobsUntilIdle({ kinds: [MAIL_TASK] });
    assert.deepEqual(await mailRow(id), { status: "failed", attempts: 1, last_error: "the mail server deferred the message (SMTP 451, temporary)", erased: true });
    assert.equal(await job(`mail:${id}`), undefined, "the job finished: nothing spent stays behind");
  });

  test("webhook: the row says 1 of 6, the job says 6 of 6: the row fails", async () => {
    const id = await webhookDelivery();
    await useAttempts(`notify:${id}`, 5);
    answer = 503;
    await runJobsUntilIdle({ kinds: [NOTIFY_TASK] });
    assert.deepEqual(await deliveryRow(id), { status: "failed", attempts: 1, last_error: "the receiver answered 503" });
    assert.equal(await job(`notify:${id}`), undefined);
  });
});

describe("the sweeps fail what no job will finish", () => {
  test("they run every 15 minutes on graphile-worker's crontab", () => {
    for (const [line, task] of [[MAIL_SWEEP_CRONTAB, MAIL_SWEEP_TASK], [NOTIFY_SWEEP_CRONTAB, NOTIFY_SWEEP_TASK]]) {
      const [item] = parseCrontab(line);
      assert.equal(item.task, task);
      assert.equal(line.startsWith("*/15 "), true);
    }
  });

  test("mail: a spent unlocked job or none fails its row; a job with attempts left, a locked one, or a fresh row keeps it", async () => {
    const spent = await queueMail("spent@example.test");
    const gone = await queueMail("gone@example.test");
    const retrying = await queueMail("retrying@example.test");
    const running = await queueMail("running@example.test");
    const fresh = await queueMail("fresh@example.test");
    await owner(`update mail.outbox set created_at = now() - interval '1 hour', attempts = 3 where id = any($1::uuid[])`, [[spent, gone, retrying, running]]);
    await useAttempts(`mail:${spent}`, "all");
    await owner(`delete from graphile_worker._private_jobs where key = $1`, [`mail:${gone}`]);
    await useAttempts(`mail:${retrying}`, 3);
    await useAttempts(`mail:${running}`, "all");
    await owner(`update graphile_worker._private_jobs set locked_at = now(), locked_by = 'a-live-worker' where key = $1`, [`mail:${running}`]);
    await owner(`delete from graphile_worker._private_jobs where key = $1`, [`mail:${fresh}`]);

    const { failed } = await sweepStrandedMail();
    assert.deepEqual(failed.sort(), [spent, gone].sort());
    assert.deepEqual(await mailRow(spent), { status: "failed", attempts: 3, last_error: STRANDED_MAIL_ERROR, erased: true });
    assert.equal((await mailRow(gone)).status, "failed");
    assert.equal(await job(`mail:${spent}`), undefined, "the spent job is removed with it");
    for (const id of [retrying, running, fresh]) assert.equal((await mailRow(id)).status, "queued");
    assert.deepEqual((await sweepStrandedMail()).failed, [], "a second sweep finds nothing");
    await owner(`update graphile_worker._private_jobs set locked_at = null, locked_by = null where key = $1`, [`mail:${running}`]);
    await owner(`delete from graphile_worker._private_jobs where key = any($1::text[])`, [[`mail:${retrying}`, `mail:${running}`]]);
    await owner(`update mail.outbox set status = 'sent', sent_at = now() where id = any($1::uuid[])`, [[retrying, running, fresh]]);
  });

  test("webhook: a spent unlocked job fails its delivery; one with attempts left keeps it", async () => {
    const spent = await webhookDelivery();
    const retrying = await webhookDelivery();
    await owner(`update public.notification_deliveries set created_at = now() - interval '1 hour' where id = any($1::uuid[])`, [[spent, retrying]]);
    await useAttempts(`notify:${spent}`, "all");
    await useAttempts(`notify:${retrying}`, 2);
    const { failed } = await sweepStrandedDeliveries();
    assert.deepEqual(failed.map((d) => d.id), [spent]);
    assert.deepEqual(await deliveryRow(spent), { status: "failed", attempts: 0, last_error: STRANDED_DELIVERY_ERROR });
    assert.equal(await job(`notify:${spent}`), undefined);
    // The channel's attempt list says so too: the failure as an attempt row.
    assert.deepEqual(
      await owner(`select attempt, outcome, error from public.notification_attempts where delivery_id = $1 order by attempt`, [spent]),
      [{ attempt: 1, outcome: "failed", error: STRANDED_DELIVERY_ERROR }],
    );
    assert.equal((await deliveryRow(retrying)).status, "queued");
    await owner(`delete from graphile_worker._private_jobs where key = $1`, [`notify:${retrying}`]);
    await owner(`update public.notification_deliveries set status = 'failed', failed_at = now() where id = $1`, [retrying]);
  });

  test("webhook: a delivery whose recorded attempt retried, then whose job died unrecorded, gets the next attempt's row", async () => {
    const id = await webhookDelivery();
    await owner(`update public.notification_deliveries set created_at = now() - interval '1 hour', attempts = 1 where id = $1`, [id]);
    await owner(
      `insert into public.notification_attempts (tenant_id, delivery_id, attempt, outcome, response_status, error)
       select tenant_id, id, 1, 'retrying', 503, 'the receiver answered 503' from public.notification_deliveries where id = $1`,
      [id],
    );
    await useAttempts(`notify:${id}`, "all");
    assert.deepEqual((await sweepStrandedDeliveries()).failed.map((d) => d.id), [id]);
    assert.deepEqual(
      await owner(`select attempt, outcome from public.notification_attempts where delivery_id = $1 order by attempt`, [id]),
      [{ attempt: 1, outcome: "retrying" }, { attempt: 2, outcome: "failed" }],
    );
  });

  test("spent delivery jobs are deleted after a week; newer ones, ones with attempts left and other tasks' are kept", async () => {
    const add = async (task: string, key: string, spent: boolean, daysAgo: number) => {
      await owner(`select graphile_worker.add_job($1, '{}'::json, job_key => $2, max_attempts => 3)`, [task, key]);
      await owner(`update graphile_worker._private_jobs set attempts = $2, updated_at = now() - make_interval(days => $3), run_at = now() + interval '1 day' where key = $1`, [key, spent ? 3 : 1, daysAgo]);
    };
    await add("mail:deliver", "purge:old-spent", true, 8);
    await add("mail:deliver", "purge:new-spent", true, 2);
    await add("mail:deliver", "purge:old-live", false, 8);
    await add("reports:generate", "purge:other-task", true, 8);
    await add("notify:deliver", "purge:old-spent-hook", true, 8);
    const mail = await sweepStrandedMail();
    const hooks = await sweepStrandedDeliveries();
    assert.equal(mail.purged, 1);
    assert.equal(hooks.purged, 1);
    const left = await owner<{ key: string }>(`select key from graphile_worker._private_jobs where key like 'purge:%' order by key`);
    assert.deepEqual(left.map((r) => r.key), ["purge:new-spent", "purge:old-live", "purge:other-task"]);
    await owner(`delete from graphile_worker._private_jobs where key like 'purge:%'`);
  });
});

describe("fairness priority", () => {
  test("jobs_engine.waiting_in counts the queue's jobs that will still run: a tenant's failed mail does not push its next one back", async () => {
    const queue = `mail:${fx.tenants.acme}`;
    const waitingIn = async () => (await owner<{ n: number }>(`select jobs_engine.waiting_in($1) as n`, [queue]))[0].n;
    const before = await waitingIn();
    // Three messages that failed for good during an SMTP outage (graphile-worker keeps their jobs), one still waiting.
    for (let i = 0; i < 4; i++) await owner(`select graphile_worker.add_job('test:noop', '{}'::json, queue_name => $1, job_key => $2, max_attempts => 5, run_at => now() + interval '1 day')`, [queue, `fair:${i}`]);
    await owner(`update graphile_worker._private_jobs set attempts = 5 where key in ('fair:0', 'fair:1', 'fair:2')`);
    assert.equal(await waitingIn(), before + 1);
    const id = await queueMail("ranked@example.test");
    const [{ priority }] = await owner<{ priority: number }>(`select priority from graphile_worker._private_jobs where key = $1`, [`mail:${id}`]);
    assert.equal(priority, before + 1, "the new invitation ranks behind the one waiting job only");
    await owner(`delete from graphile_worker._private_jobs where key like 'fair:%' or key = $1`, [`mail:${id}`]);
    await owner(`update mail.outbox set status = 'sent', sent_at = now() where id = $1`, [id]);
  });
});

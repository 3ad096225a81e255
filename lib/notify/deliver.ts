// Delivering a webhook notification: the graphile-worker task
// "notify:deliver" (one job per delivery row, queued by the row's trigger in
// the transaction that created it). Each attempt:
//   1. claims the row (attempts + 1, only while queued) with its channel;
//   2. opens the channel's signing secret (tenant DEK), signs timestamp + body
//      (signature.ts), and POSTs it through the one outbound path
//      (lib/credentials/outbound.ts: every address the host resolves to must
//      be public, no redirects, a timeout, a bounded read), outside any
//      transaction;
//   3. records the attempt (notification_attempts) and marks the row
//      delivered on a 2xx; otherwise records the reason and throws, so
//      graphile-worker retries with its backoff (exp(min(attempt, 10)) s:
//      about 3 s, 7 s, 20 s, 55 s, 2.5 min); the last attempt marks the row
//      failed: the one reaching the row's max_attempts (6), or graphile-
//      worker's own last one (its count runs ahead of the row's when an
//      attempt died before or after the claim). What no attempt recorded,
//      notify:sweep fails (stranded.ts).
//   A secret that does not open (its key version gone for good, its bytes
//   altered) fails the row at once: retrying cannot help. A key service that
//   fails (Vault or the MSSP's KEK unavailable: ChannelKeyServiceError) is a
//   transient failure like a 5xx: "key service unavailable …" is recorded as
//   the attempt's error and the attempt is retried with the same backoff.
// At least once, like mail: a receiver deduplicates on X-Portal-Delivery.
import type { Task } from "graphile-worker";
import { z } from "zod";
import { withServiceRole } from "@/lib/db/service-role";
import { NON_PUBLIC_ADDRESS, PUBLIC_ADDRESSES_ONLY, sendOutbound, type AddressPolicy } from "@/lib/credentials/outbound";
import { testEndpoint } from "@/lib/credentials/verify";
import { isLastAttempt, type JobAttempts } from "@/lib/jobs/spent";
import { registerCronItem, registerEngineTask } from "@/lib/jobs/worker";
import { log, safeError, scrubText } from "@/lib/log";
import { ChannelKeyServiceError, ChannelSecretError, openStored } from "./secret";
import { signedHeaders } from "./signature";
import { sweepStrandedDeliveries } from "./stranded";

export const NOTIFY_TASK = "notify:deliver";
export const WEBHOOK_TIMEOUT_MS = 10_000;

interface Claimed {
  tenant_id: string;
  id: string;
  channel_id: string;
  attempts: number;
  max_attempts: number;
  payload: Record<string, unknown>;
  url: string | null;
  enabled: boolean;
  key_version: number | null;
  secret_sealed: Buffer | null;
}

async function claim(tenantId: string, id: string): Promise<Claimed | null> {
  return withServiceRole("workflows.engine", async (db) => {
    const { rows } = await db.$client.query<Claimed>(
      `with d as (
         update public.notification_deliveries set attempts = attempts + 1
          where tenant_id = $1 and id = $2 and status = 'queued' and kind = 'webhook'
          returning tenant_id, id, channel_id, attempts, max_attempts, payload)
       select d.tenant_id, d.id, d.channel_id, d.attempts, d.max_attempts, d.payload, c.url, c.enabled, c.key_version, c.secret_sealed
         from d join public.notification_channels c on c.tenant_id = d.tenant_id and c.id = d.channel_id`,
      [tenantId, id],
    );
    return rows[0] ?? null;
  });
}

async function record(
  d: Claimed,
  outcome: "delivered" | "retrying" | "failed",
  detail: { status?: number; error?: string; ms: number },
): Promise<void> {
  await withServiceRole("workflows.engine", async (db) => {
    await db.$client.query(
      `insert into public.notification_attempts (tenant_id, delivery_id, attempt, outcome, response_status, error, duration_ms)
       values ($1, $2, $3, $4, $5, $6, $7) on conflict do nothing`,
      [d.tenant_id, d.id, d.attempts, outcome, detail.status ?? null, detail.error?.slice(0, 500) ?? null, detail.ms],
    );
    await db.$client.query(
      outcome === "delivered"
        ? `update public.notification_deliveries set status = 'delivered', delivered_at = now(), response_status = $3, last_error = null where tenant_id = $1 and id = $2`
        : outcome === "failed"
          ? `update public.notification_deliveries set status = 'failed', failed_at = now(), response_status = $3, last_error = $4 where tenant_id = $1 and id = $2`
          : `update public.notification_deliveries set response_status = $3, last_error = $4 where tenant_id = $1 and id = $2`,
      outcome === "delivered" ? [d.tenant_id, d.id, detail.status ?? null] : [d.tenant_id, d.id, detail.status ?? null, detail.error?.slice(0, 500) ?? null],
    );
  });
}

/**
 * Where the request really goes, and under which address policy: the
 * channel's URL with the public-only policy, or, for tests and local demos
 * only, the stub named by CONNECTOR_TEST_ENDPOINT (lib/credentials/verify.ts:
 * ignored in production without its second flag) as `<stub>/webhook<path>`.
 */
export function webhookTarget(url: string, policy: AddressPolicy): { url: string; policy: AddressPolicy | null } {
  const stub = testEndpoint();
  if (!stub) return { url, policy };
  const u = new URL(url);
  return { url: `${stub}/webhook${u.pathname}${u.search}`, policy: null };
}

function reasonOf(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === NON_PUBLIC_ADDRESS) return "the host resolves to an address that is not public (refused)";
  if ((error as Error).name === "AbortError" || (error as Error).name === "TimeoutError") return `no answer within ${WEBHOOK_TIMEOUT_MS / 1000} s`;
  if (code === "ENOTFOUND") return "the host does not resolve";
  if (code === "ECONNREFUSED") return "the connection was refused";
  return code ? `network error (${code})` : "network error";
}

/** One attempt at one delivery. Throws (for graphile-worker to retry) when it failed and attempts remain. */
export async function deliverWebhook(
  tenantId: string,
  id: string,
  policy: AddressPolicy = PUBLIC_ADDRESSES_ONLY,
  job?: JobAttempts,
): Promise<"delivered" | "failed" | "retrying" | "skipped"> {
  const d = await claim(tenantId, id);
  if (!d) return "skipped"; // done already, or gone with its channel or tenant
  const final = isLastAttempt(d, job);
  const started = Date.now();
  if (!d.enabled || !d.url || !d.secret_sealed || d.key_version === null) {
    await record(d, "failed", { error: "the channel is disabled", ms: 0 });
    return "failed";
  }
  let secret: string;
  try {
    secret = await openStored(d.tenant_id, d.channel_id, d.key_version, d.secret_sealed);
  } catch (error) {
    if (error instanceof ChannelSecretError) {
      // Retrying cannot help: the key is gone for good or the row was altered.
      await record(d, "failed", { error: error.message, ms: 0 });
      return "failed";
    }
    // The key service failing (or the database, while getting the key) says nothing about the secret:
    // a transient failure, retried with the same backoff as a 5xx; the last attempt fails the row.
    const reason = error instanceof ChannelKeyServiceError ? error.message : "the signing secret could not be opened this time; the delivery is retried";
    await record(d, final ? "failed" : "retrying", { error: reason, ms: Date.now() - started });
    log.warn(
      { event: "notify.key-service", deliveryId: d.id, attempt: d.attempts, err: safeError(error instanceof ChannelKeyServiceError ? error.cause : error) },
      "webhook attempt not sent: the signing secret could not be opened this time",
    );
    if (final) return "failed";
    throw new Error(`delivery ${d.id}: attempt ${d.attempts} not sent (key service unavailable); retrying`);
  }
  const body = JSON.stringify(d.payload);
  const target = webhookTarget(d.url, policy);
  try {
    const response = await sendOutbound(
      { url: target.url, method: "POST", headers: { ...signedHeaders(secret, d.id, body), "user-agent": "mssp-portal webhook" }, body, timeoutMs: WEBHOOK_TIMEOUT_MS, maxBodyBytes: 1024 },
      target.policy,
    );
    const ms = Date.now() - started;
    if (response.status >= 200 && response.status < 300) {
      await record(d, "delivered", { status: response.status, ms });
      log.info({ event: "notify.delivered", deliveryId: d.id, attempt: d.attempts }, "webhook delivered");
      return "delivered";
    }
    // The receiver's body is never recorded: it may quote anything back.
    const error = `the receiver answered ${response.status}`;
    await record(d, final ? "failed" : "retrying", { status: response.status, error, ms });
  } catch (error) {
    const reason = scrubText(reasonOf(error), [secret]);
    await record(d, final ? "failed" : "retrying", { error: reason, ms: Date.now() - started });
    log.warn({ event: "notify.attempt-failed", deliveryId: d.id, attempt: d.attempts, err: safeError(error, [secret]) }, "webhook attempt failed");
  }
  if (final) return "failed";
  throw new Error(`delivery ${d.id}: attempt ${d.attempts} failed; retrying`);
}

const payloadSchema = z.object({ tenantId: z.string().uuid(), id: z.string().uuid() });

const deliverTask: Task = async (payload, helpers) => {
  const parsed = payloadSchema.safeParse(payload);
  if (!parsed.success) {
    log.error({ event: "notify.bad-payload" }, "a notify job does not point at a delivery row; dropped");
    return;
  }
  await deliverWebhook(parsed.data.tenantId, parsed.data.id, PUBLIC_ADDRESSES_ONLY, helpers.job);
};

export const NOTIFY_SWEEP_TASK = "notify:sweep";
export const NOTIFY_SWEEP_CRONTAB = `*/15 * * * * ${NOTIFY_SWEEP_TASK}`;
const sweepTask: Task = async () => {
  await sweepStrandedDeliveries();
};

let registered = false;
/** Makes every worker of this process deliver webhooks (lib/jobs/default-handlers.ts calls it). */
export function registerNotifyDelivery(): void {
  if (registered) return;
  registered = true;
  registerEngineTask(NOTIFY_TASK, deliverTask);
  registerEngineTask(NOTIFY_SWEEP_TASK, sweepTask);
  registerCronItem(NOTIFY_SWEEP_CRONTAB);
}

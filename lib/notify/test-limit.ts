// "Send test" queues a delivery the tenant's admin picks the target of: a
// webhook that never answers holds the job worker for up to 10 s × 6 attempts,
// and an email channel mails up to 20 unverified addresses from the portal's
// sender. A per-tenant budget (in the shared lib/ratelimit buckets, so every
// replica draws from the same one) bounds what one admin's script or stuck
// button can make the portal send. Channels per tenant are capped too
// (channels.ts CHANNELS_PER_TENANT, migration 20261201029900).
import { ActionRefusal } from "@/lib/actions/refusal";
import type { TenantTx } from "@/lib/db/with-tenant";
import { minutesToWait, perWindow, takeWithin } from "@/lib/ratelimit";

/** Tests per tenant per hour, at most CHANNEL_TEST_BURST of them at once. */
export const CHANNEL_TESTS_PER_HOUR = 20;
export const CHANNEL_TEST_BURST = 5;
const LIMIT = perWindow(CHANNEL_TESTS_PER_HOUR, 3600, CHANNEL_TEST_BURST);

/** Spends one test of the tenant's budget, or refuses saying when the next one is possible (nothing queued). */
export async function takeChannelTest(tx: TenantTx, tenantId: string): Promise<void> {
  const r = await takeWithin(tx.db, `notify:test:${tenantId}`, LIMIT);
  if (r.allowed) return;
  const minutes = minutesToWait(r);
  throw new ActionRefusal(
    `This tenant has used its channel tests for now (${CHANNEL_TEST_BURST} in a row, ${CHANNEL_TESTS_PER_HOUR} an hour). Try again in ${minutes} minute${minutes === 1 ? "" : "s"}; nothing was sent.`,
    { limit: CHANNEL_TESTS_PER_HOUR, retry_after_seconds: Math.ceil(r.retryAfterSeconds) },
  );
}

// Webhook notifications the e2e server's stub received (scripts/lib/
// connector-stub.ts appends each to .data/e2e/webhooks.jsonl: path, the
// x-portal-* headers, the raw body).
import { readFile } from "node:fs/promises";
import path from "node:path";
import type { ReceivedWebhook } from "@/scripts/lib/connector-stub";

const WEBHOOK_LOG = path.join(process.cwd(), ".data", "e2e", "webhooks.jsonl");

export async function receivedWebhooks(): Promise<ReceivedWebhook[]> {
  const text = await readFile(WEBHOOK_LOG, "utf8").catch(() => "");
  return text.split("\n").filter(Boolean).map((l) => JSON.parse(l) as ReceivedWebhook);
}

/** The first webhook to `urlPath` whose body satisfies `match`, waiting up to `timeoutMs`. */
export async function waitForWebhook(urlPath: string, match: (body: Record<string, unknown>) => boolean, timeoutMs = 30_000): Promise<ReceivedWebhook> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = (await receivedWebhooks()).find((w) => w.path === urlPath && match(JSON.parse(w.body) as Record<string, unknown>));
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`no webhook to ${urlPath} matched (log: ${WEBHOOK_LOG})`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

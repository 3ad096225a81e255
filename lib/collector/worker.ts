// The collector's loop, for one tenant (docs/collector.md):
//
//   start      heartbeat (registers the collector by name), checkpoints read
//   each cycle open the tenant's enabled credentials (refreshed every
//              COLLECTOR_CREDENTIAL_REFRESH_MS, and at once after a vendor
//              refused one, or when the portal's key service could not open
//              one: skipped with retry, said in the heartbeat), then per connector: pull a page from its
//              checkpoint → POST /alerts in batches → advance the checkpoint
//              → next page, until caught up (or COLLECTOR_MAX_PAGES)
//   then       heartbeat (last pull, last error or null), sleep the poll
//              interval (none when a feed had more waiting)
//   errors     exponential backoff with jitter: a vendor call up to
//              COLLECTOR_VENDOR_RETRIES tries, then that connector waits for
//              the next cycle; a portal call until it gets through (never
//              sooner than its Retry-After); a refused key ends the run
//   --once     every connector until caught up, then return "done" ("failed"
//              when a cycle failed)
//   stop       SIGTERM/SIGINT abort the signal: sleeps end at once, the page
//              in hand finishes (its checkpoint is advanced only after its
//              alerts were accepted), then runCollector returns
//
// No database here at all: credentials, alerts, heartbeats and checkpoints go
// through the tenant API with the tenant's key (the collector has no login).
import type { Logger } from "@/lib/log";
import { childLogger, scrubText } from "@/lib/log";
import { PortalApi, PortalApiError } from "./api-client";
import { backoffDelay, sleep } from "./backoff";
import type { CollectorConfig } from "./config";
import { CollectorAccessError, openTenantCredentials, type CollectorCredential, type TenantCredentials } from "./credentials";
import { authRefused, vendorFailure, vendorFetch } from "./vendor-http";
import { PULLERS, type VendorPage } from "./vendors";

export type CollectorExit = "stopped" | "done" | "refused" | "failed";

export interface RunOptions {
  signal: AbortSignal;
  logger?: Logger;
  /** Tests may stand in for the portal's credentials call (credentials.ts). */
  openCredentials?: typeof openTenantCredentials;
}

class Aborted extends Error {}

const MAX_ERROR = 1000;

/** Heartbeat text: one bounded paragraph without control characters. */
function errorText(text: string): string {
  return text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]+/g, " ").slice(0, MAX_ERROR);
}

function messageOf(error: unknown): string {
  if (error instanceof PortalApiError || error instanceof CollectorAccessError) return error.message;
  const e = error as { name?: string; message?: string; code?: string };
  return `${e?.name ?? "Error"}: ${e?.message ?? String(error)}${e?.code ? ` (${e.code})` : ""}`;
}

export async function runCollector(cfg: CollectorConfig, opts: RunOptions): Promise<CollectorExit> {
  const { signal } = opts;
  const log = opts.logger ?? childLogger({ component: "collector", tenant: cfg.tenant, collector: cfg.name });
  const userAgent = `mssp-portal-collector/${cfg.version}`;
  const api = new PortalApi({ apiUrl: cfg.apiUrl, apiHost: cfg.apiHost, apiKey: cfg.apiKey, userAgent });
  const open = opts.openCredentials ?? openTenantCredentials;

  let creds: TenantCredentials | null = null;
  let openedAt = 0;
  let reopen = false;
  const checkpoints = new Map<string, string | null>();
  let checkpointsLoaded = false;
  let lastPullAt: string | null = null;

  /** Every secret this run opened, and the key, out of a text. */
  const scrub = (text: string) => {
    let out = scrubText(text, [cfg.apiKey]);
    for (const c of creds?.credentials ?? []) out = c.scrub(out);
    return out;
  };

  const delay = (attempt: number, retryAfterMs?: number | null) =>
    backoffDelay(attempt, { baseMs: cfg.backoffBaseMs, maxMs: cfg.backoffMaxMs, retryAfterMs });

  /** A portal call, tried until it gets through; a refusal that retrying cannot fix is thrown. */
  async function portal<T>(what: string, fn: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      if (signal.aborted) throw new Aborted();
      try {
        return await fn();
      } catch (error) {
        // 429, 502-504 and no answer are waited out; a 500 is a fault on the portal's side that may
        // not pass by itself, so after a few tries the cycle fails (and is itself retried later).
        if (!(error instanceof PortalApiError) || !error.transient || (error.status === 500 && attempt >= 5)) throw error;
        const wait = delay(attempt, error.retryAfterMs);
        log.warn(
          { event: "collector.api-retry", call: what, status: error.status, attempt, delay_ms: wait, retry_after_ms: error.retryAfterMs, reason: scrub(error.message) },
          "portal call failed; backing off",
        );
        await sleep(wait, signal);
      }
    }
  }

  async function heartbeat(lastError: string | null | undefined): Promise<void> {
    await portal("heartbeat", () =>
      api.heartbeat({
        name: cfg.name,
        version: cfg.version,
        hostname: cfg.hostname,
        ...(lastPullAt ? { last_pull_at: lastPullAt } : {}),
        ...(lastError === undefined ? {} : { last_error: lastError === null ? null : errorText(scrub(lastError)) }),
      }),
    );
  }

  /** Pulls one connector until caught up; returns an error text, and whether more is waiting. */
  async function pullConnector(cred: CollectorCredential): Promise<{ error: string | null; more: boolean; sent: number }> {
    const puller = PULLERS[cred.connector]!;
    const fetch = vendorFetch(cred.connector, userAgent);
    let cursor = checkpoints.get(cred.id) ?? null;
    let sentTotal = 0;
    for (let page = 0; page < cfg.maxPagesPerCycle; page++) {
      if (signal.aborted) return { error: null, more: true, sent: sentTotal };
      let result: VendorPage | null = null;
      for (let attempt = 1; !result; attempt++) {
        try {
          result = await cred.use((secret, config) => puller.pull({ config, secret, cursor, pageSize: cfg.pageSize, fetch }));
        } catch (error) {
          const failure = vendorFailure(error);
          const text = `${cred.name} (${cred.connector}): ${scrub(failure.message)}`;
          if (authRefused(failure.status)) {
            // Replaced in the portal since we opened it? Read it again next cycle.
            reopen = true;
            log.warn({ event: "collector.vendor-refused", credential_id: cred.id, connector: cred.connector, status: failure.status, reason: text }, "the vendor refused the credential");
            return { error: text, more: false, sent: sentTotal };
          }
          if (attempt >= cfg.vendorRetries) {
            log.error({ event: "collector.vendor-failed", credential_id: cred.id, connector: cred.connector, attempts: attempt, reason: text }, "vendor pull failed; next cycle tries again");
            return { error: text, more: false, sent: sentTotal };
          }
          const wait = delay(attempt);
          log.warn(
            { event: "collector.vendor-retry", credential_id: cred.id, connector: cred.connector, status: failure.status, attempt, delay_ms: wait, reason: text },
            "vendor pull failed; backing off",
          );
          await heartbeat(text).catch(() => {});
          await sleep(wait, signal);
          if (signal.aborted) return { error: null, more: true, sent: sentTotal };
        }
      }
      // `sent` (what the checkpoint and the status card's "Alerts sent" add up) counts the alerts
      // this page created only: a duplicate (a page re-sent after a crash) was counted when it
      // was first created.
      let sent = 0;
      let duplicates = 0;
      let rejected = 0;
      for (let i = 0; i < result.alerts.length; i += cfg.batchSize) {
        const batch = result.alerts.slice(i, i + cfg.batchSize);
        const answer = await portal("POST /alerts", () => api.ingestAlerts(batch));
        sent += answer.summary.created;
        duplicates += answer.summary.duplicates;
        rejected += answer.summary.rejected;
        for (const r of answer.results.filter((x) => x.status === "rejected").slice(0, 3)) {
          log.warn({ event: "collector.alert-rejected", credential_id: cred.id, external_id: batch[r.index]?.external_id, reason: "reason" in r ? r.reason : undefined }, "the portal rejected an alert");
        }
      }
      if (result.cursor !== null && result.cursor !== cursor) {
        const next = result.cursor;
        try {
          await portal("checkpoint", () => api.advanceCheckpoint(cfg.name, { credential_id: cred.id, previous_cursor: cursor, cursor: next, sent }));
        } catch (error) {
          if (error instanceof PortalApiError && error.status === 409) {
            // Someone else moved it: carry on from theirs, never rewind it.
            checkpoints.set(cred.id, error.problem.cursor ?? null);
            return { error: `${cred.name}: ${error.message}`, more: false, sent: sentTotal + sent };
          }
          throw error;
        }
        cursor = next;
        checkpoints.set(cred.id, cursor);
      }
      sentTotal += sent;
      log.info(
        { event: "collector.page", credential_id: cred.id, connector: cred.connector, pulled: result.alerts.length, created: sent, duplicates, rejected, unmapped: result.skipped, more: result.more },
        "page sent",
      );
      if (!result.more) return { error: null, more: false, sent: sentTotal };
    }
    return { error: null, more: true, sent: sentTotal };
  }

  log.info({ event: "collector.started", api: cfg.apiUrl.origin, version: cfg.version, once: cfg.once }, "collector started");
  let failures = 0;
  try {
    await heartbeat(undefined);
    while (!signal.aborted) {
      try {
        if (!creds || reopen || Date.now() - openedAt >= cfg.credentialRefreshMs) {
          // Both through the gateway, which asks the PDP whether this key may act as this
          // tenant's collector (collectors:write): the collector needs no PDP of its own, and a
          // revoked or narrowed key stops at the next refresh.
          for (const c of await portal("checkpoints", () => api.checkpoints(cfg.name))) checkpoints.set(c.credential_id, c.cursor);
          checkpointsLoaded = true;
          creds = await portal("credentials", () => open(api, cfg.name, cfg.tenant));
          openedAt = Date.now();
          // A credential the portal's key service could not open this time is asked for again next
          // cycle, not left out until the next refresh.
          reopen = creds.skipped.some((s) => s.retry === true);
          log.info(
            {
              event: "collector.credentials",
              open: creds.credentials.map((c) => ({ id: c.id, connector: c.connector })),
              skipped: creds.skipped.map((s) => ({ id: s.id, connector: s.connector, reason: s.reason, ...(s.retry ? { retry: true } : {}) })),
            },
            `pulling from ${creds.credentials.length} connector(s)`,
          );
          for (const s of creds.skipped.filter((x) => x.retry)) {
            log.warn({ event: "collector.credential-key-service", credential_id: s.id, connector: s.connector, reason: s.reason }, "a credential was not opened (the key service failed); retrying next cycle");
          }
        }
        if (!checkpointsLoaded) {
          for (const c of await portal("checkpoints", () => api.checkpoints(cfg.name))) checkpoints.set(c.credential_id, c.cursor);
          checkpointsLoaded = true;
        }
        // What was not opened because the key service failed is this cycle's error (the status card shows it), not a broken credential.
        const errors: string[] = creds.skipped.filter((x) => x.retry).map((x) => `${x.name} (${x.connector}): ${x.reason}`);
        let more = false;
        let sent = 0;
        for (const cred of creds.credentials) {
          if (signal.aborted) break;
          const r = await pullConnector(cred);
          if (r.error) errors.push(r.error);
          more ||= r.more;
          sent += r.sent;
        }
        if (signal.aborted) break;
        lastPullAt = new Date().toISOString();
        await heartbeat(errors.length ? errors.join("; ") : null);
        log.info({ event: "collector.cycle", connectors: creds.credentials.length, sent, errors: errors.length, more }, "cycle done");
        failures = 0;
        if (cfg.once && !more) return "done";
        if (!more) await sleep(cfg.pollIntervalMs, signal);
      } catch (error) {
        if (error instanceof Aborted) break;
        if (error instanceof CollectorAccessError || (error instanceof PortalApiError && error.fatal)) throw error;
        // The portal (its vault or database), or a refusal that is not the key's: back off and try the cycle again.
        failures++;
        const wait = delay(failures);
        const text = scrub(messageOf(error));
        log.error({ event: "collector.cycle-failed", attempt: failures, delay_ms: wait, reason: text }, "cycle failed; backing off");
        await heartbeat(text).catch(() => {});
        if (cfg.once) return "failed";
        creds = null;
        await sleep(wait, signal);
      }
    }
  } catch (error) {
    if (error instanceof Aborted) {
      // stopping
    } else if (error instanceof CollectorAccessError || (error instanceof PortalApiError && error.fatal)) {
      log.error({ event: "collector.refused", reason: scrub(messageOf(error)) }, "the portal refused this collector's key; stopping");
      if (error instanceof CollectorAccessError) await heartbeat(error.message).catch(() => {});
      return "refused";
    } else {
      throw error;
    }
  }
  log.info({ event: "collector.stopped" }, "collector stopped");
  return "stopped";
}

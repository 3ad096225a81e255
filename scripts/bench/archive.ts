// Export and restore rates of one tenant's archive (issue 8, "export/restore
// rates in rows/s and peak RSS"), for `npm run bench -- --only=lifecycle`.
//
// Exports the tenant (and its sites) to a temporary file under a throwaway
// transfer key, reads it back once without a database (inspect: decryption,
// decompression, checksums), then restores it over itself with replace (the
// "restore one customer to yesterday" path: its live rows deleted, the
// archive's written, every table's checksum recomputed, one transaction).
// The database ends as it started. Peak RSS is sampled every 20 ms during
// each phase: it should stay flat whatever the tenant's size, because every
// phase streams.
import { randomBytes } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdtemp, rm, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { closePool } from "@/lib/db/pool";
import { exportTenant, inspectArchive, restoreTenant } from "@/lib/lifecycle/archive";

export interface ArchiveBenchInput {
  /** The database owner's URL (the lifecycle code switches to service_role itself). */
  ownerUrl: string;
  tenantSlug: string;
  log?: (line: string) => void;
}

export interface ArchiveBenchResult {
  rows: number;
  bytes: number;
  phases: { name: string; seconds: number; rowsPerSecond: number; peakRssMb: number }[];
  lines: string[];
}

const fmt = (n: number) => Math.round(n).toLocaleString("en-US");
const mb = (bytes: number) => bytes / 1024 / 1024;

/** Runs `fn`, sampling RSS meanwhile; returns its result, the seconds it took and the peak RSS seen. */
async function measured<T>(fn: () => Promise<T>): Promise<{ result: T; seconds: number; peakRss: number }> {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  const t0 = performance.now();
  try {
    const result = await fn();
    peak = Math.max(peak, process.memoryUsage().rss);
    return { result, seconds: (performance.now() - t0) / 1000, peakRss: peak };
  } finally {
    clearInterval(timer);
  }
}

export async function runArchiveBench(input: ArchiveBenchInput): Promise<ArchiveBenchResult> {
  const log = input.log ?? console.log;
  const previousUrl = process.env.DATABASE_URL;
  await closePool();
  process.env.DATABASE_URL = input.ownerUrl;
  const dir = await mkdtemp(path.join(os.tmpdir(), "archive-bench-"));
  const file = path.join(dir, `${input.tenantSlug}.tenant-archive`);
  const transferKey = randomBytes(32);
  const lines: string[] = [];
  const phases: ArchiveBenchResult["phases"] = [];
  try {
    global.gc?.();
    const baseline = process.memoryUsage().rss;
    const exp = await measured(() => exportTenant({ slug: input.tenantSlug, out: createWriteStream(file), transferKey, via: "bench" }));
    const rows = exp.result.rows;
    const bytes = (await stat(file)).size;
    const read = await measured(() => inspectArchive(createReadStream(file), transferKey));
    const res = await measured(() => restoreTenant({ in: createReadStream(file), transferKey, replace: true, via: "bench" }));
    for (const [name, m] of [["export", exp], ["read back (no database)", read], ["restore (replace in place)", res]] as const) {
      phases.push({ name, seconds: m.seconds, rowsPerSecond: rows / m.seconds, peakRssMb: mb(m.peakRss) });
    }
    lines.push(
      `Archive of ${input.tenantSlug} and ${exp.result.tenants.length - 1} site(s): ${fmt(rows)} rows, ${mb(bytes).toFixed(1)} MiB sealed ` +
        `(${(bytes / rows).toFixed(0)} bytes/row); RSS before ${mb(baseline).toFixed(0)} MiB`,
      ...phases.map((p) => `  ${p.name.padEnd(28)} ${p.seconds.toFixed(2).padStart(7)} s  ${fmt(p.rowsPerSecond).padStart(9)} rows/s  peak RSS ${p.peakRssMb.toFixed(0)} MiB`),
      `  restore: ${fmt(res.result.deletedRows)} live rows deleted first; ${Object.values(res.result.verified).filter((v) => v === "equal").length} table(s) verified equal`,
    );
    for (const line of lines) log(line);
    return { rows, bytes, phases, lines };
  } finally {
    await rm(dir, { recursive: true, force: true });
    await closePool();
    if (previousUrl === undefined) delete process.env.DATABASE_URL;
    else process.env.DATABASE_URL = previousUrl;
  }
}

// The whole test suite: `npm test`. Phases, in order:
//   policies     `cerbos compile policies/`: every policy valid, every policy
//                test suite (policies/tests) passing
//   integration  node's test runner over tests/**/*.test.ts, against a real
//                embedded Postgres this script starts (each test file makes
//                its own fresh database on it: tests/helpers/test-database.ts)
//                and the real PDP (Cerbos, scripts/lib/cerbos.ts; CERBOS_URL)
//   e2e          Playwright in Debian's Chromium against the built portal
// `npm test -- policies`, `npm test -- integration` or `npm test -- e2e` runs one phase
// (`npm test -- integration tests/x.test.ts` only those test files).
import { spawn } from "node:child_process";
import { readdir, rm } from "node:fs/promises";
import path from "node:path";
import { compilePolicies, startCerbos } from "./lib/cerbos";
import { freePort, startEmbeddedPostgres } from "./lib/embedded-postgres";

const root = process.cwd();
const only = process.argv[2];

async function findFiles(dir: string, suffix: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await findFiles(full, suffix)));
    else if (entry.name.endsWith(suffix)) out.push(full);
  }
  return out.sort();
}

/**
 * A phase's test files. A missing or empty folder is a failure, never a pass
 * with nothing run: a moved or deleted folder must not turn the suite green.
 */
async function phaseFiles(phase: string, folder: string, suffix: string): Promise<string[]> {
  const files = await findFiles(path.join(root, folder), suffix).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== "ENOENT") throw error;
    return [];
  });
  if (files.length === 0) console.error(`${phase}: no *${suffix} files under ${folder}/ (missing folder?); failing rather than passing with nothing run`);
  return files;
}

function run(cmd: string, args: string[], env: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: "inherit", env: { ...process.env, ...env } });
    child.on("exit", (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

// What failed, repeated at the very end of the run: a CI log is often read
// from its tail, and node's TAP output puts a failure hundreds of lines above
// the summary. Each entry is a "not ok" line with the YAML block under it.
const failureReports: string[] = [];

/** Like run(), but also keeps the TAP "not ok" blocks of the child's stdout for the closing summary. */
function runTap(cmd: string, args: string[], env: Record<string, string>): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ["inherit", "pipe", "inherit"], env: { ...process.env, ...env } });
    let pending = "";
    let block: string[] | null = null;
    const flush = () => {
      if (block) failureReports.push(block.slice(0, 200).join("\n"));
      block = null;
    };
    // A block runs from "not ok" to the "..." that closes its YAML diagnostics.
    const onLine = (line: string) => {
      if (/^\s*not ok \d+/.test(line)) {
        flush();
        block = [line];
      } else if (block) {
        block.push(line);
        if (/^\s*\.\.\.\s*$/.test(line)) flush();
      }
    };
    child.stdout.on("data", (chunk: Buffer) => {
      process.stdout.write(chunk);
      pending += chunk.toString("utf8");
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      lines.forEach(onLine);
    });
    child.on("exit", (code, signal) => {
      if (pending) onLine(pending);
      flush();
      resolve(code ?? (signal ? 1 : 0));
    });
  });
}

async function integration(): Promise<number> {
  // `npm test -- integration tests/a.test.ts …` runs just those files.
  const chosen = process.argv.slice(3).map((f) => path.resolve(f));
  const files = chosen.length > 0 ? chosen : await phaseFiles("integration", "tests", ".test.ts");
  if (files.length === 0) return 1;
  const dataDir = path.join(root, ".data", `test-${process.pid}`);
  await rm(dataDir, { recursive: true, force: true });
  const db = await startEmbeddedPostgres({ dataDir, port: await freePort(), persistent: false, quiet: true });
  const pdp = await startCerbos().catch(async (error) => {
    await db.stop();
    throw error;
  });
  try {
    const adminUrl = db.url.replace(/\/[^/]+$/, "/postgres");
    return await runTap(process.execPath, ["--import", "tsx", "--test", "--test-reporter=tap", "--test-concurrency=2", "--test-timeout=180000", ...files], {
      TEST_ADMIN_DATABASE_URL: adminUrl,
      CERBOS_URL: pdp.url,
      // Negative tests provoke errors on purpose (PDP down, failing jobs); their
      // log lines would read like failures in CI output. LOG_LEVEL=info shows them.
      LOG_LEVEL: process.env.LOG_LEVEL ?? "fatal",
      // As in every deployment (lib/config refuses to start without it): queued
      // mail is sealed under a key derived from it (lib/mail/seal.ts). Tests
      // that need a particular secret set their own.
      NEXTAUTH_SECRET: process.env.NEXTAUTH_SECRET ?? "test-only-nextauth-secret-for-the-integration-suite",
    });
  } finally {
    await pdp.stop();
    await db.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

async function e2e(): Promise<number> {
  const files = await phaseFiles("e2e", "e2e", ".spec.ts");
  if (files.length === 0) return 1;
  return run(path.join(root, "node_modules", ".bin", "playwright"), ["test"]);
}

async function policies(): Promise<number> {
  return compilePolicies().code;
}

const phases: Record<string, () => Promise<number>> = { policies, integration, e2e };
let failed = 0;
for (const [name, phase] of Object.entries(phases)) {
  if (only && only !== name) continue;
  console.log(`\n=== ${name} ===`);
  const code = await phase();
  console.log(`=== ${name}: ${code === 0 ? "passed" : `FAILED (exit ${code})`} ===`);
  if (code !== 0) failed++;
}
if (failureReports.length > 0) {
  console.log(`\n=== what failed (${failureReports.length} "not ok" entries, innermost first) ===`);
  for (const report of failureReports) console.log(report);
}
process.exit(failed === 0 ? 0 : 1);

// Ctrl-C on `npm run portal` (issue 9, finding 11): it printed an error-level
// pool line, never said the database stopped, and left a Cerbos temp folder
// behind. This runs the real command as a user does (its own process group,
// the whole group gets SIGINT, as from a terminal) and checks what a user
// would see and what is left on disk. Before package.json's `exec`, npm itself
// exited by SIGINT at once (its script shell died), while the portal went on
// stopping behind the prompt.
//
// Isolated from a developer's own portal: its own embedded Postgres data
// folder (PG_DATA_DIR) and ports (PORT, PG_PORT), its own TMPDIR (so the
// Cerbos folders it leaves can be counted exactly), its own NEXTAUTH_SECRET
// and archive key (the script would otherwise create them in .data/).
// It does run `next dev` in this checkout, and Next allows one dev server per
// project folder: with another `npm run portal` running here, it fails at the
// start and says so.
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { chmod, mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, test } from "node:test";
import pg from "pg";
import { freePort } from "../scripts/lib/embedded-postgres";

const START_TIMEOUT_MS = 140_000;
const STOP_TIMEOUT_MS = 30_000;
const BANNER = /Ctrl-C stops the portal and the embedded Postgres\./;
// Next prints "✓ Ready in 1234ms" once it listens.
const NEXT_READY = /Ready in \d/;

let root: string | undefined;
let child: ChildProcess | undefined;

const running = (c: ChildProcess) => c.exitCode === null && c.signalCode === null;

after(async () => {
  // A failed run must not leave a portal, a Postgres or a Cerbos behind.
  if (child?.pid && running(child)) {
    try {
      process.kill(-child.pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
  if (root) await rm(root, { recursive: true, force: true });
});

/** Resolves when `pattern` is in the output, rejects when the process exits first or `ms` passes. */
function waitFor(c: ChildProcess, output: () => string, pattern: RegExp, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = () => {
      if (pattern.test(output())) done(resolve);
    };
    const onExit = () => done(() => reject(new Error(`npm run portal exited (code ${c.exitCode}, signal ${c.signalCode}) before printing ${pattern}:\n${output()}`)));
    const timer = setTimeout(() => done(() => reject(new Error(`no ${pattern} within ${ms} ms:\n${output()}`))), ms);
    const done = (settle: () => void) => {
      clearTimeout(timer);
      c.stdout!.off("data", check);
      c.stderr!.off("data", check);
      c.off("exit", onExit);
      settle();
    };
    c.stdout!.on("data", check);
    c.stderr!.on("data", check);
    c.once("exit", onExit);
    check();
  });
}

/**
 * Lines at error level: pino's JSON lines at level 50 (error) or 60 (fatal);
 * in text, Next's "⨯" lines, npm's "npm ERR!"/"npm error", a line that starts
 * with an error's name, "error" or "fatal", an unhandled rejection or uncaught
 * exception, and portal.ts's own console.error lines ("Could not …"). A
 * warning that mentions errors (graphile-worker's "Your pool doesn't have
 * error handlers!") is not one.
 */
function errorLines(text: string): string[] {
  return text.split("\n").filter((line) => {
    const trimmed = line.trim();
    if (trimmed.startsWith("{")) {
      try {
        const entry = JSON.parse(trimmed) as { level?: unknown };
        if (typeof entry.level === "number") return entry.level >= 50;
        if (typeof entry.level === "string") return ["error", "fatal"].includes(entry.level.toLowerCase());
      } catch {
        // not JSON: judged as text below
      }
    }
    return /⨯|npm (ERR!|error)|^(\w*Error\b|error\b|fatal\b)|\bunhandled\b|\buncaught\b|^Could not /i.test(trimmed);
  });
}

const cerbosFolders = async (dir: string) => (await readdir(dir)).filter((name) => name.startsWith("cerbos-"));

test("Ctrl-C on npm run portal stops Next.js, the PDP and Postgres cleanly, says so, logs no error and leaves no Cerbos folder", { timeout: 175_000 }, async () => {
  root = await mkdtemp(path.join(os.tmpdir(), "portal-shutdown-"));
  // Postgres runs as the `postgres` OS user when the test runs as root: it
  // must be able to reach its data folder inside this one.
  await chmod(root, 0o755);
  const tmpDir = path.join(root, "tmp");
  const dataDir = path.join(root, "postgres");
  const archiveKey = path.join(root, "archive-transfer.key");
  await mkdir(tmpDir);
  await writeFile(archiveKey, `${randomBytes(32).toString("base64")}\n`, { mode: 0o600 });
  const port = await freePort();
  let pgPort = await freePort();
  while (pgPort === port) pgPort = await freePort();

  const env: NodeJS.ProcessEnv = { ...process.env };
  // The test runner's database and PDP are not the portal's: without
  // DATABASE_URL it starts its own embedded Postgres, without CERBOS_URL its
  // own Cerbos (the folder under test).
  for (const name of ["DATABASE_URL", "CERBOS_URL", "TEST_ADMIN_DATABASE_URL", "NODE_ENV", "NODE_TEST_CONTEXT", "PORTAL_PUBLIC_PORT"]) delete env[name];
  Object.assign(env, {
    PORT: String(port),
    PG_PORT: String(pgPort),
    PG_DATA_DIR: dataDir,
    TMPDIR: tmpDir,
    NEXTAUTH_SECRET: randomBytes(32).toString("base64url"),
    TENANT_ARCHIVE_KEY_FILE: archiveKey,
    // The runner sets fatal to quiet negative tests; an error line must show here.
    LOG_LEVEL: "info",
    NEXT_TELEMETRY_DISABLED: "1",
  });

  let output = "";
  child = spawn("npm", ["run", "portal"], { cwd: process.cwd(), env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  const portal = child;
  portal.stdout!.setEncoding("utf8").on("data", (s: string) => (output += s));
  portal.stderr!.setEncoding("utf8").on("data", (s: string) => (output += s));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => portal.once("exit", (code, signal) => resolve({ code, signal })));

  await waitFor(portal, () => output, BANNER, START_TIMEOUT_MS);
  await waitFor(portal, () => output, NEXT_READY, START_TIMEOUT_MS);
  // One request, so the app (and instrumentation.ts: the job worker, the key
  // listener, the pool) is up and holding database connections when Ctrl-C
  // comes: those connections being cut is what logged the error.
  const res = await fetch(`http://localhost:${port}/signin`, { signal: AbortSignal.timeout(START_TIMEOUT_MS) });
  await res.arrayBuffer();
  assert.ok(res.status < 500, `GET /signin answered ${res.status}:\n${output}`);

  // Controls: what the checks after Ctrl-C look for is there while it runs,
  // so their absence afterwards means something.
  assert.equal((await cerbosFolders(tmpDir)).length, 1, `Cerbos's config folder is in the child's TMPDIR while it runs:\n${output}`);
  assert.ok(existsSync(path.join(dataDir, "postmaster.pid")), `the portal's Postgres runs in PG_DATA_DIR:\n${output}`);
  const admin = new pg.Client({ connectionString: `postgres://postgres:postgres@127.0.0.1:${pgPort}/postgres` });
  await admin.connect();
  try {
    const deadline = Date.now() + 30_000;
    let appConnections = 0;
    while (Date.now() < deadline) {
      const r = await admin.query<{ n: number }>("select count(*)::int as n from pg_stat_activity where usename = 'portal_app'");
      appConnections = r.rows[0].n;
      if (appConnections > 0) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    assert.ok(appConnections > 0, `the portal holds database connections before Ctrl-C:\n${output}`);
  } finally {
    await admin.end();
  }
  const before = output.length;

  // A terminal's Ctrl-C: SIGINT to every process in the foreground group
  // (npm, tsx, the script, next, Postgres, Cerbos), not only to npm.
  process.kill(-portal.pid!, "SIGINT");
  let timer: NodeJS.Timeout | undefined;
  const result = await Promise.race([
    exited,
    new Promise<"timeout">((resolve) => (timer = setTimeout(() => resolve("timeout"), STOP_TIMEOUT_MS))),
  ]);
  clearTimeout(timer);
  const shutdownOutput = output.slice(before);
  assert.notEqual(result, "timeout", `npm run portal still running ${STOP_TIMEOUT_MS} ms after Ctrl-C:\n${shutdownOutput}`);
  const { code, signal } = result as { code: number | null; signal: NodeJS.Signals | null };

  assert.equal(signal, null, `exited by a signal (${signal}), not by itself:\n${shutdownOutput}`);
  assert.equal(code, 0, `exit code:\n${shutdownOutput}`);
  assert.match(shutdownOutput, /^Policy decision point \(Cerbos\) stopped\.$/m, `says the PDP stopped:\n${shutdownOutput}`);
  assert.ok(
    shutdownOutput.split("\n").includes(`Embedded Postgres stopped (data kept in ${dataDir}).`),
    `says the database stopped, and where its data is:\n${shutdownOutput}`,
  );
  assert.deepEqual(errorLines(output), [], `no error-level line, from start to exit:\n${output}`);
  assert.deepEqual(await cerbosFolders(tmpDir), [], "no Cerbos config folder left in TMPDIR");
  assert.ok(!existsSync(path.join(dataDir, "postmaster.pid")), `Postgres shut down cleanly (no postmaster.pid left):\n${shutdownOutput}`);
});

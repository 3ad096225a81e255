// settings() (lib/config) under `next start` (NEXT_RUNTIME=nodejs, NODE_ENV=production)
// parses the environment once and keeps it for the process: the per-call
// fingerprint over every variable was measurable on each request (README
// "Performance"). Everywhere else (scripts, tests, next dev) it still follows
// process.env (tests/config.test.ts covers that).
import assert from "node:assert/strict";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { test } from "node:test";

const code = `
  const { settings } = await import(${JSON.stringify(path.resolve("lib/config/index.ts"))});
  const a = settings();
  process.env.DB_POOL_MAX = "9";
  const b = settings();
  console.log(JSON.stringify({ first: a.DB_POOL_MAX, after: b.DB_POOL_MAX, same: a === b }));`;

function run(env: Record<string, string>) {
  const r = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", code], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, DB_POOL_MAX: "7", ...env } as unknown as NodeJS.ProcessEnv,
    encoding: "utf8",
    cwd: path.resolve("."),
    timeout: 60_000,
  });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout.trim().split("\n").pop()!) as { first: number; after: number; same: boolean };
}

test("under next start the first parse stands for the process", () => {
  assert.deepEqual(run({ NEXT_RUNTIME: "nodejs", NODE_ENV: "production" }), { first: 7, after: 7, same: true });
});

test("outside next start (a script, next dev) a changed variable is reparsed", () => {
  assert.deepEqual(run({}), { first: 7, after: 9, same: false });
  assert.deepEqual(run({ NEXT_RUNTIME: "nodejs", NODE_ENV: "development" }), { first: 7, after: 9, same: false });
});

// One settings schema (lib/config): every variable the portal reads is typed,
// ranged and defaulted in one place, a bad value is refused with a message
// naming the variable and the value, and the server refuses to start on one
// (instrumentation.ts register()). The first case is the finding: before,
// VAULT_KEY_CACHE_TTL_MS=abc became NaN, and a NaN expiry never passes, so
// unwrapped tenant keys stayed in memory for the life of the process.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import path from "node:path";
import { describe, test } from "node:test";
import { parseSettings, serverSettings, SETTING_NAMES, settings, SettingsError } from "@/lib/config";

function problems(env: Record<string, string>): string[] {
  try {
    parseSettings(env);
  } catch (error) {
    assert.ok(error instanceof SettingsError, String(error));
    return error.problems;
  }
  return [];
}

/** Runs `code` (an ES module body) in a fresh node with exactly these settings on top of PATH/HOME. */
function runWith(env: Record<string, string>, code: string) {
  return spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", code], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env } as unknown as NodeJS.ProcessEnv,
    encoding: "utf8",
    cwd: path.resolve("."),
    timeout: 60_000,
  });
}

describe("the settings schema", () => {
  test("VAULT_KEY_CACHE_TTL_MS=abc is refused, naming the variable and the value", () => {
    assert.deepEqual(problems({ VAULT_KEY_CACHE_TTL_MS: "abc" }), ["VAULT_KEY_CACHE_TTL_MS must be a whole number of milliseconds ≥ 0, got 'abc'"]);
    for (const bad of ["-1", "1.5", "1e3", "60s", "NaN", "Infinity"]) assert.equal(problems({ VAULT_KEY_CACHE_TTL_MS: bad }).length, 1, bad);
    assert.equal(parseSettings({ VAULT_KEY_CACHE_TTL_MS: "0" }).VAULT_KEY_CACHE_TTL_MS, 0);
    assert.equal(parseSettings({}).VAULT_KEY_CACHE_TTL_MS, 60_000);
  });

  test("every bad value is reported at once, each naming its variable", () => {
    const found = problems({
      DB_POOL_MAX: "0",
      DB_POOL_CONNECT_TIMEOUT_MS: "ten",
      TRUST_PROXY: "true",
      SIGNIN_CONCURRENCY: "-3",
      PORTAL_DOMAIN: "https://mssp.example/",
      CERBOS_URL: "127.0.0.1:3592",
      CERBOS_TIMEOUT_MS: "2s",
      LOG_LEVEL: "loud",
      JOBS_WORKER: "maybe",
      JOBS_WORKER_STALE_MS: "100",
      ISOLATION_PORTAL_PORT: "99999",
      DATABASE_URL: "mysql://u:hunter2@db/x",
      DATABASE_TLS: "yes",
    });
    const names = ["DB_POOL_MAX", "DB_POOL_CONNECT_TIMEOUT_MS", "TRUST_PROXY", "SIGNIN_CONCURRENCY", "PORTAL_DOMAIN", "CERBOS_URL", "CERBOS_TIMEOUT_MS", "LOG_LEVEL", "JOBS_WORKER", "JOBS_WORKER_STALE_MS", "ISOLATION_PORTAL_PORT", "DATABASE_URL", "DATABASE_TLS"];
    assert.equal(found.length, names.length, found.join("\n"));
    for (const name of names) assert.ok(found.some((p) => p.startsWith(name)), `${name} in:\n${found.join("\n")}`);
    assert.ok(!found.join("\n").includes("hunter2"), "a URL's password never reaches the message");
  });

  test("defaults, trimming and blank values", () => {
    const s = parseSettings({ DB_POOL_MAX: " 25 ", PORTAL_DOMAIN: "MSSP.Example.", LOG_LEVEL: "", JOBS_WORKER: "0", SIGNIN_LIMIT_PER_MINUTE: "12" });
    assert.equal(s.DB_POOL_MAX, 25);
    assert.equal(s.PORTAL_DOMAIN, "mssp.example");
    assert.equal(s.LOG_LEVEL, undefined);
    assert.equal(s.JOBS_WORKER, false);
    assert.equal(s.SIGNIN_BURST, undefined, "SIGNIN_BURST follows SIGNIN_LIMIT_PER_MINUTE when unset (the reader decides)");
    const d = parseSettings({});
    assert.deepEqual(
      [d.DB_POOL_MAX, d.DB_POOL_CONNECT_TIMEOUT_MS, d.TRUST_PROXY, d.CERBOS_TIMEOUT_MS, d.JOBS_POOL_MAX, d.JOBS_WORKER_STALE_MS, d.PORTAL_DOMAIN, d.JOBS_WORKER],
      [10, 10_000, 0, 2_000, 3, 30_000, "localhost", true],
    );
  });

  test("TLS settings that contradict each other are refused", () => {
    assert.match(
      problems({ DATABASE_URL: "postgres://a:b@db.example/portal?sslmode=disable", DATABASE_TLS: "verify-full" })[0],
      /DATABASE_URL has sslmode=disable, which allows plaintext, but DATABASE_TLS=verify-full requires TLS/,
    );
    assert.match(problems({ DATABASE_TLS_CA_FILE: "/etc/ca.pem" })[0], /DATABASE_TLS_CA_FILE is set but DATABASE_TLS is not/);
    assert.deepEqual(problems({ DATABASE_URL: "postgres://a:b@db.example/portal?sslmode=verify-full", DATABASE_TLS: "verify-full", DATABASE_TLS_CA_FILE: "/etc/ca.pem" }), []);
  });

  test("settings() follows process.env when a variable changes, and caches otherwise", () => {
    const saved = process.env.DB_POOL_MAX;
    try {
      process.env.DB_POOL_MAX = "7";
      const a = settings();
      assert.equal(a.DB_POOL_MAX, 7);
      assert.equal(settings(), a, "same object while nothing changed");
      process.env.DB_POOL_MAX = "8";
      assert.equal(settings().DB_POOL_MAX, 8);
    } finally {
      if (saved === undefined) delete process.env.DB_POOL_MAX;
      else process.env.DB_POOL_MAX = saved;
    }
  });

  test("a serving process needs DATABASE_URL, and in production a 32+ character NEXTAUTH_SECRET", () => {
    assert.throws(() => serverSettings({}), /DATABASE_URL is not set/);
    assert.throws(() => serverSettings({ DATABASE_URL: "postgres://x@h/d", NODE_ENV: "production", NEXTAUTH_SECRET: "short" }), /NEXTAUTH_SECRET must be at least 32 characters/);
    assert.doesNotThrow(() => serverSettings({ DATABASE_URL: "postgres://x@h/d", NODE_ENV: "production", NEXTAUTH_SECRET: "x".repeat(32) }));
  });

  test("every variable the app reads is in the schema: no process.env reads left in lib/, app/ or proxy.ts", () => {
    // NODE_ENV in proxy.ts and invite-member.ts is Next's build-time constant
    // (inlined by the compiler), not a setting.
    const r = spawnSync("grep", ["-rnE", "process\\.env\\.[A-Z_]+|process\\.env\\[", "lib", "app", "proxy.ts"], { encoding: "utf8" });
    const reads = r.stdout
      .split("\n")
      .filter(Boolean)
      .filter((l) => !/process\.env\.NODE_ENV\b/.test(l) && !l.startsWith("lib/config/"));
    const unexplained = reads.filter((l) => !/= process\.env\)|: NodeJS\.ProcessEnv = process\.env|process\.env\)\s*:|\(process\.env\)|options\.env \?\? process\.env/.test(l));
    assert.deepEqual(unexplained, [], "read these through settings()");
    for (const name of ["DATABASE_URL", "VAULT_KEY_CACHE_TTL_MS", "TRUST_PROXY", "DATABASE_TLS"]) assert.ok(SETTING_NAMES.includes(name as never), name);
  });
});

describe("the server refuses to start on an invalid setting", () => {
  test("register() exits 1 and names the variable before starting anything", () => {
    const code = `
      const { register } = await import(${JSON.stringify(path.resolve("instrumentation.ts"))});
      await register();
      console.log("started");`;
    const r = runWith({ NEXT_RUNTIME: "nodejs", DATABASE_URL: "postgres://nobody@127.0.0.1:1/none", VAULT_KEY_CACHE_TTL_MS: "abc", JOBS_WORKER: "0" }, code);
    assert.equal(r.status, 1, `${r.stdout}\n${r.stderr}`);
    assert.ok(!r.stdout.includes("started"));
    assert.match(r.stderr, /The portal cannot start\. Invalid settings:\n {2}- VAULT_KEY_CACHE_TTL_MS must be a whole number of milliseconds ≥ 0, got 'abc'/);
  });
});

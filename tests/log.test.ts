// Logging without leaking (lib/log): pino redaction of secret-named fields,
// scrubText over the encodings a secret travels in, safeError on the errors
// that carry values (drizzle's DrizzleQueryError lists its bound params; pg's
// DatabaseError has a detail echoing the row), and withSecretsScrubbed.
// Every test plants a secret, checks it is really there before scrubbing,
// and then looks for it in everything that comes out. No database needed:
// the DrizzleQueryError is thrown by drizzle itself, over a pg client whose
// query() fails with a real pg DatabaseError.
import "./helpers/next-async-storage";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { inspect } from "node:util";
import { after, before, describe, test } from "node:test";
import { sql } from "drizzle-orm";
import { DrizzleQueryError } from "drizzle-orm/errors";
import { drizzle } from "drizzle-orm/node-postgres";
import pg from "pg";
import { workUnitAsyncStorage } from "next/dist/server/app-render/work-unit-async-storage.external";
import { withTenant } from "@/lib/db/with-tenant";
import { withServiceRole } from "@/lib/db/service-role";
import { enqueueServiceJob, runJobsUntilIdle, type JobHandler } from "@/lib/jobs";
import { createLogger, REDACT_PATHS, safeError, ScrubbedError, scrubText, secretsIn, withLogContext, withSecretsScrubbed } from "@/lib/log";
import { insertFixtures, type Fixtures } from "./helpers/fixtures";
import { createTestDatabase, type TestDatabase } from "./helpers/test-database";

// Characters that every encoding changes: quote, backslash, slash, plus,
// space, ampersand, non-ASCII. "?>?" makes base64 and base64url differ.
const SECRET = 'pa"ss\\w/o+rd &é?>?~-planted-7f3a';

function capture() {
  const lines: string[] = [];
  const logger = createLogger({ write: (line: string) => void lines.push(line) }, "trace");
  return { logger, lines };
}

/** Every way the secret (or a 4-character piece of it) could still be read back from `text`. */
function leaks(text: string, secret: string): string[] {
  const found: string[] = [];
  const bytes = Buffer.from(secret, "utf8");
  const pieces = new Set<string>();
  for (let i = 0; i + 4 <= bytes.length; i++) pieces.add(bytes.subarray(i, i + 4).toString("latin1"));
  const containsPiece = (decoded: Buffer) => {
    const latin1 = decoded.toString("latin1");
    return [...pieces].some((p) => latin1.includes(p));
  };
  if (containsPiece(Buffer.from(text, "utf8"))) found.push("raw");
  try {
    if (containsPiece(Buffer.from(decodeURIComponent(text.replace(/\+/g, " ")), "utf8"))) found.push("uri");
  } catch {
    // not URI-decodable as a whole; the raw check above still ran
  }
  if (containsPiece(Buffer.from(text.replace(/\\(.)/g, "$1"), "utf8"))) found.push("json-escaped");
  for (const run of text.match(/[0-9a-fA-F]{8,}/g) ?? []) {
    for (const off of [0, 1]) if (containsPiece(Buffer.from(run.slice(off), "hex"))) found.push(`hex:${run}`);
  }
  for (const run of text.match(/[A-Za-z0-9+/_-]{6,}/g) ?? []) {
    const normal = run.replace(/-/g, "+").replace(/_/g, "/");
    for (const off of [0, 1, 2, 3]) if (containsPiece(Buffer.from(normal.slice(off), "base64"))) found.push(`base64:${run}`);
  }
  return found;
}

/** A real DrizzleQueryError: drizzle runs a query whose driver call fails with `cause`. */
async function drizzleQueryError(params: string[], cause: Error): Promise<DrizzleQueryError> {
  const client = new pg.Client();
  client.query = (async () => {
    throw cause;
  }) as unknown as typeof client.query;
  const db = drizzle({ client });
  try {
    await db.execute(sql`select * from credentials where name = ${params[0]} and sealed = ${params[1]}`);
  } catch (error) {
    assert.ok(error instanceof DrizzleQueryError, `drizzle threw ${inspect(error)}`);
    return error;
  }
  assert.fail("the query did not fail");
}

function pgError(message: string, fields: Record<string, string>): pg.DatabaseError {
  const e = new pg.DatabaseError(message, 0, "error");
  return Object.assign(e, { severity: "ERROR", ...fields });
}

describe("logger redaction", () => {
  test("a secret field at the top level and one or two levels down never reaches the line", () => {
    const { logger, lines } = capture();
    logger.info(
      {
        password: SECRET,
        user: { id: "u-1", passwordHash: SECRET },
        req: { headers: { authorization: `Bearer ${SECRET}`, cookie: `sid=${SECRET}`, "set-cookie": [SECRET], host: "acme.localhost" } },
        input: { credential: { secret: SECRET, apiKey: SECRET, client_secret: SECRET, label: "prod" } },
        rows: [{ sealed: SECRET, plaintext: SECRET }],
        mfa: { code: "123456", recoveryCode: SECRET, totp: SECRET },
        keys: { dek: SECRET, kek: SECRET },
        oauth: { access_token: SECRET, refresh_token: SECRET, refreshToken: SECRET },
      },
      "something happened",
    );
    assert.equal(lines.length, 1);
    const line = lines[0];
    assert.deepEqual(leaks(line, SECRET), [], line);
    assert.ok(!line.includes("123456"), line);
    const parsed = JSON.parse(line);
    assert.equal(parsed.service, "mssp-portal");
    assert.equal(parsed.level, "info");
    assert.equal(parsed.msg, "something happened");
    assert.equal(parsed.password, "[REDACTED]");
    assert.equal(parsed.user.passwordHash, "[REDACTED]");
    assert.equal(parsed.req.headers.authorization, "[REDACTED]");
    assert.equal(parsed.req.headers["set-cookie"], "[REDACTED]");
    assert.equal(parsed.input.credential.secret, "[REDACTED]");
    assert.equal(parsed.rows[0].sealed, "[REDACTED]");
    // What is not secret is still there to read.
    assert.equal(parsed.user.id, "u-1");
    assert.equal(parsed.req.headers.host, "acme.localhost");
    assert.equal(parsed.input.credential.label, "prod");
  });

  test("the same fields are redacted in a child logger's bindings", () => {
    const { logger, lines } = capture();
    logger.child({ token: SECRET, job: { id: "j-1", secret: SECRET } }).warn("bound");
    assert.deepEqual(leaks(lines[0], SECRET), [], lines[0]);
    assert.equal(JSON.parse(lines[0]).job.id, "j-1");
  });

  test("the paths cover the listed keys and the request headers", () => {
    for (const p of ["secret", "*.secret", "*.*.secret", "*.password", "*.token", "*.apiKey", "*.clientSecret", "*.plaintext", "*.sealed", '["set-cookie"]', "headers.authorization", "req.headers.cookie"]) {
      assert.ok(REDACT_PATHS.includes(p), p);
    }
  });

  test("an error logged raw is reduced to a safe summary: no params, no detail, no stack", async () => {
    const cause = pgError('new row for relation "credentials" violates check constraint "name_length"', {
      code: "23514",
      detail: `Failing row contains (acme, ${SECRET}).`,
    });
    const error = await drizzleQueryError(["db-prod", SECRET], cause);
    assert.ok(error.message.includes(SECRET), "the planted secret is in the drizzle message");
    const { logger, lines } = capture();
    logger.error({ err: error, event: "test" }, "query failed");
    assert.deepEqual(leaks(lines[0], SECRET), [], lines[0]);
    const parsed = JSON.parse(lines[0]);
    assert.deepEqual(parsed.err, {
      name: "DatabaseError",
      message: 'new row for relation "credentials" violates check constraint "name_length"',
      errorCode: "23514",
    });
    assert.ok(!lines[0].includes("    at "), "no stack frames");
  });

  test("LOG_FILE and the NODE_ENV=test default level (warn) are honoured", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "mssp-log-"));
    try {
      const file = path.join(dir, "nested", "portal.log");
      const entry = path.resolve("lib/log/index.ts");
      const code = `const { log } = await import(${JSON.stringify(entry)}); log.info("quiet"); log.warn({ secret: "${"s".repeat(8)}" }, "loud");`;
      const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: "test", LOG_FILE: file };
      delete env.LOG_LEVEL;
      const stdout = execFileSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", code], { env, encoding: "utf8" });
      assert.equal(stdout, "", "nothing on stdout when LOG_FILE is set");
      const lines = readFileSync(file, "utf8").trim().split("\n");
      assert.equal(lines.length, 1, lines.join("\n"));
      const parsed = JSON.parse(lines[0]);
      assert.equal(parsed.msg, "loud");
      assert.equal(parsed.secret, "[REDACTED]");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("scrubText", () => {
  const bytes = Buffer.from(SECRET, "utf8");
  const forms: Record<string, string> = {
    raw: SECRET,
    base64: bytes.toString("base64"),
    base64url: bytes.toString("base64url"),
    hex: bytes.toString("hex"),
    HEX: bytes.toString("hex").toUpperCase(),
    uriComponent: encodeURIComponent(SECRET),
    form: new URLSearchParams({ s: SECRET }).toString().slice(2),
    json: JSON.stringify(SECRET).slice(1, -1),
  };

  test("the encodings really differ from each other", () => {
    assert.equal(new Set(Object.values(forms)).size, Object.keys(forms).length);
  });

  for (const [name, form] of Object.entries(forms)) {
    test(`removes the ${name} form`, () => {
      const text = `before ${form} middle ${form} after`;
      assert.notDeepEqual(leaks(text, SECRET), [], `${name} is detectable before scrubbing`);
      const out = scrubText(text, [SECRET]);
      assert.deepEqual(leaks(out, SECRET), [], out);
      assert.equal(out, "before [REDACTED] middle [REDACTED] after");
    });
  }

  test("removes base64 of the secret inside a longer base64 text, at every byte alignment", () => {
    for (const user of ["ab", "abc", "abcd"]) {
      const header = `Authorization: Basic ${Buffer.from(`${user}:${SECRET}`).toString("base64")}`;
      assert.notDeepEqual(leaks(header, SECRET), [], `planted at alignment ${(user.length + 1) % 3}`);
      const out = scrubText(header, [SECRET]);
      assert.deepEqual(leaks(out, SECRET), [], out);
      assert.ok(out.startsWith("Authorization: Basic "), out);
    }
  });

  test("leaves text alone when no secret is in it, and ignores secrets under 4 characters", () => {
    assert.equal(scrubText("nothing to see here", [SECRET]), "nothing to see here");
    assert.equal(scrubText("see the abc", ["abc", ""]), "see the abc");
    assert.equal(scrubText("see the abcd", ["abcd"]), "see the [REDACTED]");
  });
});

describe("safeError", () => {
  test("a DrizzleQueryError is reported by its pg error, without the params, detail, where or internal query", async () => {
    const cause = pgError(`invalid input syntax for type uuid: "${SECRET}"`, {
      code: "22P02",
      detail: `Key (sealed)=(${SECRET}) already exists.`,
      where: `PL/pgSQL function vault.put(text) line 3 at SQL statement ${SECRET}`,
      internalQuery: `insert into x values ('${SECRET}')`,
      hint: "check the value",
    });
    const error = await drizzleQueryError(["db-prod", SECRET], cause);
    // Preconditions: the secret is in the message (params), the cause's message and detail.
    assert.ok(error.message.includes(`params: db-prod,${SECRET}`), error.message);
    assert.ok((error.cause as Error).message.includes(SECRET));
    // No secrets passed: the query's own params are enough to scrub the echo.
    const summary = safeError(error);
    const text = JSON.stringify(summary);
    assert.deepEqual(leaks(text, SECRET), [], text);
    assert.deepEqual(Object.keys(summary).sort(), ["code", "message", "name"]);
    assert.equal(summary.name, "DatabaseError");
    assert.equal(summary.code, "22P02");
    assert.match(summary.message, /^invalid input syntax for type uuid: /);
    assert.ok(!text.includes("select"), "no SQL when the driver error says what went wrong");
  });

  test("a data exception's quoted value is withheld even when it is not a known secret", () => {
    const summary = safeError(pgError('invalid input value for enum role: "hunter2-unknown"', { code: "22P02" }));
    assert.ok(!JSON.stringify(summary).includes("hunter2-unknown"), JSON.stringify(summary));
  });

  test("a DrizzleQueryError without a cause keeps only the first line of its SQL", () => {
    const error = new DrizzleQueryError(`select sealed\nfrom credentials\nwhere token = '${SECRET}'`, [SECRET]);
    assert.ok(error.message.includes(SECRET));
    const summary = safeError(error);
    assert.deepEqual(summary, { name: "DrizzleQueryError", message: "Failed query: select sealed" });
  });

  test("an error shaped like a DrizzleQueryError (name or message) is never reported by its message", () => {
    const named = Object.assign(new Error(`boom ${SECRET}`), { name: "DrizzleQueryError", query: "select 1", params: [SECRET] });
    const byMessage = Object.assign(new Error(`Failed query: select 1\nparams: ${SECRET}`), {
      cause: pgError("deadlock detected", { code: "40P01", detail: SECRET }),
    });
    for (const error of [named, byMessage]) {
      const text = JSON.stringify(safeError(error));
      assert.deepEqual(leaks(text, SECRET), [], text);
    }
    assert.deepEqual(safeError(byMessage), { name: "DatabaseError", message: "deadlock detected", code: "40P01" });
  });

  test("an ordinary error: name, scrubbed message and string code, never its stack or extra fields", () => {
    const error = Object.assign(new Error(`could not open ${SECRET} (b64 ${Buffer.from(SECRET).toString("base64")})`), {
      code: "ECONNREFUSED",
      config: { password: SECRET },
    });
    const summary = safeError(error, [SECRET]);
    assert.deepEqual(leaks(JSON.stringify(summary), SECRET), []);
    assert.deepEqual(summary, { name: "Error", message: "could not open [REDACTED] (b64 [REDACTED])", code: "ECONNREFUSED" });
  });

  test("non-errors: a string is scrubbed, anything else is not shown", () => {
    assert.deepEqual(safeError(`token ${SECRET}`, [SECRET]), { name: "Error", message: "token [REDACTED]" });
    const summary = safeError({ secret: SECRET });
    assert.equal(summary.name, "NonError");
    assert.ok(!JSON.stringify(summary).includes(SECRET));
  });
});

describe("withSecretsScrubbed", () => {
  test("returns what fn returns", async () => {
    assert.equal(await withSecretsScrubbed([SECRET], async () => 42), 42);
  });

  test("what escapes holds the secret in neither message, stack, cause nor properties", async () => {
    const original = Object.assign(new TypeError(`cannot seal ${SECRET}`, { cause: new Error(`inner ${encodeURIComponent(SECRET)}`) }), {
      code: "E_SEAL",
      input: { secret: SECRET },
    });
    // Preconditions: the secret is everywhere in the original.
    assert.ok(original.message.includes(SECRET));
    assert.ok(original.stack?.includes(SECRET));
    assert.ok(inspect(original, { depth: 5 }).includes(encodeURIComponent(SECRET)));

    const caught = await withSecretsScrubbed([SECRET], async () => {
      throw original;
    }).then(
      () => assert.fail("did not throw"),
      (e: unknown) => e,
    );
    assert.ok(caught instanceof ScrubbedError);
    assert.equal(caught.name, "ScrubbedError");
    assert.equal(caught.originalName, "TypeError");
    assert.equal(caught.code, "E_SEAL");
    assert.equal(caught.cause, undefined);
    assert.equal(caught.message, "cannot seal [REDACTED]");
    assert.ok(caught.stack?.startsWith("ScrubbedError: cannot seal [REDACTED]\n    at "), caught.stack);
    for (const [what, text] of [
      ["message", caught.message],
      ["stack", caught.stack ?? ""],
      ["inspect", inspect(caught, { depth: 10, showHidden: true })],
      ["json", JSON.stringify(caught)],
    ]) {
      assert.deepEqual(leaks(text, SECRET), [], `${what}: ${text}`);
    }
  });

  test("a DrizzleQueryError thrown inside keeps its SQLSTATE but loses its params", async () => {
    const cause = pgError('duplicate key value violates unique constraint "credentials_pkey"', { code: "23505", detail: `Key (name)=(${SECRET})` });
    const caught = await withSecretsScrubbed(["unrelated-secret"], () => drizzleQueryError(["x-name", SECRET], cause).then((e) => Promise.reject(e))).catch(
      (e: unknown) => e,
    );
    assert.ok(caught instanceof ScrubbedError);
    assert.equal(caught.originalName, "DrizzleQueryError");
    assert.equal(caught.code, "23505");
    assert.deepEqual(leaks(inspect(caught, { showHidden: true }), SECRET), []);
  });

  test("a sync throw is caught too, and scrubbing nests", async () => {
    const caught = await withSecretsScrubbed(["outer-secret"], () =>
      withSecretsScrubbed([SECRET], () => {
        throw new RangeError(`${SECRET} and outer-secret`);
      }),
    ).catch((e: unknown) => e);
    assert.ok(caught instanceof ScrubbedError);
    assert.equal(caught.originalName, "RangeError");
    assert.equal(caught.message, "[REDACTED] and [REDACTED]");
  });
});

describe("secretsIn", () => {
  test("collects values under secret-named keys only", () => {
    assert.deepEqual(secretsIn({ tenantId: "t", label: "l", secret: "s1", nested: { password: "p1", list: [{ token: "k1" }] }, apiKey: ["a1"] }).sort(), [
      "a1",
      "k1",
      "p1",
      "s1",
    ]);
  });
});

// Every line logged while serving a request, inside withTenant or inside a
// job carries the ids of that work (lib/log/context.ts), without the code
// that logs passing them. These run real transactions on a real Postgres
// and a real job through graphile-worker; only the request is simulated:
// Next's own per-request storage (the one `headers()` reads) is entered
// with the headers the proxy would have set.
describe("request, tenant and job ids on every line", () => {
  let db: TestDatabase;
  let fx: Fixtures;
  before(async () => {
    db = await createTestDatabase();
    fx = await insertFixtures(db.url);
  });
  after(() => db?.drop());

  const inRequest = <T>(headers: Record<string, string>, fn: () => T): T =>
    workUnitAsyncStorage.run({ type: "request", phase: "render", headers: new Headers(headers) } as never, fn);

  test("a line inside a request and a withTenant transaction carries request_id, the host's tenant and tenant_id", async () => {
    const { logger, lines } = capture();
    const requestId = "0b7e4c4e-1111-4222-8333-944445555666";
    await inRequest({ host: "acme.localhost:3000", "x-request-id": requestId }, async () => {
      logger.info("before the transaction");
      await withTenant({ userId: fx.users.acmeAdmin, activeTenantId: fx.tenants.acme }, async (tx) => {
        // After real round trips to Postgres: the context survives awaits.
        await tx.client.query("select pg_sleep(0.01)");
        logger.info({ event: "deep" }, "inside the transaction");
      });
    });
    logger.info("after the request");
    const parsed = lines.map((l) => JSON.parse(l));
    assert.equal(parsed.length, 3);
    assert.equal(parsed[0].request_id, requestId);
    assert.equal(parsed[0].tenant, "acme");
    assert.equal(parsed[0].area, "tenant");
    assert.equal(parsed[0].tenant_id, undefined, "no tenant_id before withTenant");
    assert.equal(parsed[1].request_id, requestId);
    assert.equal(parsed[1].tenant, "acme");
    assert.equal(parsed[1].tenant_id, fx.tenants.acme);
    assert.equal(parsed[1].event, "deep");
    for (const k of ["request_id", "tenant", "tenant_id", "area"]) assert.equal(parsed[2][k], undefined, `${k} must not leak past the request`);
  });

  test("a field set to null by withLogContext is left off, whatever the request's headers say (the API gateway's case)", () => {
    const { logger, lines } = capture();
    inRequest({ host: "soc.unrouted.example", "x-request-id": "client-chosen", "x-portal-custom-domain-tenant": "globex" }, () =>
      withLogContext({ request_id: "gateway-id", area: null, tenant: null }, () => logger.info("an API line")),
    );
    const [line] = lines.map((l) => JSON.parse(l));
    assert.equal(line.request_id, "gateway-id");
    assert.equal(line.tenant, undefined);
    assert.equal(line.area, undefined);
  });

  test("two requests served at once keep their own ids", async () => {
    const { logger, lines } = capture();
    const one = (id: string, host: string, tenantId: string) =>
      inRequest({ host, "x-request-id": id }, () =>
        withTenant({ userId: fx.users.msspAdmin, activeTenantId: tenantId }, async (tx) => {
          for (let i = 0; i < 3; i++) {
            await tx.client.query("select pg_sleep(0.005)");
            logger.info({ i }, "step");
          }
        }),
      );
    await Promise.all([one("req-a", "acme.localhost", fx.tenants.acme), one("req-b", "globex.localhost", fx.tenants.globex)]);
    const parsed = lines.map((l) => JSON.parse(l));
    assert.equal(parsed.length, 6);
    for (const p of parsed) {
      if (p.request_id === "req-a") assert.deepEqual([p.tenant, p.tenant_id], ["acme", fx.tenants.acme]);
      else if (p.request_id === "req-b") assert.deepEqual([p.tenant, p.tenant_id], ["globex", fx.tenants.globex]);
      else assert.fail(`a line without its request id: ${JSON.stringify(p)}`);
    }
  });

  test("the console host is named as such; a service-role transaction names its purpose", async () => {
    const { logger, lines } = capture();
    await inRequest({ host: "localhost:3000", "x-request-id": "req-c" }, () =>
      withServiceRole("jobs.worker", async () => {
        logger.info("service");
      }),
    );
    const [p] = lines.map((l) => JSON.parse(l));
    assert.deepEqual([p.request_id, p.area, p.tenant, p.purpose], ["req-c", "console", undefined, "jobs.worker"]);
  });

  test("a line a job's handler logs carries the job id, its kind and its tenant", async () => {
    const { logger, lines } = capture();
    const kind = "test.log-context";
    const handler: JobHandler = {
      requires: "system-only",
      run: async () => {
        logger.info({ event: "in-handler" }, "working");
        return { result: {} };
      },
    };
    const { job } = await enqueueServiceJob({ tenantId: fx.tenants.globex, kind });
    const ran = await runJobsUntilIdle({ kinds: [kind], handlers: { [kind]: handler } });
    assert.deepEqual(ran.outcomes, ["succeeded"]);
    const line = lines.map((l) => JSON.parse(l)).find((p) => p.event === "in-handler");
    assert.ok(line, lines.join("\n"));
    assert.deepEqual([line.job_id, line.job_kind, line.tenant_id], [job.id, kind, fx.tenants.globex]);
  });

  test("fields the call passes win over the context's; nested contexts add to the outer", () => {
    const { logger, lines } = capture();
    withLogContext({ tenant_id: "outer", job_id: "j1" }, () =>
      withLogContext({ tenant_id: "inner" }, () => logger.info({ job_id: "explicit" }, "x")),
    );
    const [p] = lines.map((l) => JSON.parse(l));
    assert.deepEqual([p.tenant_id, p.job_id], ["inner", "explicit"]);
  });
});

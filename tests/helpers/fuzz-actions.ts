// Every server action fed arbitrary form data (fast-check), as the MSSP admin
// (the widest reach) for tenant actions and as a tenant viewer for the
// person's own actions: strings with unicode, NUL and huge lengths, repeated
// fields, files where text is expected, missing and extra fields, and keys
// like __proto__ and constructor; ids that are real (own tenant, another
// MSSP's), random or garbage. The property, for every input:
//   - the action returns (never throws) a result of its declared shape;
//   - never the generic failure, the action's 5xx ("Something went wrong"):
//     bad input gets a clear message;
//   - a refusal changed nothing in the database (digest of every table);
//   - no message quotes a submitted value back.
// Bounded: FUZZ_RUNS per action (default 12). The actions are split over a few
// test files (tests/fuzz-actions-*.test.ts, each its own database), so each
// file stays well under the runner's per-file limit as actions are added.
import { auditMark, auditSince, changedTables, databaseState } from "./actions";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, test } from "node:test";
import fc from "fast-check";
import { startActionEnv, type ActionEnv } from "./action-env";
import { CONSOLE, hostOf, isTenantSpec, runAs, SPECS, type Env } from "./action-specs";
import type { Fixtures } from "./fixtures";
import type { TestDatabase } from "./test-database";

const RUNS = Number(process.env.FUZZ_RUNS ?? 12);
const GENERIC_FAILURE = /Something went wrong/;

let db: TestDatabase;
let fx: Fixtures;
let env: Env;
let running: ActionEnv | undefined;

const NASTY = [
  "", " ", "\u0000", "a\u0000b", "null", "undefined", "[]", "{}", "[object Object]", "__proto__", "0", "-1", "1e309", "NaN", "Infinity",
  "true", "' or 1=1 --", "'; drop table public.tenants; --", "<script>alert(1)</script>", "../../etc/passwd", "%00", "\u202e\u0645",
  "𝕏".repeat(40), "\ud800", "a".repeat(64), "on", "off", "tenant_admin", "mssp_admin", "generic_api_key", "2027-01-31", "31/01/2027",
];

/** Values a field might get: real ids, random uuids, and hostile text of every size. */
function valueArb(ids: string[]) {
  const text = fc.oneof(
    fc.constantFrom(...NASTY),
    fc.string({ maxLength: 40 }),
    fc.string({ unit: "grapheme", maxLength: 40 }),
    fc.string({ unit: "binary", maxLength: 40 }),
    fc.integer().map(String),
    fc.uuid(),
    fc.constantFrom(...ids),
    fc.integer({ min: 1_000, max: 200_000 }).map((n) => "x".repeat(n)),
  );
  return fc.oneof(
    { weight: 8, arbitrary: text.map((v): string | Blob => v) },
    { weight: 1, arbitrary: fc.string({ maxLength: 20 }).map((v): string | Blob => new File([v], "upload.bin", { type: "application/octet-stream" })) },
  );
}

/** A posted form as (key, value) pairs, repeats and prototype keys included. */
function formArb(fields: string[], ids: string[]) {
  const key = fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...fields) },
    { weight: 2, arbitrary: fc.constantFrom("__proto__", "constructor", "prototype", "toString", "hasOwnProperty", "tenantId", "cfg___proto__", "$ACTION_ID_x") },
    { weight: 1, arbitrary: fc.string({ maxLength: 20 }) },
  );
  return fc.array(fc.tuple(key, valueArb(ids)), { maxLength: 8 });
}

function toForm(pairs: [string, string | Blob][]): FormData {
  const form = new FormData();
  for (const [k, v] of pairs) form.append(k, v);
  return form;
}

/** Every string a message holds (error, field messages). */
function messagesOf(result: Record<string, unknown>): string[] {
  const out: string[] = [];
  if (typeof result.error === "string") out.push(result.error);
  if (typeof result.message === "string") out.push(result.message);
  for (const list of Object.values((result.fieldErrors as Record<string, string[]> | undefined) ?? {})) out.push(...list);
  return out;
}

/** The fuzz for shard `shard` of `shards` of the actions (by their sorted ids), in the calling test file. */
export function fuzzActionShard(shard: number, shards: number) {
  before(async () => {
    running = await startActionEnv({ mfa: ["msspAdmin"], signedIn: ["msspAdmin", "acmeViewer"] });
    ({ db, fx, env } = running);
  });
  after(async () => {
    await running?.stop();
  });
  const ids = Object.keys(SPECS).sort().filter((_, i) => i % shards === shard);
  for (const id of ids) fuzzOne(id);
}

function fuzzOne(id: string) {
  const spec = SPECS[id];
  describe(id, () => {
    test(`arbitrary forms: a clear answer, no throw, a refusal changes nothing (${RUNS} runs)`, async () => {
      const tenantAction = isTenantSpec(spec);
      const who = tenantAction ? { person: env.person("msspAdmin"), host: CONSOLE } : { person: env.person("acmeViewer"), host: hostOf("acme") };
      const fields = [...new Set(spec.malformed(env).flatMap((f) => Object.keys(f)).concat(tenantAction ? ["tenantId"] : []))];
      const ids = [fx.tenants.acme, fx.tenants["acme-eu"], fx.tenants["mssp-a"], fx.tenants["other-co"], fx.users.acmeAdmin, fx.users.msspAdmin, randomUUID()];
      if (fields.length === 0) fields.push("field");
      await fc.assert(
        fc.asyncProperty(formArb(fields, ids), async (pairs) => {
          const before = await databaseState(db.url);
          const mark = await auditMark(db.url);
          let result: Record<string, unknown>;
          try {
            result = (await runAs(env, id, who, toForm(pairs))) as Record<string, unknown>;
          } catch (error) {
            assert.fail(`threw ${(error as Error).name}: ${(error as Error).message}`);
          }
          assert.ok(result && typeof result === "object", "a result object");
          const failed = "ok" in result ? result.ok === false : result.status === "error";
          const messages = messagesOf(result);
          for (const m of messages) assert.doesNotMatch(m, GENERIC_FAILURE, `the generic failure for ${JSON.stringify(pairs).slice(0, 300)}`);
          const submitted = pairs.map(([, v]) => v).filter((v): v is string => typeof v === "string" && v.trim().length >= 12);
          for (const m of messages) for (const v of submitted) assert.ok(!m.includes(v), `a message quotes the input back: ${m.slice(0, 200)}`);
          if (failed) {
            assert.ok(messages.length > 0 && messages.every((m) => m.length > 0), `a refusal says why: ${JSON.stringify(result)}`);
            // What the spec says a refusal spends on purpose (a wrong password: the sign-in throttle), and nothing else.
            const spends = isTenantSpec(spec) ? undefined : spec.refusalSpends;
            const changed = changedTables(before, await databaseState(db.url)).filter((t) => !spends?.tables.includes(t));
            assert.deepEqual(changed, [], `refused, yet changed: ${JSON.stringify(pairs).slice(0, 300)}`);
            // Only an authorization refusal is audited, and only as denied (or as the failed sign-in the spec names).
            for (const row of await auditSince(db.url, mark)) {
              if (spends?.auditActions.includes(row.action)) continue;
              assert.equal(row.outcome, "denied");
            }
          }
        }),
        { numRuns: RUNS },
      );
    });
  });
}

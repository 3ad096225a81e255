// The gateway's budget for request bodies in progress (lib/api/gateway/body-budget.ts), and what
// the body's JSON may hold (lib/api/gateway/json-shape.ts, lib/ingest/schemas.ts). The findings:
//   - bodies were read and parsed before the tenant's concurrency slot was taken: 24 parallel
//     15 MiB POST /alerts with one slot grew the process by 524 MiB, 19 refused only after their
//     full read and parse. Here a refused request is answered while its client is still sending,
//     and not a byte of its body is read (its stream is never pulled);
//   - an alert's `raw` nested 10,000 deep overflowed JSON.stringify in the schema and the batch
//     answered 500;
//   - duplicate keys were taken (the last one won), and a charset was ignored.
// Real Postgres (RLS, the key's claims, the shared buckets), real PDP, the real gateway.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { z } from "zod";
import { defineEndpoint, type Endpoint } from "@/lib/api/endpoint";
import { apiHandler } from "@/lib/api/gateway";
import { bodyBytesInFlight } from "@/lib/api/gateway/body-budget";
import { jsonShapeIssue, MAX_BODY_DEPTH } from "@/lib/api/gateway/json-shape";
import { API_ROUTES } from "@/lib/api/routes";
import { parseSettings } from "@/lib/config";
import { ingestAlertsBody } from "@/lib/ingest/schemas";
import { insertKey } from "./helpers/api-keys";
import { useFixtureEnv } from "./helpers/fixture-env";
import type { TenantSlug } from "./helpers/fixtures";

const MiB = 1024 * 1024;
// Set before the first request (settings() follows process.env): the smallest shares allowed.
process.env.API_TENANT_BODY_BUDGET_BYTES = String(16 * MiB);
process.env.API_BODY_BUDGET_BYTES = String(24 * MiB);

const env = useFixtureEnv();

// A test endpoint taking the largest bodies an endpoint may take (as POST /alerts does).
const big = defineEndpoint({
  method: "POST",
  path: "/big",
  scope: "alerts:write",
  summary: "big",
  tag: "Test",
  maxBodyBytes: 16 * MiB,
  body: z.object({ pad: z.string() }),
  success: { status: 201, schema: z.unknown() },
  async handle(_ctx, { body }) {
    if (body.pad === "fail") throw new Error("the handler failed");
    return { status: 201, body: { length: body.pad.length } };
  },
});
const handler = apiHandler([...API_ROUTES, big as unknown as Endpoint]);

const hostOf = (slug: TenantSlug) => `${slug}.localhost:3000`;

/** A request body the test sends piece by piece: `pulls` counts the gateway's reads (0: never read). */
function pendingBody() {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const state = { pulls: 0, cancelled: false };
  const stream = new ReadableStream<Uint8Array>(
    {
      start(c) {
        controller = c;
      },
      pull() {
        state.pulls++;
      },
      cancel() {
        state.cancelled = true;
      },
    },
    { highWaterMark: 0 },
  );
  return {
    stream,
    state,
    send: (text: string) => controller.enqueue(new TextEncoder().encode(text)),
    end: () => controller.close(),
    fail: () => controller.error(new Error("the client went away")),
  };
}

function post(slug: TenantSlug | "console", path: string, key: string, body: BodyInit, headers: Record<string, string> = {}): Promise<Response> {
  const host = slug === "console" ? "localhost:3000" : hostOf(slug);
  return handler(
    new Request(`http://${host}/api/v1${path}`, {
      method: "POST",
      headers: { host, authorization: `Bearer ${key}`, "content-type": "application/json", ...headers },
      body,
      duplex: "half",
    } as RequestInit),
  );
}

/** The answer, or a failure naming `what` when none comes within `ms` (a gateway reading a body that never ends). */
async function within<T>(ms: number, what: string, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms: ${what}`)), ms)));
  try {
    return await Promise.race([p, late]);
  } finally {
    clearTimeout(timer);
  }
}

async function until(what: string, check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(check(), what);
}

async function problem(res: Response) {
  assert.equal(res.headers.get("content-type"), "application/problem+json", `a problem document (status ${res.status})`);
  return (await res.json()) as { type: string; status: number; detail?: string; retry_after_seconds?: number; limit_bytes?: number };
}

async function deniedReasons(slug: TenantSlug): Promise<string[]> {
  const rows = await env.owner<{ reason: string }>(
    "select details ->> 'reason' as reason from public.audit_log where tenant_id = $1 and action = 'api.request' and outcome = 'denied'",
    [env.fx.tenants[slug]],
  );
  return rows.map((r) => r.reason);
}

describe("request bodies in progress: refused before they are read", () => {
  test("past the tenant's share: 429 concurrency while the client is still sending, its body never read; other tenants proceed; past the process's budget: 503", async () => {
    const acmeKey = await insertKey(env.db.url, env.fx, "acme", ["alerts:write"]);
    const globexKey = await insertKey(env.db.url, env.fx, "globex", ["alerts:write"]);
    // A: 12 MiB announced, one piece sent, the rest still coming.
    const a = pendingBody();
    a.send('{"pad":"');
    const aAnswer = post("acme", "/big", acmeKey, a.stream, { "content-length": String(12 * MiB) });
    await until("A's 12 MiB are held", () => bodyBytesInFlight(env.fx.tenants.acme) === 12 * MiB);
    assert.equal(bodyBytesInFlight(), 12 * MiB);

    // B, the same tenant, 8 MiB announced: 12 + 8 is past its 16 MiB share. Never ended by the test:
    // a gateway that read it first would never answer.
    const b = pendingBody();
    const bRes = await within(5000, "B (a body that never ends)", post("acme", "/big", acmeKey, b.stream, { "content-length": String(8 * MiB) }));
    assert.equal(bRes.status, 429);
    assert.equal(bRes.headers.get("retry-after"), "1");
    const bp = await problem(bRes);
    assert.equal(bp.type, "/api/v1/problems/concurrency");
    assert.equal(bp.retry_after_seconds, 1);
    assert.equal(bp.limit_bytes, 16 * MiB);
    assert.equal(b.state.pulls, 0, "not a byte of B's body was read");
    assert.equal(bodyBytesInFlight(env.fx.tenants.acme), 12 * MiB, "B holds nothing");
    assert.ok((await deniedReasons("acme")).includes("body_budget_tenant"), "audited in the tenant's trail");

    // Another tenant is not held up by acme's share.
    const c = await post("globex", "/big", globexKey, JSON.stringify({ pad: "small" }));
    assert.equal(c.status, 201);

    // The process's budget (24 MiB): globex's 14 MiB fits its own share but not the process's 12 + 14.
    const d = pendingBody();
    const dRes = await within(5000, "D (a body that never ends)", post("globex", "/big", globexKey, d.stream, { "content-length": String(14 * MiB) }));
    assert.equal(dRes.status, 503);
    assert.equal(dRes.headers.get("retry-after"), "1");
    const dp = await problem(dRes);
    assert.equal(dp.type, "/api/v1/problems/unavailable");
    assert.equal(dp.retry_after_seconds, 1);
    assert.equal(d.state.pulls, 0, "not a byte of D's body was read");
    assert.ok((await deniedReasons("globex")).includes("body_budget_process"));

    // A ends: its bytes are given back, and B's retry passes.
    a.send('x"}');
    a.end();
    assert.equal((await aAnswer).status, 201);
    assert.equal(bodyBytesInFlight(env.fx.tenants.acme), 0);
    assert.equal(bodyBytesInFlight(), 0);
    const retry = await post("acme", "/big", acmeKey, JSON.stringify({ pad: "y".repeat(8 * MiB) }));
    assert.equal(retry.status, 201);
    b.end();
    d.end();
  });

  test("a body without Content-Length is counted as it arrives: refused once past the share, the rest never read", async () => {
    const key = await insertKey(env.db.url, env.fx, "acme-eu", ["alerts:write"]);
    const tenant = env.fx.tenants["acme-eu"];
    const a = pendingBody();
    const aAnswer = post("acme-eu", "/big", key, a.stream, { "content-length": String(12 * MiB) });
    await until("A's 12 MiB are held", () => bodyBytesInFlight(tenant) === 12 * MiB);
    // B: 10 MiB of valid JSON in 1 MiB pieces, produced as the gateway reads them.
    let produced = 0;
    const total = 10 * MiB;
    const piece = new TextEncoder().encode("z".repeat(MiB));
    const chunked = new ReadableStream<Uint8Array>(
      {
        pull(c) {
          if (produced === 0) c.enqueue(new TextEncoder().encode('{"pad":"'));
          if (produced >= total) {
            c.enqueue(new TextEncoder().encode('"}'));
            c.close();
            return;
          }
          c.enqueue(piece);
          produced += piece.byteLength;
        },
      },
      { highWaterMark: 0 },
    );
    const bRes = await post("acme-eu", "/big", key, chunked);
    assert.equal(bRes.status, 429, await bRes.clone().text());
    assert.equal((await problem(bRes)).type, "/api/v1/problems/concurrency");
    assert.ok(produced <= 6 * MiB, `refused after about 4 MiB of 10, not after all of it (${produced / MiB} MiB produced)`);
    assert.equal(bodyBytesInFlight(tenant), 12 * MiB, "B's counted bytes are given back");
    a.send('{"pad":"a"}');
    a.end();
    assert.equal((await aAnswer).status, 201);
    assert.equal(bodyBytesInFlight(tenant), 0);
  });

  test("an MSSP key's body counts in the addressed tenant's share and its own tenant's", async () => {
    const key = await insertKey(env.db.url, env.fx, "mssp-a", ["alerts:write"]);
    const a = pendingBody();
    const aAnswer = post("console", "/tenants/acme-us/big", key, a.stream, { "content-length": String(10 * MiB) });
    await until("held", () => bodyBytesInFlight(env.fx.tenants["acme-us"]) === 10 * MiB);
    assert.equal(bodyBytesInFlight(env.fx.tenants["mssp-a"]), 10 * MiB);
    // Its share is full for another customer too (10 + 8 > 16 at mssp-a), though that customer holds nothing.
    const b = pendingBody();
    const bRes = await within(5000, "B", post("console", "/tenants/globex/big", key, b.stream, { "content-length": String(8 * MiB) }));
    assert.equal(bRes.status, 429);
    assert.equal(b.state.pulls, 0);
    a.send('{"pad":"a"}');
    a.end();
    assert.equal((await aAnswer).status, 201);
    assert.equal(bodyBytesInFlight(env.fx.tenants["mssp-a"]), 0);
    assert.equal(bodyBytesInFlight(env.fx.tenants["acme-us"]), 0);
    b.end();
  });

  test("released on every path: malformed, invalid, a duplicate key, too large, wrong type, a failing handler, a client gone mid-body", async () => {
    const key = await insertKey(env.db.url, env.fx, "other-co", ["alerts:write", "alerts:read"]);
    const cases: Array<[string, () => Promise<Response>, number]> = [
      ["malformed", () => post("other-co", "/big", key, '{"pad":'), 400],
      ["invalid", () => post("other-co", "/big", key, '{"pad":1}'), 422],
      ["duplicate key", () => post("other-co", "/big", key, '{"pad":"a","pad":"b"}'), 400],
      ["too large by what is sent", () => post("other-co", "/big", key, JSON.stringify({ pad: "p".repeat(16 * MiB) })), 413],
      ["wrong type", () => post("other-co", "/big", key, "{}", { "content-type": "text/plain" }), 415],
      ["the handler fails", () => post("other-co", "/big", key, '{"pad":"fail"}'), 500],
      [
        "the client goes away mid-body",
        async () => {
          const p = pendingBody();
          p.send('{"pad":"abc');
          const res = post("other-co", "/big", key, p.stream, { "content-length": String(4 * MiB) });
          await until("held", () => bodyBytesInFlight(env.fx.tenants["other-co"]) > 0);
          p.fail();
          return res;
        },
        400,
      ],
    ];
    for (const [what, send, status] of cases) {
      const res = await send();
      assert.equal(res.status, status, `${what}: ${await res.clone().text()}`);
      await res.text();
      assert.equal(bodyBytesInFlight(env.fx.tenants["other-co"]), 0, `${what}: nothing held after the answer`);
      assert.equal(bodyBytesInFlight(), 0, `${what}: nothing held in the process`);
    }
  });

  test("the budgets are settings of at least 16 MiB (a body of the largest size always fits alone)", () => {
    const s = parseSettings({});
    assert.equal(s.API_BODY_BUDGET_BYTES, 128 * MiB);
    assert.equal(s.API_TENANT_BODY_BUDGET_BYTES, 32 * MiB);
    for (const name of ["API_BODY_BUDGET_BYTES", "API_TENANT_BODY_BUDGET_BYTES"]) {
      assert.throws(() => parseSettings({ [name]: String(16 * MiB - 1) }), new RegExp(name));
      assert.throws(() => parseSettings({ [name]: "64MiB" }), new RegExp(name));
      assert.equal(parseSettings({ [name]: String(16 * MiB) })[name as "API_BODY_BUDGET_BYTES"], 16 * MiB);
    }
  });
});

describe("what the JSON may hold", () => {
  test("duplicate keys: found in nested objects and arrays, compared decoded, with the path", () => {
    const dup = (text: string) => {
      JSON.parse(text); // the scan is given only what JSON.parse accepted
      return jsonShapeIssue(text);
    };
    assert.deepEqual(dup('{"a":1,"a":2}'), { kind: "duplicate", key: "a", path: "a" });
    assert.deepEqual(dup('{"a":1,"\\u0061":2}'), { kind: "duplicate", key: "a", path: "a" });
    assert.deepEqual(dup('{"x":[{"a":1},{"b":1,"c":{"d":[1,{"e":1,"e":2}]}}]}'), { kind: "duplicate", key: "e", path: "x.1.c.d.1.e" });
    assert.deepEqual(dup('{"a\\"b":1, "a\\u0022b" : 2}'), { kind: "duplicate", key: 'a"b', path: 'a"b' });
    assert.deepEqual(dup('{"t":{"a":1},"t":{"b":1}}'), { kind: "duplicate", key: "t", path: "t" });
    // Not duplicates: the same key in sibling or nested objects, case, a trailing backslash, keys inside strings.
    for (const ok of [
      '{"a":1,"b":{"a":1},"c":[{"a":1},{"a":2}]}',
      '{"a":1,"A":2}',
      '{"a\\\\":1,"a":2}',
      '{"s":"{\\"s\\":1,\\"s\\":2}","t":"\\\\","u":"a,\\"u\\":"}',
      '[{"a":1},{"a":1}]',
      '"a"',
      "12",
      ' { "a" : [ 1 , 2 , { } , [ ] ] , "b" : null } ',
    ]) {
      assert.equal(dup(ok), null, ok);
    }
    // No false alarm on any JSON value JSON.stringify writes (it never repeats a key).
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), fc.boolean(), (v, pretty) => jsonShapeIssue(JSON.stringify(v, null, pretty ? 2 : undefined)) === null),
      { numRuns: 300 },
    );
  });

  test("nesting: the scan counts levels without recursion and names where it went too deep", () => {
    const nested = (n: number) => "[".repeat(n) + "]".repeat(n);
    assert.equal(jsonShapeIssue(nested(MAX_BODY_DEPTH)), null);
    assert.deepEqual(jsonShapeIssue(nested(MAX_BODY_DEPTH + 1)), { kind: "depth", path: Array(MAX_BODY_DEPTH).fill("0").join(".").slice(0, 197) + "..." });
    assert.equal(jsonShapeIssue(nested(300_000))?.kind, "depth");
    assert.deepEqual(jsonShapeIssue('{"a":{"b":[1,[2]]}}', 3), { kind: "depth", path: "a.b.1" });
  });

  test("through the gateway: duplicate keys are 400 naming the path; nothing of such a batch is stored", async () => {
    const key = await insertKey(env.db.url, env.fx, "acme", ["alerts:write"]);
    const res = await post(
      "acme",
      "/alerts",
      key,
      '{"alerts":[{"external_id":"dup-0","source":"edr","title":"ok","severity":"low"},{"external_id":"dup-1","source":"edr","title":"first","\\u0074itle":"second","severity":"high"}]}',
    );
    assert.equal(res.status, 400);
    const p = await problem(res);
    assert.equal(p.type, "/api/v1/problems/malformed-json");
    assert.match(p.detail ?? "", /"title" twice in one object \(at alerts\.1\.title\)/);
    const stored = await env.owner("select 1 from public.alerts where external_id in ('dup-0', 'dup-1')");
    assert.equal(stored.length, 0);
  });

  test("a charset other than utf-8 is 415; utf-8 in any spelling passes", async () => {
    const key = await insertKey(env.db.url, env.fx, "acme", ["alerts:write"]);
    const body = JSON.stringify({ pad: "é" });
    for (const type of ["application/json; charset=utf-16", 'application/json;charset="ISO-8859-1"', "application/json; charset=latin1", "application/json; charset=utf-8; charset=utf-16", "application/json; charset=utf8"]) {
      const res = await post("acme", "/big", key, body, { "content-type": type });
      assert.equal(res.status, 415, type);
      const p = await problem(res);
      assert.equal(p.type, "/api/v1/problems/unsupported-media-type");
      assert.match(p.detail ?? "", /UTF-8/);
    }
    for (const type of ["application/json", "application/json; charset=utf-8", "application/json;charset=UTF-8", 'application/json; charset="utf-8"', "Application/JSON ; Charset = Utf-8"]) {
      const res = await post("acme", "/big", key, body, { "content-type": type });
      assert.equal(res.status, 201, `${type}: ${await res.clone().text()}`);
    }
  });

  test("an alert's raw nested past 64 levels: that item is rejected, the rest of the batch stored; nesting past the body's limit is 400, never 500", async () => {
    const key = await insertKey(env.db.url, env.fx, "acme", ["alerts:write", "collectors:write"]);
    const rawNested = (levels: number) => '{"x":'.repeat(levels - 1) + "{}" + "}".repeat(levels - 1);
    const item = (id: string, raw: string) => `{"external_id":"${id}","source":"edr","title":"t","severity":"high","raw":${raw}}`;
    const res = await post("acme", "/alerts", key, `{"alerts":[${item("deep-ok", rawNested(64))},${item("deep-65", rawNested(65))},${item("deep-400", rawNested(400))}]}`);
    assert.equal(res.status, 200, await res.clone().text());
    const out = (await res.json()) as { results: Array<{ status: string; reason?: string }> };
    assert.deepEqual(out.results.map((r) => r.status), ["created", "rejected", "rejected"]);
    assert.match(out.results[1].reason ?? "", /raw: raw is nested too deeply \(at most 64 levels\)/);
    assert.match(out.results[2].reason ?? "", /raw is nested too deeply/);
    // The audit's case: 20,000 levels. Past the body's 512: the whole body is malformed, 400.
    const deep = await post("acme", "/alerts", key, `{"alerts":[${item("deep-1", `{"x":${"[".repeat(20_000)}${"]".repeat(20_000)}}`)}]}`);
    assert.equal(deep.status, 400);
    assert.match((await problem(deep)).detail ?? "", /nested too deeply \(at most 512 levels/);
    // Any endpoint: a deep value where a string belongs.
    const hb = await post("acme", "/collectors/heartbeat", key, `{"name":"x","version":${"[".repeat(200_000)}${"]".repeat(200_000)}}`);
    assert.equal(hb.status, 400);
  });

  test("the schema itself: a raw nested 20,000 deep (built in code, no gateway) rejects the item instead of throwing", () => {
    let raw: Record<string, unknown> = {};
    for (let i = 0; i < 20_000; i++) raw = { x: raw };
    const parsed = ingestAlertsBody.safeParse({
      alerts: [
        { external_id: "a", source: "edr", title: "t", severity: "high", raw },
        { external_id: "b", source: "edr", title: "t", severity: "high", raw: { ok: true } },
      ],
    });
    assert.ok(parsed.success);
    const [first, second] = parsed.data.alerts;
    assert.deepEqual(first, { ok: false, reason: "raw: raw is nested too deeply (at most 64 levels)" });
    assert.equal(second.ok, true);
  });
});

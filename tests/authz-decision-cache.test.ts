// The PDP's decisions kept per process (lib/authz/decision-cache.ts): a
// question asked again within PDP_DECISION_CACHE_MS is answered without a PDP
// request, with the same answer, allow or deny; and anything that changes the
// question (a membership, the tenant's status or path, the principal, the PDP's
// address) is asked afresh at once. The attacks: another principal, a changed
// membership or a suspended tenant never gets a kept answer; an answer the PDP
// did not give is never kept; with the PDP down only what it decided within the
// TTL is answered, everything else fails closed.
import assert from "node:assert/strict";
import { after, afterEach, before, describe, test } from "node:test";
import {
  checkAction,
  checkActions,
  checkActionsForEach,
  isPdpUnavailable,
  requireAction,
  isAuthorizationError,
  type Action,
} from "@/lib/authz";
import { decisionsOf, forgetDecisions, keptDecisions, MAX_ENTRIES } from "@/lib/authz/decision-cache";
import { portalMetrics } from "@/lib/metrics/registry";
import { startCerbos, type CerbosServer } from "@/scripts/lib/cerbos";
import { MSSP, ACME, GLOBEX, member, tenantNo } from "./helpers/pdp-principals";

const customers = (n: number) => Array.from({ length: n }, (_, i) => tenantNo(100 + i, `mssp_a.c${i}`, "customer"));

const ADMIN_ID = "00000000-0000-4000-8000-0000000000a1";
const acmeAdmin = () => member(ADMIN_ID, [[ACME, "tenant_admin"]]);
const acmeViewer = () => member(ADMIN_ID, [[ACME, "tenant_viewer"]]);
const msspAdmin = () => member("00000000-0000-4000-8000-0000000000a3", [[MSSP, "mssp_admin"]]);

const NAV: Action[] = ["users:manage", "audit:view", "settings:view", "alerts:triage"];

let pdp: CerbosServer;
const saved = { url: process.env.CERBOS_URL, ttl: process.env.PDP_DECISION_CACHE_MS };
before(async () => {
  pdp = await startCerbos();
  process.env.CERBOS_URL = pdp.url;
  process.env.PDP_DECISION_CACHE_MS = "30000";
});
afterEach(() => {
  process.env.CERBOS_URL = pdp.url;
  process.env.PDP_DECISION_CACHE_MS = "30000";
  forgetDecisions();
});
after(async () => {
  for (const [k, v] of [["CERBOS_URL", saved.url], ["PDP_DECISION_CACHE_MS", saved.ttl]] as const) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  await pdp?.stop();
});

/** Requests and resources the PDP has served so far (its Prometheus metrics). */
async function served(): Promise<{ requests: number; resources: number }> {
  const text = await (await fetch(`${pdp.url}/_cerbos/metrics`)).text();
  const value = (name: string) => Number(text.split("\n").find((l) => l.startsWith(`${name} `))?.split(" ").pop() ?? 0);
  return { requests: value("cerbos_dev_engine_check_batch_size_count"), resources: value("cerbos_dev_engine_check_batch_size_sum") };
}

/** What `fn` answered, and the PDP requests and resources it cost. */
async function measured<T>(fn: () => Promise<T>): Promise<{ answer: T; requests: number; resources: number }> {
  const before = await served();
  const answer = await fn();
  const after = await served();
  return { answer, requests: after.requests - before.requests, resources: after.resources - before.resources };
}

describe("PDP decisions kept per process", () => {
  test("the same question again: the same answers, allow and deny, without a request", async () => {
    const first = await measured(() => checkActions(acmeViewer(), NAV, ACME));
    assert.equal(first.requests, 1);
    // A viewer: some allowed, some denied, so both kinds are kept.
    assert.deepEqual(first.answer, { "users:manage": false, "audit:view": false, "settings:view": false, "alerts:triage": false });
    const again = await measured(() => checkActions(acmeViewer(), NAV, ACME));
    assert.deepEqual(again, { answer: first.answer, requests: 0, resources: 0 });
    const admin = await measured(() => checkActions(acmeAdmin(), NAV, ACME));
    assert.equal(admin.requests, 1, "another membership is another principal");
    assert.deepEqual(admin.answer, { "users:manage": true, "audit:view": true, "settings:view": true, "alerts:triage": true });
    assert.deepEqual((await measured(() => checkActions(acmeAdmin(), NAV, ACME))).requests, 0);
    assert.equal(await checkAction(acmeAdmin(), "users:manage", ACME), true);
    await assert.rejects(requireAction(acmeViewer(), "users:manage", ACME), (e: unknown) => isAuthorizationError(e));
  });

  test("a role taken away is asked afresh at once, never answered from before", async () => {
    assert.equal(await checkAction(acmeAdmin(), "users:manage", ACME), true);
    // The same person after the hook read their demoted membership.
    const demoted = await measured(() => checkAction(acmeViewer(), "users:manage", ACME));
    assert.deepEqual(demoted, { answer: false, requests: 1, resources: 1 });
    // Their membership gone altogether: no covering role, nothing allowed.
    const removed = await measured(() => checkAction(member(ADMIN_ID, []), "alerts:read", ACME));
    assert.deepEqual(removed, { answer: false, requests: 1, resources: 1 });
  });

  test("a tenant whose status or path changed is asked afresh", async () => {
    await checkActions(acmeAdmin(), ["alerts:read"], ACME);
    const suspended = await measured(() => checkActions(acmeAdmin(), ["alerts:read"], { ...ACME, status: "suspended" }));
    assert.equal(suspended.requests, 1);
    // Moved under Globex: the Acme admin's membership no longer covers it.
    const moved = await measured(() => checkActions(acmeAdmin(), ["alerts:read"], { ...ACME, path: "mssp_a.globex.acme" }));
    assert.deepEqual(moved, { answer: { "alerts:read": false }, requests: 1, resources: 1 });
  });

  test("another person with the same memberships gets no kept answer", async () => {
    await checkAction(acmeAdmin(), "users:manage", ACME);
    const other = await measured(() => checkAction(member("00000000-0000-4000-8000-0000000000b9", [[ACME, "tenant_admin"]]), "users:manage", ACME));
    assert.equal(other.requests, 1);
  });

  test("only the questions not kept go out: a list page over 120 customers, half of them asked before", async () => {
    const all = customers(120);
    await checkActionsForEach(msspAdmin(), ["alerts:read", "alerts:triage"], all.slice(0, 60));
    const next = await measured(() => checkActionsForEach(msspAdmin(), ["alerts:read", "alerts:triage", "users:manage"], all));
    // 60 new customers, plus users:manage on the 60 known ones: 120 resources in 3 requests of at most 50.
    assert.deepEqual({ requests: next.requests, resources: next.resources }, { requests: 3, resources: 120 });
    for (const t of all) assert.deepEqual(next.answer.get(t.id), { "alerts:read": true, "alerts:triage": true, "users:manage": true });
    const warm = await measured(() => checkActionsForEach(msspAdmin(), ["alerts:read", "alerts:triage"], all));
    assert.equal(warm.requests, 0);
    assert.deepEqual(warm.answer, new Map(all.map((t) => [t.id, { "alerts:read": true, "alerts:triage": true }])));
  });

  test("kept for PDP_DECISION_CACHE_MS only; 0 asks every time", async () => {
    // Long enough that a busy machine asks again well within it, short enough to wait out.
    process.env.PDP_DECISION_CACHE_MS = "1500";
    await checkAction(acmeAdmin(), "alerts:read", ACME);
    assert.equal((await measured(() => checkAction(acmeAdmin(), "alerts:read", ACME))).requests, 0);
    await new Promise((r) => setTimeout(r, 1600));
    assert.equal((await measured(() => checkAction(acmeAdmin(), "alerts:read", ACME))).requests, 1, "expired");
    process.env.PDP_DECISION_CACHE_MS = "0";
    forgetDecisions();
    for (let i = 0; i < 3; i++) assert.equal((await measured(() => checkAction(acmeAdmin(), "alerts:read", ACME))).requests, 1);
    assert.equal(keptDecisions(), 0);
  });

  test("a bad PDP_DECISION_CACHE_MS is refused with its name", async () => {
    process.env.PDP_DECISION_CACHE_MS = "soon";
    await assert.rejects(checkAction(acmeAdmin(), "alerts:read", ACME), /PDP_DECISION_CACHE_MS/);
  });

  test("with the PDP down: what it decided within the TTL is answered, anything else fails closed", async () => {
    await checkActions(acmeAdmin(), ["alerts:read"], ACME);
    process.env.CERBOS_URL = "http://127.0.0.1:9";
    // Another PDP address is another question: nothing kept is used for it.
    await assert.rejects(checkActions(acmeAdmin(), ["alerts:read"], ACME), (e: unknown) => isPdpUnavailable(e));
    // The same PDP gone (a second one, stopped after it answered).
    const second = await startCerbos();
    process.env.CERBOS_URL = second.url;
    assert.deepEqual(await checkActions(acmeAdmin(), ["alerts:read"], ACME), { "alerts:read": true });
    await second.stop();
    assert.deepEqual(await checkActions(acmeAdmin(), ["alerts:read"], ACME), { "alerts:read": true });
    await assert.rejects(checkActions(acmeAdmin(), ["alerts:read", "users:manage"], ACME), (e: unknown) => isPdpUnavailable(e));
    await assert.rejects(checkActions(acmeAdmin(), ["alerts:read"], GLOBEX), (e: unknown) => isPdpUnavailable(e));
    // A batch cannot fail one row alone: the tenant not kept is simply not allowed.
    const batch = await checkActionsForEach(acmeAdmin(), ["alerts:read"], [ACME, GLOBEX]).catch((e: unknown) => e);
    assert.ok(isPdpUnavailable(batch));
  });

  test("the portal's metrics count decisions by where they came from", async () => {
    const counts = async () => {
      const m = await portalMetrics().pdpDecisions.get();
      const of = (source: string) => m.values.find((v) => v.labels.source === source)?.value ?? 0;
      return { pdp: of("pdp"), cache: of("cache") };
    };
    const before = await counts();
    await checkActions(acmeAdmin(), NAV, ACME);
    await checkActions(acmeAdmin(), NAV, ACME);
    const after = await counts();
    assert.deepEqual({ pdp: after.pdp - before.pdp, cache: after.cache - before.cache }, { pdp: NAV.length, cache: NAV.length });
  });
});

test("a full cache drops the least recently used principals first, and never holds more than MAX_ENTRIES", () => {
  forgetDecisions();
  const now = Date.now();
  const old = decisionsOf("principal old")!;
  const recent = decisionsOf("principal recent")!;
  const half = MAX_ENTRIES / 2;
  for (let i = 0; i < half - 10; i++) old.set(`tenant ${i}`, "alerts:read", true, now);
  for (let i = 0; i < half - 10; i++) recent.set(`tenant ${i}`, "alerts:triage", false, now);
  assert.equal(keptDecisions(), MAX_ENTRIES - 20);
  // A second action on a resource already kept is one more decision.
  recent.set("tenant 0", "alerts:read", true, now);
  assert.equal(keptDecisions(), MAX_ENTRIES - 19);
  // Using "old" makes it the most recently used: "recent" is dropped when a third principal fills the cache.
  decisionsOf("principal old");
  const third = decisionsOf("principal third")!;
  for (let i = 0; i < 100; i++) third.set(`tenant ${i}`, "alerts:read", true, now);
  assert.ok(keptDecisions() <= MAX_ENTRIES, String(keptDecisions()));
  assert.equal(decisionsOf("principal recent")!.get("tenant 0", "alerts:triage", now), undefined);
  assert.equal(decisionsOf("principal old")!.get("tenant 7", "alerts:read", now), true);
  assert.equal(decisionsOf("principal third")!.get("tenant 99", "alerts:read", now), true);
  assert.equal(keptDecisions(), half - 10 + 100);
  forgetDecisions();
});

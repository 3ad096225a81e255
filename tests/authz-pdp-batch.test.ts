// Checks made together share one PDP request (lib/authz/pdp.ts: a page render's
// layout and page; sharingPdpRequests elsewhere), and every caller still gets
// exactly the answers to its own question: the same as asking alone, per
// resource and action, with the union of actions asked on a shared resource,
// a separate request for another principal, its own request for a resource
// whose attributes differ, and PdpUnavailableError for everyone when the PDP
// cannot answer.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import {
  checkAction,
  checkActions,
  checkActionsForEach,
  isPdpUnavailable,
  sharingPdpRequests,
  type Action,
} from "@/lib/authz";
import { startCerbos, type CerbosServer } from "@/scripts/lib/cerbos";
import { MSSP, ACME, ACME_EU, GLOBEX, SUSPENDED, member } from "./helpers/pdp-principals";

const acmeAdmin = () => member("00000000-0000-4000-8000-0000000000a1", [[ACME, "tenant_admin"]]);
const acmeViewer = () => member("00000000-0000-4000-8000-0000000000a2", [[ACME, "tenant_viewer"]]);
const msspAnalyst = () => member("00000000-0000-4000-8000-0000000000a3", [[MSSP, "mssp_analyst"]]);

const NAV: Action[] = ["users:manage", "audit:view", "credentials:view", "settings:view", "billing:view", "alerts:triage"];
const LIST: Action[] = ["alerts:read", "alerts:triage"];

let pdp: CerbosServer;
const savedUrl = process.env.CERBOS_URL;
const savedCache = process.env.PDP_DECISION_CACHE_MS;
before(async () => {
  pdp = await startCerbos();
  process.env.CERBOS_URL = pdp.url;
  // These tests count the requests that go out: no decision may come from the process's cache
  // (tests/authz-decision-cache.test.ts covers it).
  process.env.PDP_DECISION_CACHE_MS = "0";
});
after(async () => {
  process.env.CERBOS_URL = savedUrl;
  if (savedCache === undefined) delete process.env.PDP_DECISION_CACHE_MS;
  else process.env.PDP_DECISION_CACHE_MS = savedCache;
  await pdp?.stop();
});

/** Check requests the PDP has served so far (its Prometheus metrics). */
async function pdpRequests(): Promise<number> {
  const text = await (await fetch(`${pdp.url}/_cerbos/metrics`)).text();
  const line = text.split("\n").find((l) => l.startsWith("cerbos_dev_engine_check_batch_size_count "));
  return Number(line?.split(" ").pop() ?? 0);
}

/** A layout's and a page's questions, several principals, the way a render asks them. */
const questions = () => [
  () => checkActions(acmeAdmin(), NAV, ACME),
  () => checkActionsForEach(acmeAdmin(), LIST, [ACME, ACME_EU, GLOBEX]),
  () => checkAction(acmeAdmin(), "users:manage", GLOBEX),
  () => checkActionsForEach(acmeViewer(), LIST, [ACME, ACME_EU]),
  () => checkActions(msspAnalyst(), NAV, GLOBEX),
  () => checkActionsForEach(msspAnalyst(), ["alerts:read", "tenants:suspend"], [ACME, GLOBEX, SUSPENDED]),
];

describe("PDP checks shared by a request", () => {
  test("the same answers as asked alone, in one request per principal", async () => {
    const alone: unknown[] = [];
    for (const q of questions()) alone.push(await q());
    const before = await pdpRequests();
    const together = await sharingPdpRequests(() => Promise.all(questions().map((q) => q())));
    const requests = (await pdpRequests()) - before;
    assert.deepEqual(together, alone);
    // Three principals: three requests instead of six.
    assert.equal(requests, 3);
    // Something is allowed and something denied, so the comparison means something.
    const flat = JSON.stringify(alone);
    assert.match(flat, /true/);
    assert.match(flat, /false/);
  });

  test("a resource asked with other attributes (a status change between two reads) gets its own request", async () => {
    const p = acmeAdmin();
    const changed = { ...ACME, status: "suspended" as const };
    const [a, b] = await sharingPdpRequests(() => Promise.all([checkActions(p, ["alerts:read"], ACME), checkActions(p, ["alerts:read"], changed)]));
    assert.deepEqual(a, await checkActions(acmeAdmin(), ["alerts:read"], ACME));
    assert.deepEqual(b, await checkActions(acmeAdmin(), ["alerts:read"], changed));
  });

  test("checks made after a batch went out open a new one", async () => {
    const p = acmeAdmin();
    const out = await sharingPdpRequests(async () => {
      const first = await checkActions(p, ["alerts:read"], ACME);
      const second = await checkActions(p, ["users:manage"], ACME);
      return { first, second };
    });
    assert.deepEqual(out, { first: { "alerts:read": true }, second: { "users:manage": true } });
  });

  test("no answer: every caller in the batch gets PdpUnavailableError", async () => {
    process.env.CERBOS_URL = "http://127.0.0.1:9";
    try {
      const results = await sharingPdpRequests(() => Promise.allSettled(questions().map((q) => q())));
      for (const r of results) {
        assert.equal(r.status, "rejected");
        assert.ok(isPdpUnavailable((r as PromiseRejectedResult).reason));
      }
    } finally {
      process.env.CERBOS_URL = pdp.url;
    }
  });
});

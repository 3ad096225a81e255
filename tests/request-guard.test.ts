// lib/http/request-guard.ts: what the proxy refuses because Next.js or
// next-auth would answer it with a 500 (found by e2e/fuzz-routes.spec.ts,
// which is the end-to-end test; these pin each rule and its controls).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { NextRequest } from "next/server";
import { crossSiteOrigin, refuseBadCallbackUrl, refuseBadJson, refuseMalformed, refuseUnreadableForm } from "@/lib/http/request-guard";

const req = (path: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}) =>
  new NextRequest(`http://acme.localhost:3000${path}`, { method: init.method ?? "GET", headers: { host: "acme.localhost:3000", ...init.headers }, body: init.body });

describe("refuseMalformed", () => {
  test("a path with broken %-encoding is a 400; a well-encoded one passes", async () => {
    const res = refuseMalformed(req("/customers/%ff/live"));
    assert.equal(res?.status, 400);
    assert.match((await res!.json()).error, /%-encoding/);
    assert.equal(refuseMalformed(req("/customers/%C3%A9/live")), null);
  });

  test("a state-changing request from another site, or with a garbage Origin, is a 403; same host, no Origin or Origin: null pass", () => {
    for (const origin of ["http://evil.example", "http://acme.localhost:3000.evil.example", "garbage", "http://globex.localhost:3000"]) {
      assert.equal(refuseMalformed(req("/alerts", { method: "POST", headers: { origin } }))?.status, 403, origin);
    }
    for (const headers of [{ origin: "http://acme.localhost:3000" }, { origin: "https://acme.localhost:3000" }, {}, { origin: "null" }] as Record<string, string>[]) {
      assert.equal(refuseMalformed(req("/alerts", { method: "POST", headers })), null, JSON.stringify(headers));
    }
    assert.equal(refuseMalformed(req("/alerts", { headers: { origin: "http://evil.example" } })), null, "GET is not state-changing");
    assert.equal(crossSiteOrigin("HTTP://ACME.LOCALHOST:3000", "acme.localhost:3000"), false);
  });

  test("multipart without a boundary is a 400", () => {
    assert.equal(refuseMalformed(req("/", { method: "POST", headers: { "content-type": "multipart/form-data" }, body: "x" }))?.status, 400);
    assert.equal(refuseMalformed(req("/", { method: "POST", headers: { "content-type": "multipart/form-data; boundary=b" }, body: "x" })), null);
  });
});

describe("refuseUnreadableForm and refuseBadJson", () => {
  const multipart = (body: string, headers: Record<string, string> = {}) =>
    req("/", { method: "POST", headers: { "content-type": "multipart/form-data; boundary=b", ...headers }, body });

  test("a multipart body that does not parse, or names no server action, is a 400; a no-JavaScript action's form, or one sent with Next-Action, passes", async () => {
    assert.equal((await refuseUnreadableForm(multipart("garbage")))?.status, 400);
    // Well-formed, but not a form of the portal's: Next answered it "Invalid Server Actions request" (500), found by route fuzzing.
    assert.equal((await refuseUnreadableForm(multipart('--b\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--b--\r\n')))?.status, 400);
    assert.equal(await refuseUnreadableForm(multipart('--b\r\nContent-Disposition: form-data; name="$ACTION_ID_0123abcd"\r\n\r\n\r\n--b\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--b--\r\n')), null);
    assert.equal(await refuseUnreadableForm(multipart("garbage", { "next-action": "abc" })), null);
  });

  test("a JSON body that is not JSON is a 400 for next-auth; valid JSON and other types pass", async () => {
    const post = (body: string, type = "application/json") => new Request("http://x/api/auth/session", { method: "POST", headers: { "content-type": type }, body });
    assert.equal((await refuseBadJson(post("{nope")))?.status, 400);
    assert.equal(await refuseBadJson(post('{"csrfToken":"x"}')), null);
    assert.equal(await refuseBadJson(post("a=b", "application/x-www-form-urlencoded")), null);
  });
});

describe("refuseBadCallbackUrl", () => {
  test("next-auth's callbackUrl that is neither a path nor an http(s) URL is a 400 (next-auth answered it with a 500); paths and http(s) URLs pass", async () => {
    // Found by e2e/fuzz-routes.spec.ts (FUZZ_SEED=20788): GET /api/auth/W?callbackUrl=w2z4~$KK was a 500.
    const res = refuseBadCallbackUrl(req("/api/auth/W?callbackUrl=w2z4~%24KK"));
    assert.equal(res?.status, 400);
    assert.match((await res!.json()).error, /callbackUrl/);
    assert.equal(refuseBadCallbackUrl(req("/api/auth/signin?callbackUrl=javascript%3Aalert(1)"))?.status, 400);
    assert.equal(refuseBadCallbackUrl(req("/api/auth/signin?callbackUrl=%2Falerts")), null);
    assert.equal(refuseBadCallbackUrl(req("/api/auth/signin?callbackUrl=http%3A%2F%2Facme.localhost%3A3000%2Falerts")), null);
    assert.equal(refuseBadCallbackUrl(req("/api/auth/session")), null);
  });
});

// Issue 9, findings 6 and 11: every response the proxy sees carries a strict
// CSP with a fresh nonce (also handed to Next on the request, so its scripts
// carry it), frame-ancestors 'none', HSTS over https only, and the usual
// headers; Next's static files get the request-independent ones from
// next.config.ts. The same over HTTP against the production build, with the
// pages working under the policy: e2e/security-headers.spec.ts.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { NextRequest } from "next/server";
import nextConfig from "../next.config";
import { contentSecurityPolicy, HSTS, HSTS_THIS_HOST, isHttps, makeNonce, securityHeaders, STATIC_SECURITY_HEADERS } from "@/lib/http/security-headers";
import { routeRequest as proxy } from "../proxy"; // the synchronous part of the proxy

function directives(csp: string): Map<string, string[]> {
  return new Map(csp.split(";").map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name!, values]));
}

describe("the policy", () => {
  test("scripts only by nonce (and what they load), nothing framed, no plugins, no base or form hijack", () => {
    const d = directives(contentSecurityPolicy("abc123"));
    assert.deepEqual(d.get("script-src"), ["'self'", "'nonce-abc123'", "'strict-dynamic'"]);
    assert.deepEqual(d.get("frame-ancestors"), ["'none'"]);
    assert.deepEqual(d.get("object-src"), ["'none'"]);
    assert.deepEqual(d.get("base-uri"), ["'none'"]);
    assert.deepEqual(d.get("form-action"), ["'self'"]);
    assert.deepEqual(d.get("default-src"), ["'self'"]);
    assert.deepEqual(d.get("connect-src"), ["'self'"]);
    assert.equal(d.has("upgrade-insecure-requests"), false);
  });
  test("eval and the dev websocket only under next dev", () => {
    assert.ok(directives(contentSecurityPolicy("n", { dev: true })).get("script-src")!.includes("'unsafe-eval'"));
    assert.ok(!contentSecurityPolicy("n").includes("unsafe-eval"));
  });
  test("nonces are 128 random bits and never repeat", () => {
    const seen = new Set(Array.from({ length: 1000 }, () => makeNonce()));
    assert.equal(seen.size, 1000);
    for (const n of seen) assert.equal(Buffer.from(n, "base64").length, 16);
  });
  test("HSTS over https only", () => {
    assert.equal(securityHeaders("n", { https: true, portalHost: true })["Strict-Transport-Security"], HSTS);
    assert.equal(securityHeaders("n", { https: true })["Strict-Transport-Security"], HSTS_THIS_HOST);
    assert.equal(securityHeaders("n", { https: false, portalHost: true })["Strict-Transport-Security"], undefined);
    assert.equal(isHttps("https", "http:"), true);
    assert.equal(isHttps("https, http", "http:"), true);
    assert.equal(isHttps("http", "https:"), false);
    assert.equal(isHttps(null, "https:"), true);
    assert.equal(isHttps(null, "http:"), false);
  });
});

describe("the proxy sets them on every response it sees", () => {
  const urls: [string, string][] = [
    ["http://localhost:3000/", "localhost:3000"],
    ["http://localhost:3000/signin", "localhost:3000"],
    ["http://acme.localhost:3000/alerts", "acme.localhost:3000"],
    ["http://acme.localhost:3000/api/auth/csrf", "acme.localhost:3000"],
    ["http://no-such-tenant.localhost:3000/signin", "no-such-tenant.localhost:3000"],
    ["http://evil.example.com/anything", "evil.example.com"],
  ];
  for (const [url, host] of urls) {
    test(url, () => {
      const res = proxy(new NextRequest(url, { headers: { host } }));
      const csp = res.headers.get("content-security-policy");
      assert.ok(csp, "CSP");
      const nonce = /'nonce-([^']+)'/.exec(csp)![1];
      // Handed to Next and the layout on the request, the same nonce.
      assert.equal(res.headers.get("x-middleware-request-content-security-policy"), csp);
      assert.equal(res.headers.get("x-middleware-request-x-nonce"), nonce);
      for (const [key, value] of Object.entries(STATIC_SECURITY_HEADERS)) assert.equal(res.headers.get(key), value, key);
      assert.equal(res.headers.get("strict-transport-security"), null);
    });
  }
  test("OPTIONS on a page or the portal's own routes: 204 with Allow and the headers (Next answered a page's with an empty 400)", () => {
    // The dot-segment resolves before the proxy sees it: a route handler's path becomes the console's home page.
    for (const url of ["http://localhost:3000/brand-asset/%2e%2e", "http://localhost:3000/", "http://acme.localhost:3000/alerts", "http://localhost:3000/brand-asset/abc"]) {
      const res = proxy(new NextRequest(url, { method: "OPTIONS", headers: { host: new URL(url).host } }));
      assert.equal(res.status, 204, url);
      assert.equal(res.headers.get("allow"), "GET, HEAD, POST, OPTIONS", url);
      assert.ok(res.headers.get("content-security-policy"), url);
    }
    // The tenant API answers its own (the gateway), as does next-auth.
    const api = proxy(new NextRequest("http://acme.localhost:3000/api/v1/alerts", { method: "OPTIONS", headers: { host: "acme.localhost:3000" } }));
    assert.notEqual(api.status, 204);
  });

  test("a client-sent nonce or policy is replaced", () => {
    const res = proxy(new NextRequest("http://localhost:3000/signin", {
      headers: { host: "localhost:3000", "x-nonce": "attacker", "content-security-policy": "script-src 'nonce-attacker'" },
    }));
    assert.ok(!res.headers.get("x-middleware-request-x-nonce")!.includes("attacker"));
    assert.ok(!res.headers.get("x-middleware-request-content-security-policy")!.includes("attacker"));
  });
  test("a new nonce per request", () => {
    const a = proxy(new NextRequest("http://localhost:3000/signin", { headers: { host: "localhost:3000" } }));
    const b = proxy(new NextRequest("http://localhost:3000/signin", { headers: { host: "localhost:3000" } }));
    assert.notEqual(a.headers.get("content-security-policy"), b.headers.get("content-security-policy"));
  });
  test("HSTS when the TLS ingress says https", () => {
    const res = proxy(new NextRequest("http://localhost:3000/signin", { headers: { host: "localhost:3000", "x-forwarded-proto": "https" } }));
    assert.equal(res.headers.get("strict-transport-security"), HSTS);
    assert.ok(res.headers.get("content-security-policy")!.includes("upgrade-insecure-requests"));
  });
  // A tenant may verify an apex (acme.com) as its custom domain: includeSubDomains sent there would
  // pin HTTPS for two years on every *.acme.com host, none of which the portal runs.
  test("HSTS covers subdomains on the portal's own hosts only, never on a custom domain", () => {
    const https = (url: string, customTenant: string | null = null) =>
      proxy(new NextRequest(url, { headers: { host: new URL(url).host, "x-forwarded-proto": "https" } }), customTenant).headers.get("strict-transport-security");
    for (const url of ["http://localhost:3000/", "http://portal.localhost/signin", "http://acme.localhost:3000/alerts", "http://acme.localhost:3000/handoff"]) {
      assert.equal(https(url), HSTS, url);
    }
    for (const url of ["http://acme.com/", "http://acme.com/signin", "http://soc.acme.example/alerts", "http://acme.com/api/auth/csrf"]) {
      assert.equal(https(url, "acme"), HSTS_THIS_HOST, url);
    }
    // A host that is no portal's (a pending or removed custom domain): the 404, and no subdomains pinned either.
    assert.equal(https("http://acme.com/"), HSTS_THIS_HOST);
    assert.ok(!HSTS_THIS_HOST.includes("includeSubDomains"));
  });
});

describe("next.config.ts covers what the proxy does not see", () => {
  test("Next's static files get the request-independent headers", async () => {
    const rules = await nextConfig.headers!();
    const all = rules.find((r) => r.source === "/:path*");
    assert.ok(all);
    const got = Object.fromEntries(all.headers.map((h) => [h.key, h.value]));
    assert.deepEqual(got, STATIC_SECURITY_HEADERS);
  });
});

// Issue 9, finding 9: next-auth built its URLs and redirects from
// X-Forwarded-Host (AUTH_TRUST_HOST=1), while the portal routes on Host, so a
// client naming another host got sign-in and sign-out redirects to it. Now the
// proxy overwrites X-Forwarded-Host with the validated Host (one source for
// both), refuses hosts that are not the portal's, and the redirect callback
// allows only the request's own origin. The same attack over HTTP against the
// production build: e2e/security-headers.spec.ts.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { NextRequest } from "next/server";
import { portalAuthority, sameOriginRedirect } from "@/lib/tenancy/host";
import { authRedirect } from "@/lib/tenancy/origin";
import { routeRequest as proxy } from "../proxy"; // the synchronous part of the proxy

const EVIL = "evil.example.com";

function run(url: string, headers: Record<string, string>) {
  const res = proxy(new NextRequest(url, { headers }));
  const overridden = (res.headers.get("x-middleware-override-headers") ?? "").split(",").map((s) => s.trim());
  return {
    res,
    /** The value a header has for everything after the proxy (next-auth included); null when removed. */
    seen: (name: string) => (overridden.includes(name) ? res.headers.get(`x-middleware-request-${name}`) : null),
  };
}

describe("the proxy gives next-auth the validated host, never the forwarded one", () => {
  for (const [host, path] of [
    ["localhost:3000", "/api/auth/signout"],
    ["localhost:3000", "/api/auth/callback/credentials"],
    ["acme.localhost:3000", "/api/auth/signin"],
    ["acme.localhost:3000", "/alerts"],
    ["portal.localhost", "/signin"],
  ]) {
    test(`${host}${path} with X-Forwarded-Host: ${EVIL}`, () => {
      const { seen } = run(`http://${host}${path}`, { host, "x-forwarded-host": EVIL, "x-forwarded-proto": "http" });
      assert.equal(seen("x-forwarded-host"), host);
      assert.equal(seen("host"), host);
      assert.equal(seen("x-forwarded-proto"), "http");
    });
  }

  test("a forwarded host list or a differently-cased host is replaced by the Host header's", () => {
    const { seen } = run("http://acme.localhost:3000/api/auth/csrf", { host: "Acme.LocalHost:3000", "x-forwarded-host": `acme.localhost:3000, ${EVIL}` });
    assert.equal(seen("x-forwarded-host"), "acme.localhost:3000");
  });

  test("x-forwarded-proto is only ever http or https", () => {
    assert.equal(run("http://localhost:3000/api/auth/csrf", { host: "localhost:3000", "x-forwarded-proto": "https" }).seen("x-forwarded-proto"), "https");
    assert.equal(run("http://localhost:3000/api/auth/csrf", { host: "localhost:3000", "x-forwarded-proto": "javascript" }).seen("x-forwarded-proto"), "http");
  });

  // With PORTAL_PROTOCOL set (a deployment), the client's X-Forwarded-Proto decides nothing: the
  // scheme every page, action and next-auth sees (and builds links from) and HSTS follow the setting.
  // Without this, "X-Forwarded-Proto: http" on a reset request mailed the victim an http:// link.
  for (const [configured, sent] of [["https", "http"], ["https", "javascript"], ["https", undefined], ["http", "https"]] as const) {
    test(`PORTAL_PROTOCOL=${configured}: a client's X-Forwarded-Proto: ${sent ?? "(none)"} is overruled`, () => {
      const before = process.env.PORTAL_PROTOCOL;
      process.env.PORTAL_PROTOCOL = configured;
      try {
        for (const [host, path] of [["acme.localhost:3000", "/signin/reset"], ["localhost:3000", "/api/auth/csrf"], ["acme.localhost:3000", "/alerts"]]) {
          const { res, seen } = run(`http://${host}${path}`, { host, ...(sent ? { "x-forwarded-proto": sent } : {}) });
          assert.equal(seen("x-forwarded-proto"), configured, `${host}${path}`);
          assert.equal(res.headers.has("strict-transport-security"), configured === "https", `${host}${path}`);
        }
      } finally {
        if (before === undefined) delete process.env.PORTAL_PROTOCOL;
        else process.env.PORTAL_PROTOCOL = before;
      }
    });
  }

  for (const host of ["127.0.0.1:3000", EVIL, "a.b.localhost:3000", "localhost.evil.example.com"]) {
    test(`next-auth's endpoints and the sign-in page are not served on ${host}`, () => {
      for (const path of ["/api/auth/csrf", "/api/auth/signout", "/signin", "/account/mfa"]) {
        const { res, seen } = run(`http://${host}${path}`, { host, "x-forwarded-host": "localhost:3000" });
        assert.match(res.headers.get("x-middleware-rewrite") ?? "", /\/unknown-host$/, `${host}${path}`);
        assert.equal(seen("x-forwarded-host"), null);
      }
    });
  }
});

describe("portalAuthority", () => {
  test("the Host header's host and port, for portal hosts only", () => {
    assert.equal(portalAuthority("localhost:3000", "localhost"), "localhost:3000");
    assert.equal(portalAuthority("ACME.localhost", "localhost"), "acme.localhost");
    assert.equal(portalAuthority("acme.mssp.example:443", "mssp.example"), "acme.mssp.example:443");
    assert.equal(portalAuthority(EVIL, "localhost"), null);
    assert.equal(portalAuthority("acme.localhost@evil.example.com", "localhost"), null);
    assert.equal(portalAuthority(null, "localhost"), null);
  });
});

describe("sameOriginRedirect", () => {
  const origin = "http://acme.localhost:3000";
  const cases: [string, string][] = [
    ["/alerts?x=1", `${origin}/alerts?x=1`],
    [`${origin}/alerts`, `${origin}/alerts`],
    [`http://${EVIL}/x`, origin],
    [`//${EVIL}/x`, origin],
    [`/\\${EVIL}/x`, origin],
    [`https://acme.localhost:3000/x`, origin], // another scheme is another origin
    ["http://globex.localhost:3000/alerts", origin],
    ["javascript:alert(1)", origin],
  ];
  for (const [url, expected] of cases) {
    test(`${url} -> ${expected}`, () => assert.equal(sameOriginRedirect(url, origin), expected));
  }
});

describe("next-auth's redirect callback ignores the baseUrl it built from X-Forwarded-Host", () => {
  // lib/auth/options.ts: `redirect: ({ url }) => authRedirect(url)`; baseUrl is not consulted.
  test("a foreign URL becomes the request's own origin", async () => {
    // Outside a request: the console's configured origin.
    const out = await authRedirect(`http://${EVIL}/signin`);
    assert.ok(!out.includes(EVIL), out);
    const path = await authRedirect("/signin");
    assert.ok(!path.includes(EVIL), path);
    assert.match(path, /^http:\/\/localhost(:\d+)?\/signin$/);
  });
});

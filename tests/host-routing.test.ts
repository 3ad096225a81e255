// Host -> tenant parsing: the only place tenant context comes from. Tries the
// spoofing shapes a hostile client could send.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { consoleOrigin, normalizeHost, parseHost, tenantOrigin } from "@/lib/tenancy/host";

describe("parseHost on the local domain", () => {
  const cases: [string | null, ReturnType<typeof parseHost>][] = [
    ["localhost:3000", { area: "console" }],
    ["localhost", { area: "console" }],
    ["LOCALHOST:3000", { area: "console" }],
    ["acme.localhost:3000", { area: "tenant", slug: "acme" }],
    ["acme-eu-west.localhost", { area: "tenant", slug: "acme-eu-west" }],
    ["Acme.LocalHost.:3000", { area: "tenant", slug: "acme" }],
    ["a.b.localhost:3000", { area: "unknown" }],
    ["www.localhost", { area: "unknown" }],
    ["-acme.localhost", { area: "unknown" }],
    ["acme_.localhost", { area: "unknown" }],
    ["acme.localhost.evil.com", { area: "unknown" }],
    ["evil.com", { area: "unknown" }],
    ["127.0.0.1:3000", { area: "unknown" }],
    ["acme.localhost@evil.com", { area: "unknown" }],
    ["acme.localhost/../globex", { area: "unknown" }],
    ["", { area: "unknown" }],
    [null, { area: "unknown" }],
  ];
  for (const [host, expected] of cases) {
    test(`${JSON.stringify(host)} -> ${JSON.stringify(expected)}`, () => {
      assert.deepEqual(parseHost(host, "localhost"), expected);
    });
  }
});

describe("parseHost on a production domain", () => {
  test("portal.<domain> and the bare domain are the console", () => {
    assert.deepEqual(parseHost("portal.mssp.example", "mssp.example"), { area: "console" });
    assert.deepEqual(parseHost("mssp.example", "mssp.example"), { area: "console" });
  });
  test("<slug>.<domain> is that tenant", () => {
    assert.deepEqual(parseHost("acme.mssp.example:443", "mssp.example"), { area: "tenant", slug: "acme" });
  });
  test("a look-alike domain is unknown", () => {
    assert.deepEqual(parseHost("acme.evilmssp.example", "mssp.example"), { area: "unknown" });
    assert.deepEqual(parseHost("acme.localhost", "mssp.example"), { area: "unknown" });
  });
});

describe("origins for links", () => {
  test("keep the current protocol and port", () => {
    assert.equal(tenantOrigin("acme", { protocol: "http:", port: "3000" }, "localhost"), "http://acme.localhost:3000");
    assert.equal(consoleOrigin({ protocol: "https:", port: "" }, "mssp.example"), "https://portal.mssp.example");
    assert.equal(consoleOrigin({ protocol: "http:", port: "3000" }, "localhost"), "http://localhost:3000");
  });
  test("normalizeHost refuses junk", () => {
    assert.equal(normalizeHost("acme localhost"), null);
    assert.equal(normalizeHost("x".repeat(300)), null);
  });
});

// Custom domain input (lib/domains/validate.ts, skeleton.ts): what a tenant
// admin may type, with the message each refusal gives. Pure: the checks that
// need every tenant's domains (taken, look-alike of another's) are in
// tests/domains-verify.test.ts against the database.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { DOMAIN_MESSAGES, parseDomainInput } from "@/lib/domains/validate";
import { skeleton } from "@/lib/domains/skeleton";

const PORTAL = "mssp.example";
const parse = (raw: string) => parseDomainInput(raw, PORTAL);

describe("custom domain input", () => {
  test("accepts host names, normalised to lowercase ASCII", () => {
    for (const [raw, ascii] of [
      ["soc.acme.com", "soc.acme.com"],
      ["  SOC.Acme.COM. ", "soc.acme.com"],
      ["portal.acme-corp.co.uk", "portal.acme-corp.co.uk"],
      ["пример.рф", "xn--e1afmkfd.xn--p1ai"],
      ["münchen.example", "xn--mnchen-3ya.example"],
      ["a.b", "a.b"],
    ] as const) {
      const r = parse(raw);
      assert.ok(r.ok, `${raw}: ${!r.ok && r.message}`);
      assert.equal(r.domain.ascii, ascii);
    }
  });

  const refused: [string, string][] = [
    ["", DOMAIN_MESSAGES.empty],
    ["   ", DOMAIN_MESSAGES.empty],
    ["*.acme.com", DOMAIN_MESSAGES.wildcard],
    ["soc.*.com", DOMAIN_MESSAGES.wildcard],
    ["192.0.2.10", DOMAIN_MESSAGES.ip],
    ["127.1", DOMAIN_MESSAGES.ip],
    ["0x7f.0.0.1", DOMAIN_MESSAGES.ip],
    ["[::1]", DOMAIN_MESSAGES.ip],
    ["2001:db8::1", DOMAIN_MESSAGES.ip],
    ["soc.acme.123", DOMAIN_MESSAGES.ip],
    ["https://soc.acme.com", DOMAIN_MESSAGES.notHost],
    ["soc.acme.com/path", DOMAIN_MESSAGES.notHost],
    ["soc.acme.com:8443", DOMAIN_MESSAGES.notHost],
    ["user@soc.acme.com", DOMAIN_MESSAGES.notHost],
    ["soc acme.com", DOMAIN_MESSAGES.notHost],
    ["-soc.acme.com", DOMAIN_MESSAGES.invalid],
    ["soc-.acme.com", DOMAIN_MESSAGES.invalid],
    ["soc..acme.com", DOMAIN_MESSAGES.invalid],
    ["soc_1.acme.com", DOMAIN_MESSAGES.invalid],
    ["<script>.acme.com", DOMAIN_MESSAGES.invalid],
    ["localhost", DOMAIN_MESSAGES.single],
    ["acme", DOMAIN_MESSAGES.single],
    [`${"a".repeat(64)}.acme.com`, DOMAIN_MESSAGES.tooLong],
    [`${"abcdefghi.".repeat(26)}com`, DOMAIN_MESSAGES.tooLong],
    ["mssp.example", DOMAIN_MESSAGES.portal],
    ["acme.mssp.example", DOMAIN_MESSAGES.portal],
    ["PORTAL.MSSP.EXAMPLE.", DOMAIN_MESSAGES.portal],
    ["acme.mssр.example", DOMAIN_MESSAGES.portalLookAlike], // Cyrillic р
    ["acme.mssp.examp1e", DOMAIN_MESSAGES.portalLookAlike],
  ];
  for (const [raw, message] of refused) {
    test(`refuses ${JSON.stringify(raw.length > 40 ? `${raw.slice(0, 40)}…` : raw)}`, () => {
      const r = parse(raw);
      assert.equal(r.ok, false);
      assert.equal(!r.ok && r.message, message);
    });
  }

  test("homographs share a skeleton with the name they imitate; different names do not", () => {
    const base = skeleton("soc.acme.com");
    for (const lookAlike of [
      "soc.аcme.com", // Cyrillic а
      "sос.acme.com", // Cyrillic о, с
      "soc.acmе.com", // Cyrillic е
      "soc.ɑcme.com", // Latin alpha
      "ѕoc.acme.com", // Cyrillic dze
      "soc.ａｃｍｅ.com", // full width (NFKC)
      "s0c.acme.com", // digit zero
      "soc.acmé.com", // combining accent
    ]) {
      const r = parse(lookAlike);
      assert.ok(r.ok, lookAlike);
      assert.equal(r.domain.skeleton, base, lookAlike);
    }
    assert.equal(skeleton("paypal.com"), skeleton("pаypаl.com"));
    assert.equal(skeleton("modern.com"), skeleton("modem.com"));
    assert.notEqual(skeleton("soc.acme.com"), skeleton("soc.acne.com"));
    assert.notEqual(skeleton("soc.acme.com"), skeleton("siem.acme.com"));
  });
});

describe("the host parser with custom domains (lib/tenancy/host.ts hostTarget)", () => {
  const h = (host: string, tenant?: string) => ({ get: (n: string) => (n === "host" ? host : n === "x-portal-custom-domain-tenant" ? (tenant ?? null) : null) });
  test("a portal host is parsed as before; the proxy's header cannot override it", async () => {
    const { hostTarget, requestAuthority } = await import("@/lib/tenancy/host");
    assert.deepEqual(hostTarget(h("acme.localhost:3000", "globex")), { area: "tenant", slug: "acme" });
    assert.deepEqual(hostTarget(h("localhost:3000", "globex")), { area: "console" });
    assert.deepEqual(hostTarget(h("soc.acme.test:3000", "acme")), { area: "tenant", slug: "acme" });
    assert.equal(requestAuthority(h("SOC.acme.test:3000", "acme")), "soc.acme.test:3000");
    assert.deepEqual(hostTarget(h("soc.acme.test")), { area: "unknown" });
    assert.equal(requestAuthority(h("soc.acme.test")), null);
    assert.deepEqual(hostTarget(h("soc.acme.test", "../x")), { area: "unknown" });
    assert.deepEqual(hostTarget(h("bad host!", "acme")), { area: "unknown" });
  });
});

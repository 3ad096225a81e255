// Outbound vendor requests (lib/credentials/outbound.ts) may only reach
// public addresses, checked on the addresses the socket really uses. These
// tests try to reach a local server through names that resolve to it, the
// way DNS rebinding or an internal record would, and check that nothing
// arrives; each has a control showing the same request does arrive when the
// policy allows it, so a refusal is the policy's doing and not a broken setup.
import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { CONNECTORS } from "@/lib/credentials";
import { NON_PUBLIC_ADDRESS, PUBLIC_ADDRESSES_ONLY, sendOutbound, type AddressPolicy, type ResolvedAddress } from "@/lib/credentials/outbound";
import { isPublicIpAddress } from "@/lib/credentials/url-safety";
import { verifyCredential } from "@/lib/credentials/verify";

let server: http.Server;
let port = 0;
let hits = 0;

before(async () => {
  server = http.createServer((req, res) => {
    hits++;
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ reached: true, path: req.url }));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  port = (server.address() as AddressInfo).port;
});
after(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

/** A resolver with fixed answers per call (the last answer repeats), counting its calls. */
function resolver(...answers: ResolvedAddress[][]) {
  let calls = 0;
  const resolve = async (hostname: string) => {
    if (!hostname.endsWith(".rebind.test")) throw Object.assign(new Error("unexpected name"), { code: "ENOTFOUND" });
    return answers[Math.min(calls++, answers.length - 1)];
  };
  return { resolve, calls: () => calls };
}

const LOOPBACK: ResolvedAddress = { address: "127.0.0.1", family: 4 };
const request = (host: string, timeoutMs = 2_000) => ({
  url: `http://${host}:${port}/probe`,
  method: "GET",
  headers: {},
  timeoutMs,
  maxBodyBytes: 16 * 1024,
});
const allowAll = (resolve: AddressPolicy["resolve"]): AddressPolicy => ({ resolve, allows: () => true });
const publicOnly = (resolve: AddressPolicy["resolve"]): AddressPolicy => ({ resolve, allows: PUBLIC_ADDRESSES_ONLY.allows });

async function refusedCode(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code ?? (error as Error).name;
  }
  return undefined;
}

describe("outbound requests reach public addresses only", () => {
  test("control: the connection goes to the address our resolver gave (the name exists nowhere else)", async () => {
    hits = 0;
    const r = resolver([LOOPBACK]);
    const response = await sendOutbound(request("vendor.rebind.test"), allowAll(r.resolve));
    assert.equal(response.status, 200);
    assert.deepEqual(JSON.parse(response.body.toString()), { reached: true, path: "/probe" });
    assert.equal(hits, 1);
    assert.equal(r.calls(), 1);
  });

  test("a public name whose answer is loopback is refused before any connection", async () => {
    hits = 0;
    const r = resolver([LOOPBACK]);
    assert.equal(await refusedCode(sendOutbound(request("vendor.rebind.test"), publicOnly(r.resolve))), NON_PUBLIC_ADDRESS);
    assert.equal(hits, 0);
  });

  test("one private answer among public ones is refused", async () => {
    hits = 0;
    const r = resolver([{ address: "8.8.8.8", family: 4 }, LOOPBACK]);
    assert.equal(await refusedCode(sendOutbound(request("vendor.rebind.test"), publicOnly(r.resolve))), NON_PUBLIC_ADDRESS);
    assert.equal(hits, 0);
  });

  test("cloud metadata, private v4 and v6 answers are refused", async () => {
    for (const answer of [
      { address: "169.254.169.254", family: 4 },
      { address: "10.1.2.3", family: 4 },
      { address: "::1", family: 6 },
      { address: "::ffff:127.0.0.1", family: 6 },
      { address: "fd00::1", family: 6 },
    ]) {
      const r = resolver([answer]);
      assert.equal(await refusedCode(sendOutbound(request("vendor.rebind.test"), publicOnly(r.resolve))), NON_PUBLIC_ADDRESS, answer.address);
    }
  });

  test("rebinding: the name is resolved once per connection, so a second, private answer is never used", async () => {
    hits = 0;
    // First answer public (unreachable here: no internet), every later one loopback.
    // A check-then-connect client would resolve again and land on our server.
    const r = resolver([{ address: "203.0.113.77", family: 4 }], [LOOPBACK]);
    const policy: AddressPolicy = { resolve: r.resolve, allows: (a) => a !== "127.0.0.1" };
    const code = await refusedCode(sendOutbound(request("vendor.rebind.test", 500), policy));
    assert.ok(code, "the request to an unreachable public address did not fail");
    assert.notEqual(code, NON_PUBLIC_ADDRESS);
    assert.equal(r.calls(), 1);
    assert.equal(hits, 0);
  });

  test("IP literals are checked too (node connects to them without a lookup)", async () => {
    hits = 0;
    const r = resolver([LOOPBACK]);
    assert.equal(await refusedCode(sendOutbound(request("127.0.0.1"), publicOnly(r.resolve))), NON_PUBLIC_ADDRESS);
    assert.equal(await refusedCode(sendOutbound({ ...request("127.0.0.1"), url: `http://[::1]:${port}/` }, publicOnly(r.resolve))), NON_PUBLIC_ADDRESS);
    assert.equal(hits, 0);
    assert.equal(r.calls(), 0);
    // Control: the same literal is reached when allowed.
    assert.equal((await sendOutbound(request("127.0.0.1"), allowAll(r.resolve))).status, 200);
    assert.equal(hits, 1);
  });

  test("isPublicIpAddress", () => {
    for (const a of ["8.8.8.8", "1.1.1.1", "2606:4700:4700::1111"]) assert.equal(isPublicIpAddress(a), true, a);
    for (const a of ["127.0.0.1", "10.0.0.1", "172.16.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1", "0.0.0.0", "::1", "::", "fe80::1", "fc00::1", "::ffff:10.0.0.1", "64:ff9b::a00:1", "not-an-ip"])
      assert.equal(isPublicIpAddress(a), false, a);
  });

  // Every special-purpose range, in each form an address can take. The
  // classification is ipaddr.js's; the forms that embed an IPv4 address are
  // judged by that address.
  test("isPublicIpAddress: every special-purpose range and embedded form", () => {
    const publicOnes = [
      "172.32.0.1", // just past 172.16/12
      "100.128.0.1", // just past CGNAT
      "::ffff:8.8.8.8", // v4-mapped public
      "64:ff9b::808:808", // NAT64 of 8.8.8.8
      "2002:808:808::1", // 6to4 of 8.8.8.8
      "::ffff:0:808:808", // v4-translated (RFC 6145) 8.8.8.8
      "2a00:1450:4001:82a::200e",
    ];
    for (const a of publicOnes) assert.equal(isPublicIpAddress(a), true, a);
    const refused: Record<string, string> = {
      "100.64.0.1": "CGNAT",
      "100.127.255.254": "CGNAT, top",
      "169.254.0.1": "link-local",
      "224.0.0.1": "multicast",
      "239.255.255.250": "multicast (SSDP)",
      "240.0.0.1": "reserved",
      "255.255.255.255": "broadcast",
      "192.0.0.8": "IETF protocol assignments",
      "192.0.2.1": "TEST-NET-1",
      "198.51.100.7": "TEST-NET-2",
      "203.0.113.9": "TEST-NET-3",
      "198.18.0.1": "benchmarking",
      "192.88.99.1": "6to4 relay anycast (deprecated)",
      "0.1.2.3": "this network",
      "127.1": "not canonical (127.0.0.1)",
      "0127.0.0.1": "not canonical (octal)",
      "2130706433": "not canonical (127.0.0.1 as one number)",
      "::ffff:127.0.0.1": "v4-mapped loopback",
      "::ffff:169.254.169.254": "v4-mapped metadata",
      "::ffff:0:a00:1": "v4-translated (RFC 6145) 10.0.0.1",
      "::a00:1": "v4-compatible (deprecated) 10.0.0.1",
      "::808:808": "v4-compatible (deprecated) even of a public address",
      "64:ff9b::7f00:1": "NAT64 of loopback",
      "64:ff9b::a9fe:a9fe": "NAT64 of the metadata service",
      "64:ff9b:1::808:808": "NAT64 local-use prefix",
      "2002:a00:1::1": "6to4 of 10.0.0.1",
      "2002:7f00:1::1": "6to4 of loopback",
      "2002:a9fe:a9fe::1": "6to4 of the metadata service",
      "2001:0:4136:e378:8000:63bf:3fff:fdd2": "Teredo",
      "fd00::1": "unique local",
      "fdff:ffff::1": "unique local, top",
      "fe80::1%eth0": "link-local with a zone",
      "febf::1": "link-local, top",
      "fec0::1": "site-local (deprecated)",
      "ff02::1": "multicast",
      "ff05::1:3": "multicast (site)",
      "2001:db8::1": "documentation",
      "3fff::1": "documentation (RFC 9637)",
      "100::1": "discard-only",
      "2001:2::1": "benchmarking",
      "2001:10::1": "ORCHID (deprecated)",
      "2001:20::1": "ORCHIDv2",
      "5f00::1": "segment routing",
      "4000::1": "outside 2000::/3: unallocated",
      "::2": "unallocated, next to loopback",
    };
    for (const [a, why] of Object.entries(refused)) assert.equal(isPublicIpAddress(a), false, `${a}: ${why}`);
  });

  test("a connection test to a vendor name that resolves inward fails with a clear message and sends nothing", async () => {
    const saved = process.env.CONNECTOR_TEST_ENDPOINT;
    delete process.env.CONNECTOR_TEST_ENDPOINT;
    try {
      hits = 0;
      const connector = CONNECTORS.generic_api_key;
      const config = { baseUrl: `https://api.rebind.test:${port}/v1`, testPath: "/me", headerName: "X-Api-Key", valuePrefix: "" };
      const secret = "s3cret-value-that-must-not-travel-0123456789";
      const result = await verifyCredential(connector, config, secret, publicOnly(resolver([{ address: "10.20.30.40", family: 4 }]).resolve));
      assert.deepEqual(result, {
        ok: false,
        message: `Could not reach api.rebind.test:${port}: its host name resolves to a private, loopback or reserved address; use the service's public address.`,
      });
      assert.ok(!result.message.includes("10.20.30.40"), "the message must not disclose internal DNS answers");
      assert.equal(hits, 0);
    } finally {
      if (saved !== undefined) process.env.CONNECTOR_TEST_ENDPOINT = saved;
    }
  });
});

// Next's limit on request bodies it copies for the proxy (next.config.ts,
// experimental.proxyClientMaxBodySize) against the largest body that passes
// through proxy.ts: the console's uploads (UPLOAD_LIMIT_BYTES,
// lib/lifecycle/web/envelope.ts). Past the limit Next ends its copy early
// with only a console warning. Checked here with Next's own copying code:
//   - an upload of the largest size reaches its route whole;
//   - a larger one, in any chunking Node produces (socket reads of at most
//     64 KiB), reaches it still larger than UPLOAD_LIMIT_BYTES, so the route
//     answers 413, not the 400 of a body cut short. (The limit
//     UPLOAD_LIMIT_BYTES + 1 fails this: Next drops the whole chunk that
//     crosses its limit, not just the bytes past it.)
//   - the tenant API (/api/v1/…, up to 16 MiB) is outside proxy.ts's matcher,
//     so none of its bodies is copied (over HTTP against the production
//     build: e2e/api-large-bodies.spec.ts).
import "./helpers/actions";
import assert from "node:assert/strict";
import { Readable } from "node:stream";
import { describe, test } from "node:test";
import { getCloneableBody } from "next/dist/server/body-streams.js";
import nextConfig from "../next.config";
import { UPLOAD_LIMIT_BYTES } from "@/lib/lifecycle/web/envelope";
import { config as proxyConfig } from "../proxy";

const MiB = 1024 * 1024;
const limit = nextConfig.experimental?.proxyClientMaxBodySize;

/** How many bytes of a `total`-byte body, arriving in `piece`-byte chunks, the route reads after Next's copy for the proxy. */
async function reachesRoute(total: number, piece: number, sizeLimit: number): Promise<number> {
  const chunk = Buffer.alloc(piece, 0x78);
  const source = Readable.from(
    (function* () {
      for (let at = 0; at < total; at += piece) yield at + piece <= total ? chunk : chunk.subarray(0, total - at);
    })(),
    { objectMode: false },
  );
  const body = getCloneableBody(source as never, sizeLimit);
  body.cloneBodyStream().resume(); // the proxy's copy, not read by it (proxy.ts never reads a body)
  const warn = console.warn;
  console.warn = () => undefined; // Next's "Request body exceeded" line
  try {
    await body.finalize();
  } finally {
    console.warn = warn;
  }
  let n = 0;
  for await (const c of source) n += (c as Buffer).length;
  return n;
}

describe("experimental.proxyClientMaxBodySize", () => {
  test("is set, as a number of bytes, one MiB past the console's largest upload", () => {
    assert.equal(typeof limit, "number", "set in next.config.ts (Next's default is 10 MiB)");
    // next.config.ts's UPLOAD_MAX_BODY_BYTES (a literal there) is UPLOAD_LIMIT_BYTES, plus one MiB of chunk margin.
    assert.equal(limit, UPLOAD_LIMIT_BYTES + MiB);
  });

  const pieces = [7919, 16 * 1024, 64 * 1024];
  for (const piece of pieces) {
    test(`in ${piece}-byte chunks: a ${UPLOAD_LIMIT_BYTES}-byte upload reaches its route whole, larger ones still too large`, async () => {
      const n = limit as number;
      assert.equal(await reachesRoute(UPLOAD_LIMIT_BYTES, piece, n), UPLOAD_LIMIT_BYTES);
      for (const total of [UPLOAD_LIMIT_BYTES + 1, 17 * MiB, 64 * MiB]) {
        const got = await reachesRoute(total, piece, n);
        assert.ok(got > UPLOAD_LIMIT_BYTES, `${total} bytes arrive as ${got}: the route would see a body cut short (400), not one too large (413)`);
      }
    });
  }

  test("(why the margin) at UPLOAD_LIMIT_BYTES + 1, Next hands an oversized body on cut to at most UPLOAD_LIMIT_BYTES", async () => {
    assert.ok((await reachesRoute(17 * MiB, 64 * 1024, UPLOAD_LIMIT_BYTES + 1)) <= UPLOAD_LIMIT_BYTES);
  });
});

describe("proxy.ts's matcher", () => {
  // Next compiles the matcher as a regular expression anchored at both ends.
  const matches = (path: string) => proxyConfig.matcher.some((m) => new RegExp(`^${m}$`).test(path));
  test("leaves the tenant API out (its bodies stream to the gateway) and covers the rest", () => {
    for (const p of ["/api/v1/alerts", "/api/v1/tenants/acme/alerts", "/api/v1/openapi.json", "/api/v1/alerts/0b7e4c4e-1111-4222-8333-944445555666"]) {
      assert.equal(matches(p), false, p);
    }
    for (const p of ["/", "/alerts", "/api/auth/signin", "/api/v1", "/api/v10/x", "/api/tls/ask", "/console/x", "/brand-asset/logo"]) assert.equal(matches(p), true, p);
    // An API path with a % (a broken encoding Next's router would answer with a bare 500): the proxy's 400 problem.
    for (const p of ["/api/v1/%zz", "/api/v1/alerts/%E0%A4%A", "/api/v1/tenants/%2e%2e/alerts"]) assert.equal(matches(p), true, p);
  });
});

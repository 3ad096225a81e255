// Next's limit on request bodies it copies for the proxy (next.config.ts,
// experimental.proxyClientMaxBodySize) against the API's largest body
// (MAX_BODY_BYTES, lib/api/gateway/input.ts). proxy.ts runs on /api/v1, so
// every API body passes through Next's copy (getCloneableBody) before the
// gateway reads it; past the limit Next ends the copy early with only a
// console warning. Checked here with Next's own copying code:
//   - a body of the API's largest size reaches the route whole;
//   - a larger one, with a Content-Length or chunked, in any chunking Node
//     produces (socket reads of at most 64 KiB), reaches it still larger than
//     MAX_BODY_BYTES, so the gateway answers 413, not the 400 of a body cut
//     short. (The limit MAX_BODY_BYTES + 1 fails this: Next drops the whole
//     chunk that crosses its limit, not just the bytes past it.)
//   - console uploads (UPLOAD_LIMIT_BYTES) fit under it whole.
// Over HTTP against the production build: e2e/api-large-bodies.spec.ts.
import "./helpers/actions";
import assert from "node:assert/strict";
import { Readable } from "node:stream";
import { describe, test } from "node:test";
import { getCloneableBody } from "next/dist/server/body-streams.js";
import nextConfig from "../next.config";
import { MAX_BODY_BYTES } from "@/lib/api/gateway/input";
import { UPLOAD_LIMIT_BYTES } from "@/lib/lifecycle/web/envelope";

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
  test("is set, as a number of bytes, past the API's largest body", () => {
    assert.equal(typeof limit, "number", "set in next.config.ts (Next's default is 10 MiB)");
    // next.config.ts's API_MAX_BODY_BYTES (a literal there) is MAX_BODY_BYTES, plus one MiB of chunk margin.
    assert.equal(limit, MAX_BODY_BYTES + MiB);
    assert.ok(UPLOAD_LIMIT_BYTES < (limit as number), "console uploads reach their route whole");
  });

  const pieces = [7919, 16 * 1024, 64 * 1024];
  for (const piece of pieces) {
    test(`in ${piece}-byte chunks: a ${MAX_BODY_BYTES}-byte body reaches the gateway whole, larger ones still too large`, async () => {
      const n = limit as number;
      assert.equal(await reachesRoute(MAX_BODY_BYTES, piece, n), MAX_BODY_BYTES);
      for (const total of [MAX_BODY_BYTES + 1, 17 * MiB, 64 * MiB]) {
        const got = await reachesRoute(total, piece, n);
        assert.ok(got > MAX_BODY_BYTES, `${total} bytes arrive as ${got}: the gateway would see a body cut short (400), not one too large (413)`);
      }
    });
  }

  test("(why the margin) at MAX_BODY_BYTES + 1, Next hands an oversized body on cut to at most MAX_BODY_BYTES", async () => {
    assert.ok((await reachesRoute(17 * MiB, 64 * 1024, MAX_BODY_BYTES + 1)) <= MAX_BODY_BYTES);
  });
});

// Large API bodies through the real server (`next build` + `next start`),
// on a tenant's own host. POST /alerts takes up to 16 MiB (docs/api.md), so:
//   - a valid 12 MiB batch, with a Content-Length or chunked, is stored whole;
//   - a 17 MiB batch with a Content-Length is refused 413 problem JSON;
//   - a 17 MiB chunked batch (no Content-Length) is refused 413 too, not 400.
// And the gateway runs before a body has arrived: proxy.ts's matcher leaves
// /api/v1/ out, so Next streams the body to the route instead of copying it
// whole for the proxy first (it did: a refusal that needs no body, a 401,
// waited for every byte, and each request in flight held up to 17 MiB).
// The gateway's own tests call it directly and never pass through Next.
import http from "node:http";
import { expect, test } from "@playwright/test";
import { PORT, signIn, tenantUrl } from "./helpers";
import { raw } from "./lib/raw-http";

const ACME = tenantUrl("acme");
const MiB = 1024 * 1024;
const API_MAX_BODY = 16 * MiB; // MAX_BODY_BYTES, lib/api/gateway/input.ts

interface Sent {
  status: number;
  contentType: string | undefined;
  body: string;
}

/**
 * POST `body` to `path` on Acme's host, over a fresh connection: with a Content-Length, or chunked
 * (no Content-Length, Transfer-Encoding: chunked) in pieces of `piece` bytes.
 */
function post(path: string, key: string, body: Buffer, mode: "content-length" | "chunked", piece = 256 * 1024): Promise<Sent> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: "127.0.0.1",
        port: PORT,
        method: "POST",
        path,
        setHost: false,
        agent: false,
        headers: {
          host: `acme.localhost:${PORT}`,
          authorization: `Bearer ${key}`,
          "content-type": "application/json",
          ...(mode === "content-length" ? { "content-length": String(body.length) } : { "transfer-encoding": "chunked" }),
        },
        timeout: 120_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, contentType: res.headers["content-type"], body: Buffer.concat(chunks).toString("utf8") }));
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(new Error(`timeout: POST ${path}`)));
    // The server may answer (413) and close before the whole body is written: keep the answer.
    req.on("error", (error) => reject(error));
    void (async () => {
      for (let at = 0; at < body.length; at += piece) {
        if (!req.write(body.subarray(at, at + piece))) await new Promise((r) => req.once("drain", r));
      }
      req.end();
    })().catch(reject);
  });
}

/** A valid POST /alerts batch of `count` alerts, each with a raw payload padded so the JSON is about `bytes` long. */
function batch(marker: string, count: number, bytes: number, source = "edr-large-e2e"): Buffer {
  const alert = (n: number, pad: string) => ({
    external_id: `${marker}-${n}`,
    source,
    title: `Large batch ${marker} #${n}`,
    severity: "low",
    raw: { vendor: "ExampleEDR", n, pad },
  });
  const bare = Buffer.byteLength(JSON.stringify({ alerts: Array.from({ length: count }, (_, n) => alert(n, "")) }));
  const per = Math.floor((bytes - bare) / count);
  expect(per).toBeGreaterThan(0);
  expect(per).toBeLessThan(60 * 1024); // under the 64 KiB cap on one raw payload
  const body = Buffer.from(JSON.stringify({ alerts: Array.from({ length: count }, (_, n) => alert(n, "x".repeat(per))) }));
  return body;
}

test("POST /alerts through the real server: a 12 MiB batch is stored whole, a 17 MiB one is refused 413 with or without a Content-Length", async ({ page }) => {
  test.setTimeout(240_000);
  await signIn(page, ACME, "acme.admin@demo.test");
  await page.goto(`${ACME}/api-keys`);
  const form = page.getByTestId("api-key-create");
  await form.getByLabel("Name").fill(`Bulk forwarder ${Date.now()}`);
  await form.getByLabel("Expires after").selectOption("7");
  await form.getByRole("checkbox", { name: /alerts:write/ }).check();
  await form.getByRole("checkbox", { name: /alerts:read/ }).check();
  await form.getByRole("button", { name: "Create key" }).click();
  const key = (await page.getByTestId("api-key-secret").textContent())!.trim();
  expect(key).toMatch(/^msp_live_/);

  const marker = `big${Date.now().toString(36)}`;

  // 12 MiB, with a Content-Length: stored whole (200 with a result per item, docs/api.md).
  const twelve = batch(`${marker}-cl`, 1000, 12 * MiB);
  expect(twelve.length).toBeGreaterThan(11.9 * MiB);
  expect(twelve.length).toBeLessThanOrEqual(12 * MiB);
  const stored = await post("/api/v1/alerts", key, twelve, "content-length");
  expect(stored.status, stored.body.slice(0, 400)).toBe(200);
  expect((JSON.parse(stored.body) as { summary: { created: number } }).summary.created).toBe(1000);

  // 12 MiB chunked (no Content-Length): stored whole too.
  const chunked = batch(`${marker}-te`, 1000, 12 * MiB);
  const storedChunked = await post("/api/v1/alerts", key, chunked, "chunked");
  expect(storedChunked.status, storedChunked.body.slice(0, 400)).toBe(200);
  expect((JSON.parse(storedChunked.body) as { summary: { created: number } }).summary.created).toBe(1000);

  // 17 MiB (valid JSON, more than the API takes), with a Content-Length: 413 problem JSON.
  const seventeen = batch(`${marker}-big`, 1000, 17 * MiB, `edr-refused-${marker}`);
  expect(seventeen.length).toBeGreaterThan(API_MAX_BODY + MiB / 2);
  const tooLarge = await post("/api/v1/alerts", key, seventeen, "content-length");
  expect(tooLarge.status, tooLarge.body.slice(0, 400)).toBe(413);
  expect(tooLarge.contentType).toBe("application/problem+json");
  expect(JSON.parse(tooLarge.body)).toMatchObject({ status: 413, limit: API_MAX_BODY });

  // The same 17 MiB chunked, in pieces of several sizes: 413, not the 400 of a body cut short.
  for (const piece of [64 * 1024, 1000 * 1000, 7919]) {
    const chunkedTooLarge = await post("/api/v1/alerts", key, seventeen, "chunked", piece);
    expect(chunkedTooLarge.status, `pieces of ${piece} bytes: ${chunkedTooLarge.body.slice(0, 400)}`).toBe(413);
    expect(chunkedTooLarge.contentType).toBe("application/problem+json");
    expect(JSON.parse(chunkedTooLarge.body)).toMatchObject({ status: 413, limit: API_MAX_BODY });
  }

  // None of the refused batch was stored; both accepted ones were, whole.
  const count = async (source: string) => {
    const res = await raw({ host: `acme.localhost:${PORT}`, path: `/api/v1/alerts?source=${source}&limit=10`, headers: { authorization: `Bearer ${key}` } });
    expect(res.status, res.body.slice(0, 400)).toBe(200);
    return (JSON.parse(res.body) as { data: unknown[] }).data.length;
  };
  expect(await count(`edr-refused-${marker}`)).toBe(0);
  expect(await count("edr-large-e2e")).toBe(10);
});

test("an answer that needs no body comes before the body has arrived: Next does not hold API bodies for the proxy", async () => {
  test.setTimeout(60_000);
  // 8 MiB announced, 64 KiB sent, then nothing: a wrong key is answered 401 while the rest is still owed.
  const answer = await new Promise<{ status: number; contentType: string | undefined; requestId: string | undefined; csp: string | undefined }>((resolve, reject) => {
    const req = http.request({
      host: "127.0.0.1",
      port: PORT,
      method: "POST",
      path: "/api/v1/alerts",
      setHost: false,
      agent: false,
      headers: {
        host: `acme.localhost:${PORT}`,
        authorization: "Bearer msp_live_not-a-real-key",
        "content-type": "application/json",
        "content-length": String(8 * MiB),
        // Never taken from the client: the gateway gives each request its own.
        "x-request-id": "client-chosen-id",
        // Never taken from the client: only a routed custom domain names a tenant.
        "x-portal-custom-domain-tenant": "globex",
      },
    });
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error("no answer within 15 s while the body was incomplete: the body is being held before the gateway runs"));
    }, 15_000);
    req.on("response", (res) => {
      clearTimeout(timer);
      resolve({ status: res.statusCode ?? 0, contentType: res.headers["content-type"], requestId: res.headers["x-request-id"] as string | undefined, csp: res.headers["content-security-policy"] as string | undefined });
      res.resume();
      req.destroy();
    });
    req.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    req.write(Buffer.alloc(64 * 1024, 0x20));
  });
  expect(answer.status).toBe(401);
  expect(answer.contentType).toBe("application/problem+json");
  expect(answer.requestId).toMatch(/^[0-9a-f-]{36}$/);
  expect(answer.csp).toContain("default-src 'none'");
});

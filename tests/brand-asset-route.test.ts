// GET /brand-asset/<file> (app/brand-asset/[file]/route.ts, lib/branding/serve.ts) as Next runs it: the
// route handler in a real Next request scope (host, session cookie), on a real Postgres, and the proxy
// in front of it (proxy.ts):
//   - the proxy sets no page CSP on a brand asset's GET, so the route's own (default-src 'none';
//     sandbox) is the one the browser gets (Next keeps a route's header only where the proxy set none;
//     over HTTP against the built portal: e2e/security-headers.spec.ts);
//   - caching: public for a year only where the answer depends on the URL alone (a tenant host's
//     published asset, a colour mark); private on the console, whose answer depends on who is
//     signed in (Vary: Cookie), and for an asset served only for a draft's preview;
//   - the draft preview serves only the draft's image fields: an ancestor's asset hash typed into
//     the sign-in text does not make the public path serve it.
import "./helpers/actions";
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { NextRequest } from "next/server";
import { inRequest, type RequestAs } from "./helpers/actions";
import { useFixtureEnv } from "./helpers/fixture-env";
import { clearAllLocal } from "@/lib/cache";
import { discardDraft, publishDraft, saveDraft, uploadAsset } from "@/lib/branding/draft";
import { brandAssetFor } from "@/lib/branding/serve";
import { routeRequest as proxy } from "../proxy";

const env = useFixtureEnv();
const SVG = (fill: string) => Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 10"><rect width="40" height="10" fill="${fill}"/></svg>`);
const CONSOLE = "localhost:3000";
const ACME = "acme.localhost:3000";

let msspLogo: string; // mssp-a's published logo
let msspUnused: string; // in mssp-a's draft only: no host's brand uses it
let acmeLogo: string; // acme's published logo
let acmeDraftFavicon: string; // in acme's draft only

env.before(async () => {
  msspLogo = (await env.as("msspAdmin", (tx) => uploadAsset(tx, env.fx.tenants["mssp-a"], "logoLight", SVG("#4338ca")))).sha256;
  await env.as("msspAdmin", (tx) => publishDraft(tx, env.fx.tenants["mssp-a"]));
  msspUnused = (await env.as("msspAdmin", (tx) => uploadAsset(tx, env.fx.tenants["mssp-a"], "logoDark", SVG("#312e81")))).sha256;
  acmeLogo = (await env.as("acmeAdmin", (tx) => uploadAsset(tx, env.fx.tenants.acme, "logoLight", SVG("#b91c1c")))).sha256;
  await env.as("acmeAdmin", (tx) => publishDraft(tx, env.fx.tenants.acme));
  acmeDraftFavicon = (await env.as("acmeAdmin", (tx) => uploadAsset(tx, env.fx.tenants.acme, "favicon", SVG("#7f1d1d")))).sha256;
  clearAllLocal();
});

/** The route's answer to GET /brand-asset/<file> on `as.host`. */
async function get(as: RequestAs, file: string): Promise<Response> {
  const { GET } = await import("@/app/brand-asset/[file]/route");
  return inRequest(as, () => GET(new Request(`http://${as.host}/brand-asset/${file}`), { params: Promise.resolve({ file }) }));
}

function assertAssetPolicy(res: Response, what: string) {
  const directives = (res.headers.get("content-security-policy") ?? "").split(";").map((d) => d.trim());
  for (const d of ["default-src 'none'", "sandbox", "frame-ancestors 'none'"]) assert.ok(directives.includes(d), `${what}: ${d} in ${directives.join("; ")}`);
  assert.equal(res.headers.get("x-content-type-options"), "nosniff", what);
}

describe("the proxy leaves a brand asset's policy to its route", () => {
  test("GET and HEAD of /brand-asset/<file>: no page CSP, the other security headers set", () => {
    for (const method of ["GET", "HEAD"]) {
      for (const url of [`http://${ACME}/brand-asset/${"a".repeat(64)}`, `http://${CONSOLE}/brand-asset/mark-4f46e5.svg`]) {
        const res = proxy(new NextRequest(url, { method, headers: { host: new URL(url).host } }));
        assert.equal(res.headers.get("x-middleware-next"), "1", url);
        assert.equal(res.headers.get("content-security-policy"), null, `${method} ${url}`);
        assert.equal(res.headers.get("x-frame-options"), "DENY", url);
        assert.equal(res.headers.get("x-content-type-options"), "nosniff", url);
      }
    }
  });
  test("everything else keeps the page CSP: other paths, other methods, the proxy's own answers", () => {
    const cases: [string, string][] = [
      ["GET", `http://${ACME}/brand-asset`],
      ["GET", `http://${ACME}/brand-asset/a/b`],
      ["GET", `http://${ACME}/brand-assets/x`],
      ["POST", `http://${ACME}/brand-asset/${"a".repeat(64)}`],
      ["OPTIONS", `http://${ACME}/brand-asset/${"a".repeat(64)}`],
      ["GET", `http://${ACME}/signin`],
      ["GET", "http://evil.example.com/brand-asset/x"],
    ];
    for (const [method, url] of cases) {
      const res = proxy(new NextRequest(url, { method, headers: { host: new URL(url).host } }));
      assert.ok(res.headers.get("content-security-policy")?.includes("'nonce-"), `${method} ${url}`);
    }
  });
});

describe("what the route answers, and how it may be cached", () => {
  test("a tenant host's published logo: public for a year, the asset's own CSP", async () => {
    const res = await get({ host: ACME }, acmeLogo);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "image/svg+xml");
    assert.equal(res.headers.get("cache-control"), "public, max-age=31536000, immutable");
    assert.equal(res.headers.get("vary"), null);
    assertAssetPolicy(res, "published");
    const mark = await get({ host: ACME }, "mark-9f1239.svg");
    assert.equal(mark.headers.get("cache-control"), "public, max-age=31536000, immutable", "a colour mark");
    assertAssetPolicy(mark, "mark");
  });

  test("an asset served only for the draft's preview is cached privately, and is gone with the draft", async () => {
    const res = await get({ host: ACME }, acmeDraftFavicon);
    assert.equal(res.status, 200, "served for the preview");
    assert.equal(res.headers.get("cache-control"), "private, max-age=300");
    assertAssetPolicy(res, "draft");
    await env.as("acmeAdmin", (tx) => discardDraft(tx, env.fx.tenants.acme));
    const gone = await get({ host: ACME }, acmeDraftFavicon);
    assert.equal(gone.status, 404);
    assert.equal(gone.headers.get("cache-control"), "no-store");
    assertAssetPolicy(gone, "404");
  });

  test("the console: the answer depends on the session, so private with Vary: Cookie, the 404 too", async () => {
    const signedIn = await get({ host: CONSOLE, person: env.person("msspAdmin") }, msspLogo);
    assert.equal(signedIn.status, 200, "the MSSP's logo on its staff's console");
    assert.equal(signedIn.headers.get("cache-control"), "private, max-age=300");
    assert.equal(signedIn.headers.get("vary"), "cookie");
    assertAssetPolicy(signedIn, "console");
    // Signed out (the portal runs several MSSPs): nothing, and not cacheable either.
    const signedOut = await get({ host: CONSOLE }, msspLogo);
    assert.equal(signedOut.status, 404);
    assert.equal(signedOut.headers.get("cache-control"), "no-store");
    assert.equal(signedOut.headers.get("vary"), "cookie");
    // Another MSSP's staff: not theirs.
    assert.equal((await get({ host: CONSOLE, person: env.person("msspBAdmin") }, msspLogo)).status, 404);
  });

  test("an ancestor's unused asset hash in the draft's sign-in text is not served", async () => {
    // Control: the MSSP's draft-only asset is not acme's.
    assert.equal((await get({ host: ACME }, msspUnused)).status, 404);
    await env.as("acmeAdmin", (tx) => saveDraft(tx, env.fx.tenants.acme, { signinText: msspUnused, signinHeading: msspUnused }));
    assert.equal((await get({ host: ACME }, msspUnused)).status, 404, "a text field names no asset");
    assert.equal(await brandAssetFor({ area: "tenant", slug: "acme-eu" }, msspUnused), null, "nor on a site below");
    // The draft's image fields still preview.
    const favicon = (await env.as("acmeAdmin", (tx) => uploadAsset(tx, env.fx.tenants.acme, "favicon", SVG("#450a0a")))).sha256;
    const dark = (await env.as("acmeAdmin", (tx) => uploadAsset(tx, env.fx.tenants.acme, "logoDark", SVG("#1c1917")))).sha256;
    for (const sha of [favicon, dark]) assert.equal((await get({ host: ACME }, sha)).status, 200, sha);
    await env.as("acmeAdmin", (tx) => discardDraft(tx, env.fx.tenants.acme));
  });
});

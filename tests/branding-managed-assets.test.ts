// A tenant's brand page shown on a host that is not the tenant's own (a customer's brand on the
// console, a site's on its customer's host) shows its logos: the page's asset URLs name the tenant
// (/brand-asset/<hash>?tenant=<slug>) and lib/branding/serve.ts brandAssetForManager serves them to
// whoever the PDP allows branding:manage there, under RLS. Nobody else gets them that way: not another
// customer's admin, not a viewer, not for a hash of a tenant outside the named one's line.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, test } from "node:test";
import { brandAssetFor, brandAssetForManager } from "@/lib/branding/serve";
import { loadBrandPageFor, publishDraft, uploadAsset } from "@/lib/branding/draft";
import { useFixtureEnv } from "./helpers/fixture-env";

const env = useFixtureEnv();
const SVG = (fill: string) => Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 10"><rect width="40" height="10" fill="${fill}"/></svg>`);

describe("brand assets on another host's brand page", () => {
  test("the console's page for a customer names the customer in its logo URLs, and those are served to its managers only", async () => {
    const acmeLogo = await env.as("acmeAdmin", (tx) => uploadAsset(tx, env.fx.tenants.acme, "logoLight", SVG("#b91c1c")));
    await env.as("acmeAdmin", (tx) => publishDraft(tx, env.fx.tenants.acme));
    const globexLogo = await env.as("globexAdmin", (tx) => uploadAsset(tx, env.fx.tenants.globex, "logoLight", SVG("#1d4ed8")));

    // The public path on the console host has only the console's own brand (the MSSP admin's MSSP's): the reason for the scoped URL.
    assert.equal(await brandAssetFor({ area: "console" }, acmeLogo.sha256, env.fx.users.msspAdmin), null);

    const page = await env.as("msspAdmin", (tx) => loadBrandPageFor(tx, "acme", null, { onAnotherHost: true }));
    assert.equal(page?.published.logoLight?.url, `/brand-asset/${acmeLogo.sha256}?tenant=acme`);
    const served = await env.as("msspAdmin", (tx) => brandAssetForManager(tx, "acme", acmeLogo.sha256));
    assert.equal(served?.contentType, "image/svg+xml");
    assert.equal(createHash("sha256").update(served!.bytes).digest("hex"), acmeLogo.sha256, "the bytes stored for that hash");
    // On the tenant's own host the public path serves it, and the page keeps it.
    assert.equal((await env.as("acmeAdmin", (tx) => loadBrandPageFor(tx, "acme")))?.published.logoLight?.url, `/brand-asset/${acmeLogo.sha256}`);
    // A site's page shows the logo it inherits from its customer.
    assert.ok(await env.as("acmeAdmin", (tx) => brandAssetForManager(tx, "acme-eu", acmeLogo.sha256)), "a site's inherited logo");

    // Not another customer's admin, not a viewer without branding:manage, not a hash outside the tenant's line.
    assert.equal(await env.as("globexAdmin", (tx) => brandAssetForManager(tx, "acme", acmeLogo.sha256)), null);
    assert.equal(await env.as("acmeAnalyst", (tx) => brandAssetForManager(tx, "acme", acmeLogo.sha256)), null);
    assert.equal(await env.as("msspAdmin", (tx) => brandAssetForManager(tx, "acme", globexLogo.sha256)), null, "globex's draft logo is not acme's");
    assert.equal(await env.as("msspAdmin", (tx) => brandAssetForManager(tx, "acme", "not-a-hash")), null);
    assert.equal(await env.as("msspAdmin", (tx) => brandAssetForManager(tx, "no-such-tenant", acmeLogo.sha256)), null);
  });
});

// Branding at MSSP scale for `npm run bench` (--only=brand), on the bench's
// tenant tree: what the root layout pays per request for the host's brand.
//
//   warm   brandForTarget(host) from the per-process cache "brand-by-host"
//          (lib/cache) plus the palette's CSS (app/layout.tsx does both per
//          request); target < 0.2 ms
//   cold   a cache miss: the tenant's chain, effective settings and asset
//          types in one service-role transaction (lib/branding/resolve.ts)
//   page   the layout's head and a branded body rendered with react-dom/server,
//          with the bench site's full brand (colours, logo, hidden MSSP brand)
//          and without one (the MSSP's defaults), brand lookup included
// The site is given a brand first (as the owner): its customer sets name,
// colours and a logo, the MSSP hides its brand on the customer.
import { createElement } from "react";
import { renderToString } from "react-dom/server";
import pg from "pg";
import { clearAllLocal } from "@/lib/cache";
import { paletteCss } from "@/lib/branding/color";
import { brandCache, brandForTarget, loadBrand } from "@/lib/branding/resolve";
import { BrandPreview } from "@/components/branding/brand-preview";
import { fmtMs as fmt } from "./measure";

const fmtMs = (ms: number) => `${fmt(ms)} ms`;

export interface BrandBenchInput {
  url: string;
  customer: { id: string; slug: string };
  site: { slug: string };
  /** An unbranded customer's slug. */
  plain: { slug: string };
  log: (line: string) => void;
}

const now = () => performance.now();
function stats(xs: number[]) {
  const s = [...xs].sort((a, b) => a - b);
  return { mean: xs.reduce((a, b) => a + b, 0) / xs.length, p50: s[Math.floor(s.length / 2)], p95: s[Math.floor(s.length * 0.95)] };
}

export async function runBrandBench(input: BrandBenchInput): Promise<string[]> {
  const owner = new pg.Client({ connectionString: input.url });
  await owner.connect();
  try {
    const svg = Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 10"><rect width="40" height="10" fill="#b91c1c"/></svg>`);
    await owner.query(
      `insert into public.brand_assets (tenant_id, sha256, content_type, bytes, width, height)
       values ($1, encode(extensions.digest($2::bytea, 'sha256'), 'hex'), 'image/svg+xml', $2, 40, 10) on conflict do nothing`,
      [input.customer.id, svg],
    );
    const values: Record<string, unknown> = {
      "branding.product_name": "Bench SOC",
      "branding.primary_color": "#b91c1c",
      "branding.accent_color": "#0e7490",
      "branding.signin_heading": "Welcome to Bench SOC",
      "branding.support_email": "soc@bench.test",
      "branding.hide_mssp_brand": true,
    };
    const { rows: [{ sha }] } = await owner.query("select encode(extensions.digest($1::bytea, 'sha256'), 'hex') as sha", [svg]);
    values["branding.logo_light"] = sha;
    for (const [key, value] of Object.entries(values)) {
      await owner.query(
        `insert into public.tenant_settings (tenant_id, key, value, changed_at) values ($1, $2, $3::jsonb, now())
         on conflict (tenant_id, key) do update set value = excluded.value`,
        [input.customer.id, key, JSON.stringify(value)],
      );
    }
  } finally {
    await owner.end();
  }
  clearAllLocal();
  const branded = { area: "tenant" as const, slug: input.site.slug };
  const plain = { area: "tenant" as const, slug: input.plain.slug };
  const lines: string[] = [];

  // cold: a miss each time (the cache is cleared before every call)
  const cold: number[] = [];
  for (let i = 0; i < 200; i++) {
    const t = now();
    await loadBrand(branded);
    cold.push(now() - t);
  }
  const c = stats(cold);
  lines.push(`cold (cache miss, a site below a white-labelled customer, 200 runs): p50 ${fmtMs(c.p50)}, p95 ${fmtMs(c.p95)}`);

  // warm: what the layout does per request once the host is cached
  await brandForTarget(branded);
  if (!brandCache.get(`t:${input.site.slug}`)) throw new Error("brand not cached");
  const N = 20_000;
  const t = now();
  for (let i = 0; i < N; i++) paletteCss((await brandForTarget(branded))!.palette);
  const warmMs = (now() - t) / N;
  lines.push(`warm (cache hit + palette CSS, ${N.toLocaleString("en-US")} requests): ${(warmMs * 1000).toFixed(1)} µs per request (target < 200 µs) ${warmMs < 0.2 ? "OK" : "OVER"}`);

  // page: the layout's head and a branded body, with and without a brand
  const page = async (target: typeof branded) => {
    const brand = (await brandForTarget(target))!;
    return renderToString(
      createElement("html", null,
        createElement("head", null, createElement("title", null, brand.productName), createElement("style", { dangerouslySetInnerHTML: { __html: paletteCss(brand.palette) } })),
        createElement("body", null, createElement(BrandPreview, { brand, label: "Brand" }), ...Array.from({ length: 200 }, (_, i) => createElement("p", { key: i, className: "text-indigo-700" }, `Row ${i}`)))),
    );
  };
  await page(plain);
  const timed = async (target: typeof branded) => {
    const xs: number[] = [];
    for (let i = 0; i < 2000; i++) {
      const s = now();
      await page(target);
      xs.push(now() - s);
    }
    return stats(xs);
  };
  const withBrand = await timed(branded);
  const without = await timed(plain);
  lines.push(`page shell render (react-dom/server, 200 rows, 2,000 runs): with a brand p50 ${fmtMs(withBrand.p50)} p95 ${fmtMs(withBrand.p95)}; without (MSSP default) p50 ${fmtMs(without.p50)} p95 ${fmtMs(without.p95)}`);
  for (const l of lines) input.log(`  ${l}`);
  return lines;
}

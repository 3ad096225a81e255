// The collector status card's loader (lib/collector/status.ts) and the card
// (components/collector/collector-status-card.tsx): real Postgres (RLS), real
// PDP (credentials:view), rendered to HTML with react-dom/server.
import { inRequest } from "./helpers/actions";
import assert from "node:assert/strict";
import { test } from "node:test";
import { renderToStaticMarkup } from "react-dom/server";
import { createElement } from "react";
import { CollectorStatusCard } from "@/components/collector/collector-status-card";
import { loadCollectorStatus, STALE_AFTER_MS } from "@/lib/collector/status";
import { PULLERS } from "@/lib/collector/vendors";
import { CONNECTOR_KINDS, CONNECTORS } from "@/lib/credentials/connectors";
import { useFixtureEnv } from "./helpers/fixture-env";
import { withClient } from "./helpers/test-database";

const env = useFixtureEnv();

env.before(async () => {
  await withClient(env.db.url, async (c) => {
    const acme = env.fx.tenants.acme;
    await c.query(
      `insert into public.collectors (tenant_id, id, name, version, hostname, last_heartbeat_at, last_pull_at, last_error, last_error_at)
       values ($1, md5('fresh')::uuid, 'collector-acme', '0.1.0', 'pod-1', now() - interval '30 seconds', now() - interval '31 seconds', null, null),
              ($1, md5('old')::uuid, 'old-box', '0.0.9', null, now() - interval '2 hours', now() - interval '2 hours', 'api.vendor.example answered 503', now() - interval '2 hours')`,
      [acme],
    );
    await c.query(
      `insert into public.credentials (tenant_id, id, connector, name, sealed, key_version, secret_hint)
       select $1, md5(x)::uuid, 'generic_api_key', x, decode(repeat('cd', 40), 'hex'), 1, 'wxyz' from unnest(array['feed-a', 'feed-b']) x`,
      [acme],
    );
    await c.query(
      `insert into public.collector_checkpoints (tenant_id, collector_id, credential_id, cursor, alerts_sent)
       values ($1, md5('fresh')::uuid, md5('feed-a')::uuid, 'c7', 7), ($1, md5('fresh')::uuid, md5('feed-b')::uuid, 'c5', 1205)`,
      [acme],
    );
  });
});

test("an admin of the tenant sees each collector: alerts sent summed over its checkpoints, stale past the threshold, the last error", async () => {
  const data = await env.as("acmeAdmin", (tx) => loadCollectorStatus(tx, env.fx.tenants.acme));
  assert.ok(data.allowed);
  assert.deepEqual(
    data.collectors.map((c) => [c.name, c.alertsSent, c.connectors, c.stale, c.lastError]),
    [
      ["collector-acme", 1212, 2, false, null],
      ["old-box", 0, 0, true, "api.vendor.example answered 503"],
    ],
  );
  const html = renderToStaticMarkup(createElement(CollectorStatusCard, { data, slug: "acme" }));
  assert.match(html, /collector-acme/);
  assert.match(html, /1,212 from 2 connectors/);
  assert.equal((html.match(/data-testid="collector-stale"/g) ?? []).length, 1);
  assert.match(html, /api\.vendor\.example answered 503/);
  assert.ok(STALE_AFTER_MS >= 3 * 60_000, "three missed default cycles before 'stale'");
});

test("the MSSP above sees them too; another customer's admin does not (PDP and RLS), and the card renders nothing for it", async () => {
  const mssp = await env.as("msspAdmin", (tx) => loadCollectorStatus(tx, env.fx.tenants.acme));
  assert.ok(mssp.allowed && mssp.collectors.length === 2);
  const rival = await env.as("globexAdmin", (tx) => loadCollectorStatus(tx, env.fx.tenants.acme));
  assert.deepEqual(rival, { allowed: false });
  assert.equal(renderToStaticMarkup(createElement(CollectorStatusCard, { data: rival, slug: "acme" })), "");
});

test("a tenant without collectors gets the empty state with the command to run", async () => {
  const data = await env.as("globexAdmin", (tx) => loadCollectorStatus(tx, env.fx.tenants.globex));
  assert.deepEqual(data, { allowed: true, collectors: [] });
  const html = renderToStaticMarkup(createElement(CollectorStatusCard, { data, slug: "globex" }));
  assert.match(html, /npm run collector -- --tenant globex/);
  assert.match(html, /alerts:write/);
  assert.match(html, /collectors:write/);
  // It says which credentials the collector pulls with, and which it does not.
  assert.match(html, /pulls alerts with this tenant(&#x27;|')s SentinelOne or Generic API key credentials/);
  assert.match(html, /CrowdStrike Falcon, Microsoft Defender and Splunk HTTP Event Collector credentials are kept and tested here, not pulled from/);
});

test("each connector says whether the collector pulls alerts with it, as the collector's pullers do", () => {
  for (const kind of CONNECTOR_KINDS) assert.equal(CONNECTORS[kind].pulledByCollector, kind in PULLERS, kind);
});

test("the credentials page's collector card follows the tenant picked above, within the host's tenants", async () => {
  const { default: Page } = await import("@/app/t/[tenant]/credentials/page");
  const cardSlug = async (wanted?: string) => {
    const el = (await inRequest({ person: env.person("acmeAdmin"), host: "acme.localhost:3000" }, () =>
      Page({ params: Promise.resolve({ tenant: "acme" }), searchParams: Promise.resolve(wanted ? { tenant: wanted } : {}) }),
    )) as { props: { children: { type: unknown; props: { slug?: string } }[] } };
    const card = el.props.children.find((c) => c.type === CollectorStatusCard);
    return card?.props.slug;
  };
  assert.equal(await cardSlug(), "acme");
  assert.equal(await cardSlug("acme-eu"), "acme-eu", "a site picked above: its collectors and its command");
  assert.equal(await cardSlug("globex"), "acme", "a tenant outside the host's stays out: the host's own card");
});

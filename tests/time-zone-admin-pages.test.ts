// locale.time_zone on the admin pages: custom domains, API keys, reports, the
// console's Keys page and the workflows' deliveries show their times in the
// zone of the tenant whose host they are on (inherited), the MSSP's on the
// console (an operator reads Acme's pages in the MSSP's clock, not Acme's).
// Real Postgres, RLS and PDP: each loader as a fixture user, then its markup.
// The moments are chosen so that every zone gives a different text: 11:30 UTC
// is 12:30 in Paris and 06:30 in New York (December), so a page that ignored
// the zone (or took the wrong tenant's) fails.
// First: installs Next's request storage before any next/* module loads (the forms import server actions).
import "./helpers/actions";
import assert from "node:assert/strict";
import { randomBytes, randomUUID } from "node:crypto";
import { describe, test } from "node:test";
import { createElement, type ReactElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { AppRouterContext } from "next/dist/shared/lib/app-router-context.shared-runtime";
import { ApiKeysPanel } from "@/components/api-keys/api-keys-panel";
import { DomainsPanel } from "@/components/domains/domains-panel";
import { KeysView } from "@/components/keys/keys-view";
import { ReportsView } from "@/components/reports/reports-view";
import { TeamPanel } from "@/components/team/team-panel";
import { WorkflowsPage } from "@/components/workflows/workflows-page";
import { loadApiKeysPage } from "@/lib/api/keys/page-data";
import { loadDomainsPage } from "@/lib/domains/page-data";
import { formatTime, formatTimeWithZone } from "@/lib/locale/time";
import { loadReportsPage } from "@/lib/reports/page-data";
import { loadWorkflowsPage } from "@/lib/rules/page-data";
import { loadTeamPage } from "@/lib/team/page-data";
import { loadKeysPage } from "@/lib/vault/rotation-page";
import { useFixtureEnv } from "./helpers/fixture-env";
import type { TenantSlug } from "./helpers/fixtures";

const env = useFixtureEnv();
const AT = "2026-12-01T11:30:00Z";

async function setZone(tenant: TenantSlug, zone: string | null) {
  await env.owner("delete from public.tenant_settings where tenant_id = $1 and key = 'locale.time_zone'", [env.fx.tenants[tenant]]);
  if (zone) await env.owner("insert into public.tenant_settings (tenant_id, key, value) values ($1, 'locale.time_zone', $2::jsonb)", [env.fx.tenants[tenant], JSON.stringify(zone)]);
}
/** Acme in Paris, its MSSP (the console's zone) in New York; undone after `fn`. */
async function withZones(fn: () => Promise<void>) {
  await setZone("acme", "Europe/Paris");
  await setZone("mssp-a", "America/New_York");
  try {
    await fn();
  } finally {
    await setZone("acme", null);
    await setZone("mssp-a", null);
  }
}
/** Client components calling useRouter need an app router above them (a static render has none). */
const routed = (el: ReactElement) =>
  createElement(AppRouterContext.Provider, { value: { back() {}, forward() {}, refresh() {}, push() {}, replace() {}, prefetch() {}, hmrRefresh() {} } as never }, el);
/** The markup's text, tags dropped (text nodes may be split around them). */
const text = (markup: string) => markup.replace(/<[^>]+>/g, "").replace(/&#x27;/g, "'");

describe("locale.time_zone on the admin pages", () => {
  test("custom domains: the last check and the grace deadline in the host's zone, the MSSP's on the console", async () => {
    const [row] = await env.owner<{ id: string }>(
      `insert into public.custom_domains (tenant_id, domain, skeleton, token, status, last_checked_at, last_check, missing_since)
       values ($1, 'soc.zone-check.test', 'soc.zone-check.test', 'zone-check-token-0123456789abcdef', 'grace', $2, 'missing', $2) returning id`,
      [env.fx.tenants.acme, AT],
    );
    try {
      await withZones(async () => {
        const onAcme = await env.as("acmeAdmin", (tx) => loadDomainsPage(tx, "acme", env.fx.tenants.acme), "acme");
        assert.ok(onAcme?.canManage);
        assert.equal(onAcme.timeZone, "Europe/Paris");
        const d = onAcme.domains.find((x) => x.id === row.id)!;
        // The panel, as the page renders it: its cards' removals answer through its list (components/ui/row-removals.tsx).
        const card = text(renderToStaticMarkup(createElement(DomainsPanel, { data: onAcme })));
        assert.match(card, /Last checked 01 Dec 2026, 12:30 Europe\/Paris: /);
        assert.ok(card.includes(`Put it back before ${formatTimeWithZone(new Date(d.unroutesAt!), "Europe/Paris")},`), card);
        assert.ok(!/ UTC\b/.test(card), card);

        // The console: Acme's page in the MSSP's zone.
        const onConsole = await env.as("msspAdmin", (tx) => loadDomainsPage(tx, "acme", null));
        assert.equal(onConsole?.timeZone, "America/New_York");
        const consoleCard = text(
          renderToStaticMarkup(createElement(DomainsPanel, { data: onConsole, audience: "console" })),
        );
        assert.match(consoleCard, /Last checked 01 Dec 2026, 06:30 America\/New_York: /);
      });
      // Nothing set: UTC, named.
      const plain = await env.as("acmeAdmin", (tx) => loadDomainsPage(tx, "acme", env.fx.tenants.acme), "acme");
      assert.equal(plain?.timeZone, "UTC");
    } finally {
      await env.owner("delete from public.custom_domains where id = $1", [row.id]);
    }
  });

  test("API keys: the last use named in the host's zone, and the days of moments are that zone's days", async () => {
    const id = randomUUID();
    // Created 23:30 UTC on 30 Nov: 1 Dec in Paris; expires 23:30 UTC on 28 Feb: 1 Mar in Paris.
    await env.owner(
      `insert into public.api_keys (tenant_id, id, name, secret_hash, scopes, created_at, expires_at, last_used_at, last_used_ip)
       values ($1, $2, 'Zone check', $3, array['alerts:read'], '2026-11-30T23:30:00Z', '2027-02-28T23:30:00Z', $4, '192.0.2.7')`,
      [env.fx.tenants.acme, id, randomBytes(32), AT],
    );
    try {
      await withZones(async () => {
        const data = await env.as("acmeAdmin", (tx) => loadApiKeysPage(tx, "acme", env.fx.tenants.acme), "acme");
        assert.ok(data?.canManage);
        assert.equal(data.timeZone, "Europe/Paris");
        const markup = renderToStaticMarkup(createElement(ApiKeysPanel, { data: { ...data, keys: data.keys.filter((k) => k.id === id) } }));
        const row = text(markup.slice(markup.indexOf(`data-key-id="${id}"`)));
        assert.match(row, /01 Dec 2026, 12:30 Europe\/Paris/);
        assert.match(row, /1 Mar 2027/, "expiry: the day in Paris");
        assert.match(row, /1 Dec 2026/, "created: the day in Paris");
        assert.ok(!row.includes("30 Nov 2026") && !row.includes("28 Feb 2027") && !/ UTC\b/.test(row), row);

        const onConsole = await env.as("msspAdmin", (tx) => loadApiKeysPage(tx, "acme", null));
        assert.equal(onConsole?.timeZone, "America/New_York");
        const consoleRow = text(renderToStaticMarkup(createElement(ApiKeysPanel, { data: { ...onConsole, keys: onConsole.keys.filter((k) => k.id === id) } })));
        assert.match(consoleRow, /01 Dec 2026, 06:30 America\/New_York/);
        assert.match(consoleRow, /30 Nov 2026/, "created: the day in New York");
      });
    } finally {
      await env.owner("delete from public.api_keys where id = $1", [id]);
    }
  });

  test("reports: Requested in the host's zone (named in its header), the next run named; the MSSP's on the console", async () => {
    const [report] = await env.owner<{ id: string }>(
      `insert into public.reports (tenant_id, kind, format, period_start, period_end, status, error, created_at)
       values ($1, 'executive', 'csv', '2026-11-01T00:00:00Z', '2026-12-01T00:00:00Z', 'failed', 'zone check', $2) returning id`,
      [env.fx.tenants.acme, AT],
    );
    const [schedule] = await env.owner<{ id: string }>(
      `insert into public.report_schedules (tenant_id, kind, format, cadence, next_run_at) values ($1, 'operational', 'pdf', 'weekly', '2026-12-07T06:00:00Z') returning id`,
      [env.fx.tenants.acme],
    );
    try {
      await withZones(async () => {
        const data = await env.as("acmeAdmin", (tx) => loadReportsPage(tx, { withinTenant: env.fx.tenants.acme }), "acme");
        assert.equal(data.timeZone, "Europe/Paris");
        const markup = renderToStaticMarkup(
          routed(createElement(ReportsView, { data: { ...data, reports: data.reports.filter((r) => r.id === report.id), schedules: data.schedules.filter((s) => s.id === schedule.id) }, showTenant: false })),
        );
        assert.match(markup, />Requested<span class="[^"]*normal-case[^"]*">Europe\/Paris<\/span><\/th>/);
        assert.match(markup, />01 Dec 2026, 12:30<\/td>/);
        assert.match(text(markup), /Next 07 Dec 2026, 07:00 Europe\/Paris · no email/);

        const onConsole = await env.as("msspAdmin", (tx) => loadReportsPage(tx));
        assert.equal(onConsole.timeZone, "America/New_York");
        const consoleMarkup = renderToStaticMarkup(
          routed(createElement(ReportsView, { data: { ...onConsole, reports: onConsole.reports.filter((r) => r.id === report.id), schedules: onConsole.schedules.filter((s) => s.id === schedule.id) }, showTenant: true })),
        );
        assert.match(consoleMarkup, />Requested<span class="[^"]*">America\/New_York<\/span><\/th>/);
        assert.match(consoleMarkup, />01 Dec 2026, 06:30<\/td>/);
        assert.match(text(consoleMarkup), /Next 07 Dec 2026, 01:00 America\/New_York/);
      });
    } finally {
      await env.owner("delete from public.reports where id = $1", [report.id]);
      await env.owner("delete from public.report_schedules where id = $1", [schedule.id]);
    }
  });

  test("the console's Keys page: the KEK's creation named in the MSSP's zone, the jobs' zone under Queued", async () => {
    await setZone("mssp-a", "Europe/Paris");
    try {
      const data = await env.as("msspAdmin", (tx) => loadKeysPage(tx));
      assert.equal(data.timeZone, "Europe/Paris");
      const kek = data.keks.find((k) => k.active)!.active!;
      const markup = renderToStaticMarkup(routed(createElement(KeysView, { data })));
      assert.ok(text(markup).includes(formatTimeWithZone(new Date(kek.createdAt), "Europe/Paris")), "the KEK's Created");
      assert.ok(!/\d UTC\b/.test(text(markup)), "no time in UTC");
      const row = data.tenants.find((t) => t.active);
      if (row) assert.ok(text(markup).includes(`since ${formatTimeWithZone(new Date(row.active!.createdAt), "Europe/Paris")}`), "a data key's since");
    } finally {
      await setZone("mssp-a", null);
    }
  });

  test("workflows: the deliveries' times named in the tenant's zone", async () => {
    await setZone("acme", "Europe/Paris");
    try {
      const data = await env.as("acmeAdmin", (tx) => loadWorkflowsPage(tx, env.fx.tenants.acme, "Acme"), "acme");
      assert.ok(data.canManage);
      assert.equal(data.timeZone, "Europe/Paris");
      const delivery = {
        id: "d1", channelId: "c1", channelName: "SOC hook", kind: "webhook", reason: "test", status: "delivered", attempts: 1, maxAttempts: 5,
        responseStatus: 200, lastError: null, alertTitle: null, ruleName: null, recipient: null, createdAt: new Date(AT), finishedAt: new Date(AT),
      } as const;
      const markup = renderToStaticMarkup(routed(createElement(WorkflowsPage, { data: { ...data, deliveries: [delivery] } })));
      assert.match(markup, /<time dateTime="2026-12-01T11:30:00.000Z">01 Dec 2026, 12:30 Europe\/Paris<\/time>/);
    } finally {
      await setZone("acme", null);
    }
  });

  test("team: a member's start and an invitation's expiry are the days they fall on in the host's zone", async () => {
    // 23:30 UTC on 30 Nov is 1 Dec in Paris and still 30 Nov in New York.
    const [inv] = await env.owner<{ id: string }>(
      `insert into public.invitations (tenant_id, email, role, token_hash, expires_at, invited_by)
       values ($1, 'zone.check@example.test', 'tenant_viewer', $2, '2099-11-30T23:30:00Z', $3) returning id`,
      [env.fx.tenants.acme, randomBytes(32), env.fx.users.acmeAdmin],
    );
    try {
      await withZones(async () => {
        const data = await env.as("acmeAdmin", (tx) => loadTeamPage(tx, undefined, env.fx.tenants.acme), "acme");
        assert.equal(data.timeZone, "Europe/Paris");
        const props = (d: typeof data) => ({
          tenantId: d.selected!.id,
          tenantName: d.selected!.name,
          currentUserId: d.currentUserId,
          grantable: d.grantable,
          members: d.members.map((m) => ({ ...m, since: m.since.toISOString() })),
          invitations: d.invitations.map((i) => ({ ...i, expiresAt: i.expiresAt.toISOString() })),
          timeZone: d.timeZone,
        });
        const markup = text(renderToStaticMarkup(routed(createElement(TeamPanel, props(data)))));
        assert.match(markup, /expires 01 Dec 2099/);
        assert.ok(markup.includes(`member since ${formatTime(data.members[0].since, "Europe/Paris", "day")}`), "a member's start says what it is");
        const onConsole = await env.as("msspAdmin", (tx) => loadTeamPage(tx, "acme", null));
        assert.equal(onConsole.timeZone, "America/New_York");
        assert.match(text(renderToStaticMarkup(routed(createElement(TeamPanel, props(onConsole))))), /expires 30 Nov 2099/);
      });
    } finally {
      await env.owner("delete from public.invitations where id = $1", [inv.id]);
    }
  });
});

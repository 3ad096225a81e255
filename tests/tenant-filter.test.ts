// The tenant filter of the alert list and the audit trail
// (lib/tenancy/tenant-filter.ts): a list for a few tenants, a text field past
// TENANT_SELECT_UP_TO (an MSSP's thousand customers), where a slug, a name or
// part of one names the tenant. Through RLS and the PDP, a name names only a
// tenant the caller may read: typing another customer's name shows nothing and
// says only that no tenant you may read is called that.
// First: installs Next's request storage before any next/* module loads (see the helper).
import { enrolMfa } from "./helpers/actions";
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { AlertFiltersForm } from "@/components/alerts/alert-filters";
import { AlertListView } from "@/components/alerts/alert-list-view";
import { AuditListView } from "@/components/audit/audit-list-view";
import { loadAuditView, parseAuditFilters } from "@/lib/audit/list";
import { recordAudit } from "@/lib/audit/record";
import { parseAlertFilters } from "@/lib/alerts/list";
import { loadAlertListPage } from "@/lib/alerts/page-data";
import { applyTenantFilter, resolveTenantFilter, TENANT_MATCHES_SHOWN, TENANT_SELECT_UP_TO, type TenantChoice } from "@/lib/tenancy/tenant-filter";
import { withTenant } from "@/lib/db/with-tenant";
import { useFixtureEnv } from "./helpers/fixture-env";
import { type UserName } from "./helpers/fixtures";

const many: TenantChoice[] = Array.from({ length: 1617 }, (_, i) => ({ slug: `c-${String(i).padStart(4, "0")}`, name: `Customer ${String(i).padStart(4, "0")}` }));
many.push({ slug: "northwind", name: "Northwind Traders" }, { slug: "northwind-eu", name: "Northwind Traders" });

describe("resolveTenantFilter", () => {
  test("a slug, a name (any case) or a part naming one tenant chooses it", () => {
    assert.equal(resolveTenantFilter(many, "c-0042").chosen?.name, "Customer 0042");
    assert.equal(resolveTenantFilter(many, "customer 0042").chosen?.slug, "c-0042");
    assert.equal(resolveTenantFilter(many, "0042").chosen?.slug, "c-0042");
    assert.equal(resolveTenantFilter(many, "northwind-eu").chosen?.slug, "northwind-eu");
  });

  test("a part naming several chooses none and offers the first by name; nothing matching offers nothing", () => {
    const several = resolveTenantFilter(many, "Customer 00");
    assert.equal(several.chosen, null);
    assert.equal(several.matchCount, 100);
    assert.deepEqual(
      several.matches.map((m) => m.slug),
      Array.from({ length: TENANT_MATCHES_SHOWN }, (_, i) => `c-000${i}`),
    );
    // Two tenants of one name: neither is guessed.
    const twins = resolveTenantFilter(many, "northwind traders");
    assert.deepEqual([twins.chosen, twins.matchCount, twins.matches.map((m) => m.slug)], [null, 2, ["northwind", "northwind-eu"]]);
    assert.deepEqual(resolveTenantFilter(many, "Initech"), { chosen: null, matches: [], matchCount: 0 });
  });

  test("the filter is a list up to TENANT_SELECT_UP_TO tenants, a text field past it; the list is filtered by the slug", () => {
    const few = many.slice(0, TENANT_SELECT_UP_TO);
    assert.equal(applyTenantFilter({}, few).tenants.length, TENANT_SELECT_UP_TO);
    const wide = applyTenantFilter({ tenant: "Customer 0007", page: 1 }, many);
    assert.deepEqual([wide.tenants, wide.tenantCount, wide.listed], [[], many.length, { tenant: "c-0007", page: 1 }]);
    // Naming none or several, the list keeps what was typed: it matches no slug, so no alert is shown.
    assert.equal(applyTenantFilter({ tenant: "Customer 00" }, many).listed.tenant, "Customer 00");
  });

  test("bad input: too long or with control characters is dropped with a note", () => {
    for (const tenant of ["x".repeat(101), "acme\u0000", "acme\nglobex"]) {
      const { filters, problems } = parseAlertFilters({ tenant });
      assert.equal(filters.tenant, undefined, tenant);
      assert.equal(problems.length, 1, tenant);
      assert.match(problems[0], /tenant/i);
    }
    assert.equal(parseAlertFilters({ tenant: "  Acme Corp " }).filters.tenant, "Acme Corp");
  });
});

describe("the filter's markup", () => {
  test("past TENANT_SELECT_UP_TO tenants: one text field holding the chosen tenant's name, no option per tenant", () => {
    const state = applyTenantFilter({ tenant: "c-0042" }, many);
    const html = renderToStaticMarkup(createElement(AlertFiltersForm, { filters: { tenant: "c-0042", page: 1 }, timeZone: "UTC", tenants: state }));
    assert.match(html, /<input type="search" maxLength="100" placeholder="Name or slug \(1,619 tenants\)"[^>]* name="tenant" value="Customer 0042"\/>/);
    assert.ok(!html.includes('value="c-0001"'), "no tenant options");
    assert.ok(html.length < 8_000, `${html.length} bytes`);
  });

  test("up to TENANT_SELECT_UP_TO tenants: a list with the chosen one selected", () => {
    const few = many.slice(0, 3);
    const html = renderToStaticMarkup(createElement(AlertFiltersForm, { filters: { tenant: "Customer 0001", page: 1 }, timeZone: "UTC", tenants: applyTenantFilter({ tenant: "Customer 0001" }, few) }));
    assert.match(html, /<select name="tenant" /);
    assert.match(html, /<option value="c-0001" selected="">Customer 0001<\/option>/);
    assert.match(html, /<option value="c-0002">Customer 0002<\/option>/);
  });
});

describe("through RLS and the PDP", () => {
  const env = useFixtureEnv();
  const page = (user: UserName, tenant: string, host: string | null) =>
    withTenant({ userId: env.fx.users[user], activeTenantId: host }, (tx) => loadAlertListPage(tx, parseAlertFilters({ tenant }).filters, host, new Date()));

  env.before(async () => {
    await enrolMfa(env.person("msspAdmin"));
  });

  test("on the console a name, a slug or a part of a name filters to that tenant", async () => {
    for (const [typed, slug] of [
      ["Tenant globex", "globex"],
      ["TENANT ACME-EU", "acme-eu"],
      ["acme", "acme"],
      ["us", "acme-us"],
    ] as const) {
      const p = await page("msspAdmin", typed, null);
      assert.equal(p.tenantFilter?.chosen?.slug, slug, typed);
      assert.ok(p.alerts.rows.length > 0 && p.alerts.rows.every((r) => r.tenantSlug === slug), `${typed}: ${p.alerts.rows.map((r) => r.tenantSlug)}`);
    }
  });

  test("a customer chosen: its own alerts, and its sites named as links beside the filter; a site has none below", async () => {
    const p = await page("msspAdmin", "acme", null);
    assert.deepEqual(p.filterBelow.map((t) => t.slug).sort(), ["acme-eu", "acme-us"]);
    assert.ok(p.alerts.rows.every((r) => r.tenantSlug === "acme"));
    const html = renderToStaticMarkup(createElement(AlertListView, { data: p, filters: parseAlertFilters({ tenant: "acme" }).filters, problems: [], showTenant: true }));
    assert.match(html, /data-testid="tenant-filter-below"[^>]*>Tenant acme&#x27;s own alerts only/);
    assert.match(html, /href="\?tenant=acme-eu"/);
    assert.deepEqual((await page("msspAdmin", "acme-eu", null)).filterBelow, []);
    // From acme's host the same; nothing below globex reaches it (globex is no tenant there).
    assert.deepEqual((await page("acmeAdmin", "acme", env.fx.tenants.acme)).filterBelow.map((t) => t.slug).sort(), ["acme-eu", "acme-us"]);
    const none = renderToStaticMarkup(createElement(AlertListView, { data: await page("msspAdmin", "", null), filters: parseAlertFilters({}).filters, problems: [], showTenant: true }));
    assert.ok(!none.includes("tenant-filter-below"));
  });

  test("a part naming several shows no alert and offers them", async () => {
    const p = await page("msspAdmin", "Tenant acme-", null);
    assert.deepEqual([p.tenantFilter?.chosen, p.tenantFilter?.matchCount, p.alerts.rows.length], [null, 2, 0]);
    assert.deepEqual(p.tenantFilter?.matches.map((m) => m.slug), ["acme-eu", "acme-us"]);
    const html = renderToStaticMarkup(createElement(AlertListView, { data: p, filters: parseAlertFilters({ tenant: "Tenant acme-" }).filters, problems: [], showTenant: true }));
    assert.match(html, /matches 2 tenants/);
    assert.match(html, /href="\?tenant=acme-eu"/);
    assert.ok(!html.includes('data-testid="alerts-table"') && !html.includes("No alerts match"), "no table, no empty state beside the notice");
  });

  test("another MSSP's customer, or another customer from a customer's host: no match, nothing of it in the page", async () => {
    const otherMssp = await page("msspAdmin", "Tenant other-co", null);
    assert.deepEqual([otherMssp.tenantFilter?.matchCount, otherMssp.alerts.rows.length], [0, 0]);
    const fromAcme = await page("acmeAdmin", "Tenant globex", env.fx.tenants.acme);
    assert.deepEqual([fromAcme.tenantFilter?.matchCount, fromAcme.alerts.rows.length], [0, 0]);
    assert.ok(!JSON.stringify({ ...fromAcme, tenantFilter: null }).includes("globex"), "no globex in what the page shows but the typed text");
    // Control: the same typed name from the console finds it.
    assert.equal((await page("msspAdmin", "Tenant globex", null)).tenantFilter?.chosen?.slug, "globex");
  });

  test("the audit trail: a name filters to that tenant's events; several offer them; another customer's finds nothing", async () => {
    for (const slug of ["acme", "acme-eu", "globex"] as const) {
      await withTenant({ userId: env.fx.users.msspAdmin }, (tx) =>
        recordAudit(tx, { tenantId: env.fx.tenants[slug], action: "settings:manage", targetType: "tenant", targetId: env.fx.tenants[slug], outcome: "success" }),
      );
    }
    const audit = (user: UserName, tenant: string, host: string | null) =>
      withTenant({ userId: env.fx.users[user], activeTenantId: host }, (tx) => loadAuditView(tx, parseAuditFilters({ tenant }).filters));
    const one = await audit("msspAdmin", "tenant ACME-EU", null);
    assert.equal(one.tenantFilter?.chosen?.slug, "acme-eu");
    assert.ok(one.events.rows.length > 0 && one.events.rows.every((r) => r.tenantSlug === "acme-eu"), one.events.rows.map((r) => r.tenantSlug).join());
    const several = await audit("msspAdmin", "Tenant acme", null);
    // "Tenant acme" is acme's name exactly: chosen, not the two sites whose names contain it.
    assert.equal(several.tenantFilter?.chosen?.slug, "acme");
    const sites = await audit("msspAdmin", "acme-", null);
    assert.deepEqual([sites.tenantFilter?.chosen, sites.tenantFilter?.matchCount, sites.events.rows.length], [null, 2, 0]);
    const html = renderToStaticMarkup(createElement(AuditListView, { view: { ...sites, timeZone: "UTC" }, filters: parseAuditFilters({ tenant: "acme-" }).filters, showTenant: true }));
    assert.match(html, /matches 2 tenants/);
    assert.match(html, /href="\?tenant=acme-eu&amp;page=1"/);
    assert.ok(!html.includes("audit-total"), "no table beside the notice");
    const fromAcme = await audit("acmeAdmin", "Tenant globex", env.fx.tenants.acme);
    assert.deepEqual([fromAcme.tenantFilter?.matchCount, fromAcme.events.rows.length], [0, 0]);
    assert.ok(!JSON.stringify({ ...fromAcme, tenantFilter: null }).includes("globex"));
  });
});

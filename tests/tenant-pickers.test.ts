// Every console control offering one choice per tenant, past TENANT_SELECT_UP_TO
// tenants (lib/tenancy/tenant-filter.ts): the dashboard's scope, the reports'
// generate and schedule forms, TenantPicker (team, credentials), the legacy
// import and the bulk wizard's root. Each is a name-or-slug text field, no
// option per tenant; a name, a slug or a unique part names the tenant; several
// are offered (links, or the action's field message); none is said. The POST
// actions refuse a name naming none or several and save nothing. Resolution
// runs among the tenants RLS shows the caller (and the PDP allows): another
// MSSP's customer, named exactly, matches nothing. Real Postgres, RLS, Cerbos.
// First: installs Next's request storage before any next/* module loads (see the helper).
import { callAction, enrolMfa, type ServerAction } from "./helpers/actions";
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { createElement, type ReactElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { AppRouterContext } from "next/dist/shared/lib/app-router-context.shared-runtime";
import { DashboardFilters } from "@/components/analytics/dashboard-filters";
import { BulkWizard } from "@/components/bulk/bulk-wizard";
import { ImportLegacy } from "@/components/lifecycle/archive/import-legacy";
import { ReportsView } from "@/components/reports/reports-view";
import { TenantPicker } from "@/components/tenants/tenant-picker";
import { loadDashboard } from "@/lib/analytics/dashboard";
import { parseDashboardQuery } from "@/lib/analytics/range";
import { loadBulkHome } from "@/lib/bulk/page-data";
import { loadCredentialsPage } from "@/lib/credentials/page-data";
import { importTargets } from "@/lib/lifecycle/web/access";
import { importUpload } from "@/lib/lifecycle/web/console-archive";
import { ConsoleRefusal } from "@/lib/lifecycle/web/errors";
import { loadReportsPage } from "@/lib/reports/page-data";
import { loadTeamPage } from "@/lib/team/page-data";
import { TENANT_MATCHES_SHOWN, TENANT_SELECT_UP_TO, typedValueOf } from "@/lib/tenancy/tenant-filter";
import { useFixtureEnv } from "./helpers/fixture-env";
import { emailOf, type TenantSlug, type UserName } from "./helpers/fixtures";
import { withClient } from "./helpers/test-database";

const CONSOLE = "localhost:3000";
/** Customers of mssp-a beyond the fixtures: "Customer 000" … (slug c-000 …), past TENANT_SELECT_UP_TO. */
const EXTRA = 60;
const pad = (i: number) => String(i).padStart(3, "0");

const env = useFixtureEnv();
/** The same name under both MSSPs: each MSSP's admin must find only its own. */
const umbrella: Record<"a" | "b", string> = { a: "", b: "" };

const count = async (sql: string, params: unknown[] = []) => (await env.owner<{ n: number }>(sql, params))[0].n;
const html = (el: ReactElement) => renderToStaticMarkup(el);
/** Client components calling useRouter need an app router above them (a static render has none). */
const routed = (el: ReactElement) =>
  createElement(AppRouterContext.Provider, { value: { back() {}, forward() {}, refresh() {}, push() {}, replace() {}, prefetch() {}, hmrRefresh() {} } as never }, el);
const options = (markup: string) => (markup.match(/<option /g) ?? []).length;

env.before(async () => {
  await withClient(env.db.url, async (c) => {
    for (let i = 0; i < EXTRA; i++) {
      await c.query("insert into public.tenants (parent_id, slug, name, kind) values ($1, $2, $3, 'customer')", [env.fx.tenants["mssp-a"], `c-${pad(i)}`, `Customer ${pad(i)}`]);
    }
    umbrella.a = (await c.query("insert into public.tenants (parent_id, slug, name, kind) values ($1, 'umbrella', 'Umbrella', 'customer') returning id", [env.fx.tenants["mssp-a"]])).rows[0].id;
    umbrella.b = (await c.query("insert into public.tenants (parent_id, slug, name, kind) values ($1, 'umbrella-b', 'Umbrella', 'customer') returning id", [env.fx.tenants["mssp-b"]])).rows[0].id;
  });
  await enrolMfa(env.person("msspAdmin"));
});

test("a chosen tenant is shown in its field by name, or by slug when the name would name another too", () => {
  const sites = [{ slug: "acme-eu-west", name: "EU West" }, { slug: "globex-eu-west", name: "eu west" }, { slug: "initech", name: "Initech" }];
  assert.deepEqual(sites.map((t) => typedValueOf(sites, t)), ["acme-eu-west", "globex-eu-west", "Initech"]);
});

describe("the dashboard's scope", () => {
  const dash = (user: UserName, scope: string | undefined, host: TenantSlug | null = null) =>
    env.as(user, (tx) => loadDashboard(tx, parseDashboardQuery(scope === undefined ? {} : { scope }).query, host && env.fx.tenants[host]), host ?? undefined);

  test("a name, a slug or a unique part scopes it; links then carry the slug", async () => {
    for (const [typed, slug] of [["Customer 007", "c-007"], ["c-042", "c-042"], ["customer 013", "c-013"], ["Umbrella", "umbrella"], ["acme-eu", "acme-eu"]] as const) {
      const d = await dash("msspAdmin", typed);
      assert.deepEqual([d.scope?.slug, d.query.scope, d.scopeMatches, d.problems], [slug, slug, null, []], typed);
    }
  });

  test("several: the whole scope, the matches offered as links setting the scope; none: a note", async () => {
    const d = await dash("msspAdmin", "Customer 00");
    assert.deepEqual([d.scope, d.query.scope, d.scopeMatches?.matchCount, d.scopeTyped], [null, null, 10, "Customer 00"]);
    const markup = html(createElement(DashboardFilters, { data: d, allLabel: "All customers" }));
    assert.match(markup, /matches 10 tenants/);
    assert.match(markup, /href="\/dashboard\?scope=c-000"/);
    assert.match(markup, /<input type="search" maxLength="100" placeholder="Name or slug \(65 customers and sites\); empty: All customers" [^>]*data-testid="scope-picker" name="scope" value="Customer 00"\/>/);
    // Another MSSP's customer, by its exact name: nothing (RLS), the same note as a typo.
    for (const typed of ["Tenant other-co", "other-co", "nothing like it"]) {
      const none = await dash("msspAdmin", typed);
      assert.deepEqual([none.scope, none.scopeMatches], [null, null], typed);
      assert.match(none.problems.join(" "), /No tenant ".*" in your scope here/, typed);
      assert.ok(!JSON.stringify(none.options).includes("other-co"));
    }
  });

  test("markup past TENANT_SELECT_UP_TO: a text field, no option per tenant; the trail and drill-down stay", async () => {
    const d = await dash("msspAdmin", "acme-eu");
    assert.ok(d.options.length > TENANT_SELECT_UP_TO);
    const markup = html(createElement(DashboardFilters, { data: d, allLabel: "All customers" }));
    assert.equal(options(markup), RANGE_AND_METRIC_OPTIONS);
    assert.match(markup, /data-testid="scope-picker"[^>]*value="Tenant acme-eu"|value="Tenant acme-eu"[^>]*data-testid="scope-picker"/);
    assert.match(markup, /data-testid="scope-trail"[\s\S]*href="\/dashboard\?scope=acme"/, "the way back up the tree");
    assert.ok(markup.length < 12_000, `${markup.length} bytes`);
  });

  test("up to TENANT_SELECT_UP_TO (acme's host): still the indented list", async () => {
    const d = await dash("acmeAdmin", undefined, "acme");
    const markup = html(createElement(DashboardFilters, { data: d, allLabel: "All of acme" }));
    assert.match(markup, /<select name="scope"[^>]*data-testid="scope-picker"><option value="" selected="">All of acme<\/option><option value="acme-eu">Tenant acme-eu \(site\)<\/option>/);
    // From acme's host, globex is no tenant at all.
    const g = await dash("acmeAdmin", "Tenant globex", "acme");
    assert.deepEqual([g.scope?.slug, g.scopeMatches], ["acme", null]);
    assert.match(g.problems.join(" "), /No tenant "Tenant globex" in your scope/);
  });
});

/** The range and metric pickers' options: what the dashboard's form holds besides the scope. */
const RANGE_AND_METRIC_OPTIONS = 4 + 3;

describe("the reports page's forms", () => {
  const fields = { kind: "executive", format: "pdf", from: "2026-10-01", to: "2026-10-31" };
  const generate = async () => (await import("@/lib/actions/reports/generate-report")).generateReport as unknown as ServerAction;
  const schedule = async () => (await import("@/lib/actions/reports/create-schedule")).createSchedule as unknown as ServerAction;
  type Result = { ok: boolean; error?: string; fieldErrors?: Record<string, string[]> };
  const saved = () => count("select (select count(*) from public.reports) + (select count(*) from public.report_schedules) + (select count(*) from public.audit_log where action like 'reports:%') as n");

  test("markup past TENANT_SELECT_UP_TO: a text field in each form, no option per tenant; a list below", async () => {
    const data = await env.as("msspAdmin", (tx) => loadReportsPage(tx));
    assert.ok(data.tenants.length > TENANT_SELECT_UP_TO);
    const markup = html(routed(createElement(ReportsView, { data, showTenant: true })));
    assert.equal((markup.match(/<input [^>]*placeholder="Name or slug \(65 customers and sites\)"[^>]* name="tenantId"\/>/g) ?? []).length, 2, "generate and schedule");
    assert.ok(!markup.includes(env.fx.tenants.globex) && !markup.includes("Customer 007"), "no tenant offered by id or name");
    assert.ok(markup.length < 20_000, `${markup.length} bytes`);
    const few = await env.as("acmeAdmin", (tx) => loadReportsPage(tx, { withinTenant: env.fx.tenants.acme }), "acme");
    const list = html(routed(createElement(ReportsView, { data: few, showTenant: true })));
    assert.match(list, new RegExp(`<option value="${env.fx.tenants["acme-eu"]}">Tenant acme-eu</option>`));
  });

  test("generate: a name or slug queues the report for that tenant", async () => {
    const r = (await callAction(await generate(), { person: env.person("msspAdmin"), host: CONSOLE }, { tenantId: "Customer 007", ...fields })) as Result;
    assert.equal(r.ok, true, JSON.stringify(r));
    const [row] = await env.owner<{ slug: string }>("select t.slug from public.reports r join public.tenants t on t.id = r.tenant_id order by r.created_at desc limit 1");
    assert.equal(row.slug, "c-007");
    const bySlug = (await callAction(await generate(), { person: env.person("msspAdmin"), host: CONSOLE }, { tenantId: "umbrella", ...fields })) as Result;
    assert.equal(bySlug.ok, true, JSON.stringify(bySlug));
    assert.equal(await count("select count(*)::int as n from public.reports where tenant_id = $1", [umbrella.a]), 1);
  });

  test("several, none, another MSSP's customer: refused on the field, nothing saved or audited", async () => {
    const before = await saved();
    const several = (await callAction(await generate(), { person: env.person("msspAdmin"), host: CONSOLE }, { tenantId: "Customer 0", ...fields })) as Result;
    assert.equal(several.ok, false);
    assert.match(several.fieldErrors?.tenantId?.[0] ?? "", /^That names 60 customers and sites you may report on: Customer 000 \(c-000\), .*, and 50 more\./);
    for (const typed of ["Tenant other-co", "other-co", "Nothing Like It"]) {
      for (const action of [await generate(), await schedule()]) {
        const r = (await callAction(action, { person: env.person("msspAdmin"), host: CONSOLE }, { tenantId: typed, ...fields, cadence: "weekly", recipients: "" })) as Result;
        assert.deepEqual([r.ok, r.error], [false, "Check the highlighted fields."], typed);
        assert.match(r.fieldErrors?.tenantId?.[0] ?? "", /^No customer or site you may report on is called that/, typed);
      }
    }
    // "Umbrella" names one: mssp-b's Umbrella is not visible, so it is not a second match.
    const sched = (await callAction(await schedule(), { person: env.person("msspAdmin"), host: CONSOLE }, { tenantId: "customer 00", kind: "executive", format: "pdf", cadence: "weekly", recipients: "" })) as Result;
    assert.match(sched.fieldErrors?.tenantId?.[0] ?? "", /That names 10 customers/);
    assert.equal(await saved(), before, "nothing queued, scheduled or audited");
  });

  test("schedule: a name saves it; from acme's host another customer's name names nothing", async () => {
    const ok = (await callAction(await schedule(), { person: env.person("msspAdmin"), host: CONSOLE }, { tenantId: "Customer 011", kind: "operational", format: "csv", cadence: "monthly", recipients: "" })) as Result;
    assert.equal(ok.ok, true, JSON.stringify(ok));
    assert.equal(await count("select count(*)::int as n from public.report_schedules s join public.tenants t on t.id = s.tenant_id where t.slug = 'c-011'"), 1);
    const acme = { person: env.person("acmeAdmin"), host: "acme.localhost:3000" };
    const before = await saved();
    const r = (await callAction(await generate(), acme, { tenantId: "Tenant globex", ...fields })) as Result;
    assert.match(r.fieldErrors?.tenantId?.[0] ?? "", /No customer or site you may report on is called that/);
    assert.equal(await saved(), before);
    const own = (await callAction(await generate(), acme, { tenantId: "acme-us", ...fields })) as Result;
    assert.equal(own.ok, true, JSON.stringify(own));
  });
});

describe("TenantPicker (team, credentials)", () => {
  test("a name, slug or unique part picks the tenant; several or none: the fallback shown, with the notice", async () => {
    const team = (typed: string | undefined) => env.as("msspAdmin", (tx) => loadTeamPage(tx, typed, null));
    assert.equal((await team("Customer 021")).selected?.slug, "c-021");
    assert.equal((await team("c-022")).selected?.slug, "c-022");
    assert.equal((await team("umbrella")).selected?.id, umbrella.a);
    const several = await team("Customer 00");
    assert.deepEqual([several.pick.unresolved?.matchCount, several.pick.typed, several.selected?.slug], [10, "Customer 00", "mssp-a"]);
    const markup = html(createElement(TenantPicker, { id: "team-tenant", tenants: several.tenants, selectedSlug: several.selected!.slug, pick: several.pick, may: "manage people in" }));
    assert.equal(options(markup), 0, "no option per tenant");
    assert.match(markup, /<input id="team-tenant" type="search" maxLength="100" placeholder="Name or slug \(66 tenants\)"[^>]* name="tenant" value="Customer 00"\/>/);
    assert.match(markup, /matches 10 tenants\. Showing Tenant mssp-a until you choose one:/);
    assert.match(markup, /href="\?tenant=c-000"/);
    const other = await team("Tenant other-co");
    assert.deepEqual([other.pick.unresolved?.matchCount, other.selected?.slug], [0, "mssp-a"]);
    const none = html(createElement(TenantPicker, { id: "t", tenants: other.tenants, selectedSlug: other.selected!.slug, pick: other.pick, may: "manage people in" }));
    assert.match(none, /No tenant you may manage people in is called “Tenant other-co”/);
    assert.ok(!JSON.stringify(other).includes(env.fx.tenants["other-co"]));
    const creds = await env.as("msspAdmin", (tx) => loadCredentialsPage(tx, "customer 033", null));
    assert.equal(creds.selected?.slug, "c-033");
  });

  test("up to TENANT_SELECT_UP_TO: the list, as before", async () => {
    const t = await env.as("acmeAdmin", (tx) => loadTeamPage(tx, "acme-eu", env.fx.tenants.acme), "acme");
    const markup = html(createElement(TenantPicker, { id: "team-tenant", tenants: t.tenants, selectedSlug: t.selected!.slug, pick: t.pick }));
    assert.match(markup, /<select id="team-tenant" name="tenant" /);
    assert.match(markup, /<option value="acme-eu" selected="">Tenant acme-eu<\/option>/);
  });
});

describe("the legacy import", () => {
  let legacy: string;
  const who = (user: UserName) => ({ userId: env.fx.users[user], email: emailOf(user) });
  before(async () => {
    legacy = await mkdtemp(path.join(os.tmpdir(), "tenant-pickers-legacy-"));
    await writeFile(path.join(legacy, "assets.json"), JSON.stringify([{ hostname: "legacy-01" }]));
  });
  after(() => rm(legacy, { recursive: true, force: true }));
  const refusedWith = async (typed: string, status: number, message: RegExp) =>
    assert.rejects(importUpload(who("msspAdmin"), { slug: typed, dir: legacy, dryRun: false }), (e) => {
      assert.ok(e instanceof ConsoleRefusal && e.status === status && message.test(e.message), `${typed}: ${(e as Error).message}`);
      return true;
    });

  test("markup past TENANT_SELECT_UP_TO: a text field; below: the list", async () => {
    const { choices } = await env.as("msspAdmin", (tx) => importTargets(tx));
    assert.ok(choices.length > TENANT_SELECT_UP_TO);
    const typed = html(createElement(ImportLegacy, { targets: [], targetCount: choices.length, initialTenant: "", pdpUnavailable: false }));
    assert.equal(options(typed), 0);
    assert.match(typed, /<input [^>]*type="search"[^>]*placeholder="Name or slug \([\d,]+ customers and sites\)"/);
    const list = html(createElement(ImportLegacy, { targets: choices.slice(0, 3), targetCount: 3, initialTenant: "", pdpUnavailable: false }));
    assert.equal(options(list), 4);
  });

  test("a name or unique part imports into that tenant (dry run)", async () => {
    const r = await importUpload(who("msspAdmin"), { slug: "Customer 044", dir: legacy, dryRun: true });
    assert.deepEqual([r.tenant.slug, r.dryRun, r.assets.created], ["c-044", true, 1]);
    assert.equal((await importUpload(who("msspAdmin"), { slug: "umbrella", dir: legacy, dryRun: true })).tenant.id, umbrella.a);
  });

  test("several, none, another MSSP's customer: refused, nothing written", async () => {
    const written = () => count("select (select count(*) from public.assets) + (select count(*) from public.audit_log where action like 'tenant.import%' and outcome = 'success') as n");
    const before = await written();
    await refusedWith("Customer 01", 422, /^That names 10 customers and sites you may import into: Customer 010 \(c-010\), .* Nothing was written\.$/);
    await refusedWith("Tenant other-co", 404, /^No customer or site you may import into is called that/);
    await refusedWith("Nothing Like It", 404, /^No customer or site you may import into is called that/);
    assert.equal(await written(), before);
  });
});

describe("the bulk wizard's root", () => {
  const plan = async () => (await import("@/lib/actions/bulk/plan-bulk-run")).planBulkRun as unknown as ServerAction;
  type Result = { ok: boolean; error?: string; data?: { runId: string }; fieldErrors?: Record<string, string[]> };
  const form = (rootId: string) => ({ tenantId: env.fx.tenants["mssp-a"], rootId, kinds: "all", operation: "setting", key: "locale.time_zone", mode: "set", value: "Europe/Paris" });
  const runs = () => count("select count(*)::int as n from public.bulk_runs");

  test("markup past TENANT_SELECT_UP_TO: a text field (empty: every customer), no option per root; below: the list", async () => {
    const home = await env.as("msspAdmin", (tx) => loadBulkHome(tx));
    assert.ok(home && home.rootCount > TENANT_SELECT_UP_TO && home.roots.length === 0);
    const props = { msspId: home.mssp.id, roots: home.roots, rootCount: home.rootCount, plans: home.plans, settings: home.settings };
    const markup = html(routed(createElement(BulkWizard, props)));
    assert.match(markup, /Under \(empty: every customer\)<input type="text" maxLength="100" placeholder="Name or slug \(63 customers\)"[^>]* name="rootId" value=""\/>/);
    assert.ok(!markup.includes("Customer 007") && !markup.includes(env.fx.tenants.acme), "no root offered");
    const few = html(routed(createElement(BulkWizard, { ...props, roots: [{ id: home.mssp.id, name: "Tenant mssp-a", kind: "mssp" }, { id: env.fx.tenants.acme, name: "Tenant acme", kind: "customer" }], rootCount: 2 })));
    assert.match(few, new RegExp(`<select name="rootId"[^>]*><option value="${home.mssp.id}" selected="">Tenant mssp-a \\(every customer\\)</option>`));
  });

  test("a name plans the dry run under that customer; empty: every customer; the run waits for its confirmation", async () => {
    const r = (await callAction(await plan(), { person: env.person("msspAdmin"), host: CONSOLE }, form("Tenant acme"))) as Result;
    assert.equal(r.ok, true, JSON.stringify(r));
    const [run] = await env.owner<{ status: string; total: number; root: string }>("select status, total, selection->>'rootId' as root from public.bulk_runs where id = $1", [r.data!.runId]);
    assert.deepEqual(run, { status: "planned", total: 3, root: env.fx.tenants.acme });
    const all = (await callAction(await plan(), { person: env.person("msspAdmin"), host: CONSOLE }, form(""))) as Result;
    assert.equal(all.ok, true, JSON.stringify(all));
    const [every] = await env.owner<{ root: string; total: number }>("select selection->>'rootId' as root, total from public.bulk_runs where id = $1", [all.data!.runId]);
    assert.deepEqual(every, { root: env.fx.tenants["mssp-a"], total: 4 + EXTRA + 1 });
  });

  test("several, none, another MSSP's customer: refused on the field, no run", async () => {
    const before = await runs();
    const several = (await callAction(await plan(), { person: env.person("msspAdmin"), host: CONSOLE }, form("Customer 05"))) as Result;
    assert.equal(several.ok, false);
    assert.match(several.fieldErrors?.rootId?.[0] ?? "", /^That names 10 customers of yours: Customer 050 \(c-050\)/);
    for (const typed of ["Tenant other-co", "other-co", "umbrella-b"]) {
      const r = (await callAction(await plan(), { person: env.person("msspAdmin"), host: CONSOLE }, form(typed))) as Result;
      assert.match(r.fieldErrors?.rootId?.[0] ?? "", /^No customer of yours is called that/, typed);
    }
    assert.equal(await runs(), before);
    assert.ok(TENANT_MATCHES_SHOWN === 10);
  });
});

// The console's Billing, Customers and Overview pages with more tenants than a
// page holds (120 customers under one MSSP, beside the fixtures' other MSSP),
// on a real Postgres with RLS and the real PDP:
//   - /billing: at most a page of customers and of invoices; the month's
//     summary (totals per currency and status, counts, customers per plan)
//     equals the same figures computed as the owner over every row; search and
//     paging reach a customer on a later page; bad params are dropped with a
//     note; another MSSP's billing never shows;
//   - /customers: a page of rows, and past TENANT_SELECT_UP_TO tenants the
//     "New customer or site" form gets only the MSSPs as parents; a site's
//     parent typed as a name or address is resolved by the action among the
//     tenants the caller sees (another MSSP's customer named exactly is
//     refused: RLS), with a clear message when it names none or several;
//   - /: the tenant tree's rows go to the client as compact tuples.
import { callAction, enrolMfa, loadAction } from "./helpers/actions";
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { withServiceRole } from "@/lib/db/service-role";
import { draftPeriod, finalizeInvoice } from "@/lib/billing/invoices";
import { BILLING_PAGE_SIZE, parseBillingQuery, DEFAULT_BILLING_QUERY, type BillingQuery } from "@/lib/billing/console-page";
import { loadBillingConsole } from "@/lib/billing/page-data";
import { CUSTOMERS_PAGE_SIZE, DEFAULT_CUSTOMERS_QUERY, loadCustomersPage, parseCustomersQuery, type CustomersQuery } from "@/lib/lifecycle/list-page";
import { TENANT_SELECT_UP_TO } from "@/lib/tenancy/tenant-filter";
import { TenantTreeTable } from "@/components/tenants/tenant-tree-table";
import { CustomersView } from "@/components/lifecycle/customers-view";
import type { TenantNode } from "@/lib/tenancy/tree";
import { useFixtureEnv } from "./helpers/fixture-env";
import { type UserName } from "./helpers/fixtures";

const CUSTOMERS = 120;
const CONSOLE = "localhost:3000";
const big = (i: number) => `big-${String(i).padStart(4, "0")}`;
const lastMonth = new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth() - 1, 1));
const MONTH = lastMonth.toISOString().slice(0, 7);

const env = useFixtureEnv();
const billing = (user: UserName, params: Record<string, string> = {}) => env.as(user, (tx) => loadBillingConsole(tx, parseBillingQuery(params).query));
const customers = (user: UserName, query: Partial<CustomersQuery> = {}) => env.as(user, (tx) => loadCustomersPage(tx, { ...DEFAULT_CUSTOMERS_QUERY, ...query }));

env.before(async () => {
  for (const who of ["msspAdmin", "msspBAdmin"] as const) await enrolMfa(env.person(who));
  const a = env.fx.tenants["mssp-a"];
  await env.owner(
    `insert into public.tenants (parent_id, slug, name, kind)
     select $1, 'big-' || lpad(i::text, 4, '0'), 'Big customer ' || lpad(i::text, 4, '0'), 'customer' from generate_series(1, $2) i`,
    [a, CUSTOMERS],
  );
  // Two plans of mssp-a (EUR for the first 60, USD for the next 40, none for the last 20) and one of mssp-b for other-co.
  const plan = async (mssp: string, name: string, currency: string, fee: number) =>
    (await env.owner<{ id: string }>("insert into public.billing_plans (tenant_id, name, currency, base_fee, minimum) values ($1, $2, $3, $4, 0) returning id", [mssp, name, currency, fee]))[0].id;
  const [eur, usd, other] = [await plan(a, "Scale EUR", "EUR", 50000), await plan(a, "Scale USD", "USD", 7000), await plan(env.fx.tenants["mssp-b"], "Other MSSP plan", "EUR", 99900)];
  const assign = (mssp: string, planId: string, where: string, params: unknown[] = []) =>
    env.owner(
      `insert into public.billing_plan_assignments (tenant_id, plan_tenant_id, plan_id, starts_on)
       select t.id, $1, $2, $3::date from public.tenants t where ${where}`,
      [mssp, planId, `${MONTH}-01`, ...params],
    );
  await assign(a, eur, "t.slug between 'big-0001' and 'big-0060'");
  await assign(a, usd, "t.slug between 'big-0061' and 'big-0100'");
  await assign(env.fx.tenants["mssp-b"], other, "t.slug = 'other-co'");
  await withServiceRole("billing.invoicing", (d) => draftPeriod(d.$client, MONTH));
  // Finalize the first 25 EUR invoices: the summary splits finalized from draft (the hourly usage
  // rollup has run since the month ended: finalizing waits for it, lib/billing/readiness.ts).
  await env.owner("insert into usage.rollup_state (singleton, scanned_to) values (true, now()) on conflict (singleton) do update set scanned_to = excluded.scanned_to");
  const drafts = await env.owner<{ tenant_id: string; id: string }>(
    "select i.tenant_id, i.id from public.billing_invoices i join public.tenants t on t.id = i.tenant_id where t.slug between 'big-0001' and 'big-0025'",
  );
  for (const d of drafts) await withServiceRole("billing.invoicing", (s) => finalizeInvoice(s.$client, d.tenant_id, d.id, null));
});

describe("console /billing at more customers than a page", () => {
  test("a page of customers and of invoices at most; the summary equals the owner's SQL over every row", async () => {
    const data = (await billing("msspAdmin"))!;
    assert.equal(data.month, MONTH);
    assert.ok(data.customers.rows.length === BILLING_PAGE_SIZE && data.customers.total === CUSTOMERS + 2, `customers: ${data.customers.rows.length} of ${data.customers.total}`);
    assert.ok(data.invoices.rows.length === BILLING_PAGE_SIZE && data.invoices.total === 100, `invoices: ${data.invoices.rows.length} of ${data.invoices.total}`);

    const totals = await env.owner<{ currency: string; status: string; n: number; net: string }>(
      `select currency, status, count(*)::int as n, sum(total)::text as net from public.billing_invoices
        where mssp_id = $1 and period_start = $2::date group by currency, status order by currency, status`,
      [env.fx.tenants["mssp-a"], `${MONTH}-01`],
    );
    assert.deepEqual(
      data.summary.totals.map((t) => ({ currency: t.currency, status: t.status, n: t.invoices + t.creditNotes, net: t.net.toString() })),
      totals,
    );
    assert.equal(totals.length, 3, "EUR finalized and draft, USD draft");
    assert.deepEqual(data.summary.counts, { all: 100, finalized: 25, draft: 75 });
    const perPlan = await env.owner<{ name: string | null; n: number }>(
      `select p.name, count(*)::int as n from public.tenants t
         left join public.billing_plan_assignments a on a.tenant_id = t.id and daterange(a.starts_on, a.ends_on) @> current_date
         left join public.billing_plans p on p.id = a.plan_id
        where t.kind = 'customer' and t.parent_id = $1 group by p.name order by p.name nulls last`,
      [env.fx.tenants["mssp-a"]],
    );
    assert.deepEqual(data.summary.plans.map((p) => ({ name: p.name, n: p.customers })), perPlan);
    assert.deepEqual(perPlan.map((p) => p.n), [60, 40, 22], "EUR, USD, no plan (the 20 last and acme, globex)");
  });

  test("search and paging reach a customer on a later page, in both tables", async () => {
    const first = (await billing("msspAdmin"))!;
    assert.ok(!first.customers.rows.some((c) => c.slug === big(117)), "not on the first page");
    const searched = (await billing("msspAdmin", { q: big(117) }))!;
    assert.deepEqual(searched.customers.rows.map((c) => c.slug), [big(117)]);
    assert.deepEqual(searched.invoices.rows.map((i) => i.customer.slug), [], "no plan: not invoiced");
    const third = (await billing("msspAdmin", { q: "big-", cpage: "3", page: "2" }))!;
    assert.deepEqual(third.customers.rows.map((c) => c.slug), Array.from({ length: 20 }, (_, k) => big(101 + k)));
    assert.deepEqual(third.invoices.rows.map((i) => i.customer.slug), Array.from({ length: 50 }, (_, k) => big(51 + k)));
    // Past the last pages: the last ones, said so by the page (data.pages).
    const past = (await billing("msspAdmin", { q: "big-", cpage: "40", page: "30" }))!;
    assert.deepEqual(past.pages, { cpage: 3, page: Math.ceil(past.invoices.total / 50) });
    assert.deepEqual(past.customers.rows.map((c) => c.slug), third.customers.rows.map((c) => c.slug));
    assert.ok(past.invoices.rows.length > 0);
    const drafts = (await billing("msspAdmin", { status: "draft", q: "Big customer 00" }))!;
    assert.equal(drafts.invoices.total, 74, "drafts of big-0026 … big-0099 (big-0100 does not match)");
    assert.ok(drafts.invoices.rows.every((i) => i.status === "draft"));
    // The summary does not follow the search: it is the month's.
    assert.deepEqual(drafts.summary, first.summary);
  });

  test("bad params are dropped with a note each; the rest of the query stays", () => {
    const { query, problems } = parseBillingQuery({ month: "2026-13", status: "paid", page: "0", cpage: "x", q: "acme" });
    assert.deepEqual(query, { ...DEFAULT_BILLING_QUERY, q: "acme" } satisfies BillingQuery);
    assert.equal(problems.length, 4, problems.join(" | "));
    assert.match(problems.join(" "), /month "2026-13"/);
  });

  test("another MSSP's billing never shows; a customer's admin gets no console billing", async () => {
    const mine = (await billing("msspAdmin", { q: "other" }))!;
    assert.deepEqual([mine.customers.total, mine.invoices.total], [0, 0]);
    assert.ok(!JSON.stringify(await billing("msspAdmin"), (_k, v) => (typeof v === "bigint" ? String(v) : v)).includes("Other MSSP plan"));
    const theirs = (await billing("msspBAdmin"))!;
    assert.deepEqual(theirs.customers.rows.map((c) => c.slug), ["other-co"]);
    assert.deepEqual(theirs.summary.counts, { all: 1, finalized: 0, draft: 1 });
    assert.deepEqual(theirs.summary.totals.map((t) => [t.currency, t.net.toString()]), [["EUR", "99900"]]);
    assert.equal((await billing("msspBAdmin", { q: "big-" }))!.customers.total, 0);
    assert.equal(await billing("acmeAdmin"), null);
  });
});

describe("console /customers at more tenants than a list", () => {
  test("a page of rows; the form gets only the MSSPs as parents, the rest is typed", async () => {
    const page = await customers("msspAdmin");
    assert.ok(page.rows.length === CUSTOMERS_PAGE_SIZE && page.total === CUSTOMERS + 4, `${page.rows.length} of ${page.total}`);
    assert.ok(page.parentCount > TENANT_SELECT_UP_TO);
    assert.deepEqual(page.parents.map((p) => [p.kind, p.canProvision]), [["mssp", true]], "mssp-a only: mssp-b is not the caller's");
    // What the page sends: the button's props are its few parents, no name of a customer.
    const html = renderToStaticMarkup(createElement(CustomersView, { data: page, query: DEFAULT_CUSTOMERS_QUERY, problems: [], domain: "localhost" }));
    assert.match(html, /New customer or site/);
    const later = await customers("msspAdmin", { q: "big-", page: 3 });
    assert.deepEqual(later.rows.map((r) => r.slug), Array.from({ length: 20 }, (_, k) => big(101 + k)));
    // Past the last page: the last page's rows, not "No customers yet".
    const past = await customers("msspAdmin", { q: "big-", page: 99 });
    assert.deepEqual([past.page, past.rows.map((r) => r.slug)], [3, later.rows.map((r) => r.slug)]);
    const { query, problems } = parseCustomersQuery({ page: "-2", status: "gone", q: "big" });
    assert.deepEqual([query, problems.length], [{ ...DEFAULT_CUSTOMERS_QUERY, q: "big" }, 2]);
  });

  test("with a few tenants the form still lists every one (mssp-b's admin)", async () => {
    const page = await customers("msspBAdmin");
    assert.ok(page.parentCount <= TENANT_SELECT_UP_TO);
    assert.deepEqual(page.parents.map((p) => p.kind).sort(), ["customer", "mssp"]);
  });

  const provision = async (who: UserName, tenantId: string, slug: string) =>
    (await callAction(await loadAction("lib/actions/lifecycle/provision-tenant.ts#provisionTenant"), { person: env.person(who), host: CONSOLE }, {
      tenantId,
      name: `Site ${slug}`,
      slug,
      adminEmail: `admin@${slug}.example`,
    })) as { ok: boolean; error?: string; fieldErrors?: Record<string, string[]>; data?: { tenantId: string } };
  const parentOf = async (slug: string) => (await env.owner<{ parent: string }>("select p.slug as parent from public.tenants t join public.tenants p on p.id = t.parent_id where t.slug = $1", [slug]))[0]?.parent;

  test("a site's parent typed as an address or a whole name is resolved on the server", async () => {
    const bySlug = await provision("msspAdmin", big(77), "typed-site-a");
    assert.ok(bySlug.ok, JSON.stringify(bySlug));
    assert.equal(await parentOf("typed-site-a"), big(77));
    const byName = await provision("msspAdmin", "big customer 0088", "typed-site-b");
    assert.ok(byName.ok, JSON.stringify(byName));
    assert.equal(await parentOf("typed-site-b"), big(88));
    const audit = await env.owner<{ tenant_id: string; outcome: string }>("select tenant_id, outcome from public.audit_log where action = 'tenant.provision-requested' and details->>'slug' = 'typed-site-b'");
    assert.deepEqual(audit.map((r) => r.outcome), ["success"]);
    assert.equal((await env.owner<{ slug: string }>("select slug from public.tenants where id = $1", [audit[0].tenant_id]))[0].slug, big(88), "audited on the parent resolved");
  });

  test("naming none or several is refused on the field, nothing created", async () => {
    const several = await provision("msspAdmin", "Big customer 01", "typed-site-c");
    assert.equal(several.ok, false);
    assert.match(several.fieldErrors?.tenantId?.join(" ") ?? "", /names 21 active customers and sites: Big customer 0100 \(big-0100\)/);
    const none = await provision("msspAdmin", "No such customer", "typed-site-d");
    assert.match(none.fieldErrors?.tenantId?.join(" ") ?? "", /No active customer or site you can see is called that/);
    assert.equal((await env.owner("select 1 from public.tenants where slug in ('typed-site-c', 'typed-site-d')")).length, 0);
  });

  test("another MSSP's customer named exactly is not found (RLS), in either direction", async () => {
    const theirs = await provision("msspAdmin", "Tenant other-co", "typed-site-e");
    assert.equal(theirs.ok, false);
    assert.match(theirs.fieldErrors?.tenantId?.join(" ") ?? "", /No active customer or site you can see/);
    assert.ok(!JSON.stringify(theirs).includes("other-co"), "the refusal names nothing of the other MSSP");
    const ours = await provision("msspBAdmin", big(5), "typed-site-f");
    assert.equal(ours.ok, false);
    assert.match(ours.fieldErrors?.tenantId?.join(" ") ?? "", /No active customer or site you can see/);
    const byAddress = await provision("msspBAdmin", "other-co", "typed-site-g");
    assert.ok(byAddress.ok, `control: mssp-b's admin reaches its own customer (${JSON.stringify(byAddress)})`);
    assert.deepEqual(await Promise.all(["typed-site-e", "typed-site-f", "typed-site-g"].map(parentOf)), [undefined, undefined, "other-co"]);
  });
});

describe("console / (overview): the tree's rows as tuples", () => {
  test("the HTML is the tree's; the client rows carry only what is drawn", () => {
    const counts = (c: number) => ({ critical: c, high: 1, medium: 0, low: 0, info: 2 });
    const site: TenantNode = { id: "s", parentId: "c", slug: "acme-eu", name: "Acme EU", kind: "site", status: "suspended", depth: 3, own: counts(1), subtree: counts(1), alertsHidden: true, children: [] };
    const customer: TenantNode = { id: "c", parentId: "m", slug: "acme", name: "Acme <Corp>", kind: "customer", status: "active", depth: 2, own: counts(2), subtree: counts(3), alertsHidden: false, children: [site] };
    const root: TenantNode = { id: "m", parentId: null, slug: "mssp", name: "Sentinel", kind: "mssp", status: "active", depth: 1, own: counts(0), subtree: counts(3), alertsHidden: false, children: [customer] };
    const element = TenantTreeTable({ roots: [root] });
    const html = renderToStaticMarkup(element);
    for (const s of ["tenant-row-mssp", "tenant-row-acme", "tenant-row-acme-eu", "open-portal-acme", "open-portal-acme-eu"]) assert.ok(html.includes(`data-testid="${s}"`), s);
    assert.ok(!html.includes("open-portal-mssp"));
    assert.match(html, /Acme &lt;Corp&gt;/);
    assert.match(html, /alerts hidden/);
    assert.match(html, /padding-left:40px/);
    // The client component's props: one short tuple per row.
    const rows = JSON.stringify(findProp(element, "rows"));
    assert.ok(rows.length < 3 * 120, `${rows.length} bytes for 3 rows: ${rows}`);
  });
});

/** The first `name` prop in a React element tree (the client rows' tuples). */
function findProp(node: unknown, name: string): unknown {
  if (!node || typeof node !== "object") return undefined;
  if (Array.isArray(node)) {
    for (const n of node) {
      const found = findProp(n, name);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  const props = (node as { props?: Record<string, unknown> }).props;
  if (!props) return undefined;
  if (name in props) return props[name];
  return findProp(props.children, name);
}

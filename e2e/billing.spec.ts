// Billing end to end (issue 12, point 2): last month's usage for Acme (and
// its site) and Globex is in the rollups (inserted as the owner, as the
// rollup job would); the MSSP admin creates a plan, assigns it to Acme and
// Globex, runs the period, reviews and finalizes Acme's invoice, downloads its
// CSV and PDF; Acme's admin then sees its own invoice on its host, and not
// Globex's (list and direct link). Screenshots of the invoice and revenue pages.
import { expect, test } from "@playwright/test";
import pg from "pg";
import { DESKTOP, expectNoSeriousA11yViolations, expectNoSidewaysScroll, PHONE } from "./a11y";
import { CONSOLE, SCREENSHOTS, signIn, tenantUrl } from "./helpers";
import { runInfo } from "./lib/markers";
import { ownerQuery as owner } from "./lib/owner-db";

const ACME = tenantUrl("acme");
test.use({ actionTimeout: 20_000 });
test.describe.configure({ mode: "serial" });

const now = new Date();
const LAST = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
const MONTH = LAST.toISOString().slice(0, 7);
const PLAN = `E2E Standard ${Date.now().toString(36)}`;

let acmeInvoice = "";
let globexInvoice = "";

test.beforeAll(async () => {
  // A re-run starts from no billing for Acme and Globex. Finalized invoices refuse deletion by
  // trigger (the point of them); the test database's owner switches triggers off for this cleanup only.
  const client = new pg.Client({ connectionString: runInfo().databaseUrl });
  await client.connect();
  try {
    await client.query("begin");
    await client.query("set local session_replication_role = replica");
    await client.query("delete from public.billing_invoices where tenant_id in (select id from public.tenants where slug in ('acme', 'globex'))");
    await client.query("delete from public.billing_invoice_lines where tenant_id in (select id from public.tenants where slug in ('acme', 'globex'))");
    await client.query("delete from public.billing_plan_assignments where tenant_id in (select id from public.tenants where slug in ('acme', 'globex'))");
    await client.query("commit");
  } finally {
    await client.end();
  }
  // Last month: Acme 120 endpoints itself + 60 in its EU site on the 10th (peak 180), Globex 40.
  await owner(
    `insert into public.usage_rollups (tenant_id, grain, period_start, metric, quantity, events)
     select t.id, 'day', $1::timestamptz + interval '9 days', 'assets_managed', q.n, 1
       from public.tenants t join (values ('acme', 120), ('acme-eu-west', 60), ('globex', 40)) q(slug, n) on q.slug = t.slug
     on conflict (tenant_id, grain, metric, period_start) do update set quantity = excluded.quantity`,
    [`${MONTH}-01T00:00:00Z`],
  );
  // The hourly rollup has run since (finalizing waits until last month's usage is rolled up to its end).
  await owner(
    `insert into usage.rollup_state (singleton, scanned_to) values (true, now())
     on conflict (singleton) do update set scanned_to = greatest(usage.rollup_state.scanned_to, excluded.scanned_to)`,
  );
});

test("the MSSP admin creates a plan, assigns it, runs the period, finalizes and downloads the invoice", async ({ page }) => {
  await signIn(page, CONSOLE, "mssp.admin@demo.test");
  await page.goto(`${CONSOLE}/billing`);
  await expect(page.getByRole("heading", { name: "Billing", exact: true })).toBeVisible();

  // A plan: EUR, 500.00 a month, 10 endpoints included, then 8.00 up to 100 billable and 6.00 above.
  const create = page.getByRole("form", { name: "Create a plan" });
  await create.getByLabel("Plan name").fill(PLAN);
  await create.getByLabel("Currency (ISO 4217)").fill("EUR");
  // Amounts in euros and cents as an operator writes them (kept as cents: 500.00 is 50000).
  await create.getByLabel("Monthly base fee").fill("500.00");
  // A price finer than a cent is refused with a sentence, nothing saved.
  await create.getByLabel("Assets managed: tiers").fill("100 @ 8.005, @ 6.00");
  await create.getByRole("button", { name: "Create plan" }).click();
  await expect(create.getByText('A unit price has at most 2 decimals in EUR, such as 15.00 ("8.005" is not)')).toBeVisible();
  await create.getByLabel("Assets managed: included").fill("10");
  await create.getByLabel("Assets managed: tiers").fill("100 @ 8, @ 6.00");
  await create.getByRole("button", { name: "Create plan" }).click();
  await expect(page.getByRole("main")).toContainText(`Plan "${PLAN}" created`);

  // Assign it to Acme and Globex from last month.
  for (const slug of ["acme", "globex"]) {
    await page.reload();
    const row = page.getByTestId(`billing-customer-${slug}`);
    await row.getByRole("combobox").selectOption({ label: `${PLAN} (EUR)` });
    await row.getByLabel("From month").fill(MONTH);
    await row.getByRole("button", { name: "Assign" }).click();
    await expect(row.getByText(`Plan assigned from ${MONTH}.`)).toBeVisible();
  }

  // Run the period.
  await page.goto(`${CONSOLE}/billing?month=${MONTH}`);
  const run = page.getByRole("form", { name: "Run a period" });
  // It drafts the month the page shows (one month picker on the page).
  await run.getByRole("button", { name: `Draft all invoices for ${MONTH}` }).click();
  await expect(run.getByText(new RegExp(`drafts? for ${MONTH}`))).toBeVisible();
  await page.reload();
  const list = page.getByTestId("billing-invoices");
  await expect(list.getByTestId("invoice-row")).toHaveCount(2);
  // The summary first, over every invoice of the month (lib/billing/console-page.ts).
  await expect(page.getByTestId("billing-counts")).toContainText(/finalized, [1-9]\d* draft/);
  await expect(page.getByTestId("billing-total-EUR")).toContainText("in drafts");
  await page.screenshot({ path: `${SCREENSHOTS}/billing-console.png`, fullPage: true });
  // A search narrows both tables to one customer; the summary stays the month's.
  await page.goto(`${CONSOLE}/billing?month=${MONTH}&q=globex`);
  await expect(page.getByTestId("billing-invoices").getByTestId("invoice-row")).toHaveCount(1);
  await expect(page.getByTestId("billing-customers").locator("tbody tr")).toHaveCount(1);
  // A bad value is dropped with a note, the page still shown.
  await page.goto(`${CONSOLE}/billing?month=${MONTH}&page=zero`);
  await expect(page.getByRole("status").filter({ hasText: "Ignored the invoices' page" })).toBeVisible();
  await expect(page.getByTestId("billing-invoices").getByTestId("invoice-row")).toHaveCount(2);

  const [acme] = await owner<{ id: string }>("select i.id from public.billing_invoices i join public.tenants t on t.id = i.tenant_id where t.slug = 'acme' and i.period_start = $1", [`${MONTH}-01`]);
  const [globex] = await owner<{ id: string }>("select i.id from public.billing_invoices i join public.tenants t on t.id = i.tenant_id where t.slug = 'globex' and i.period_start = $1", [`${MONTH}-01`]);
  acmeInvoice = acme.id;
  globexInvoice = globex.id;

  // Review Acme's draft: 180 endpoints (its site's included), 170 billable = 100 × 8.00 + 70 × 6.00 = 1,220.00, + 500.00.
  await page.goto(`${CONSOLE}/billing/invoices/${acmeInvoice}`);
  const lines = page.getByTestId("invoice-lines");
  await expect(lines).toContainText("Assets managed, units 1–100");
  await expect(lines).toContainText("Assets managed, units 101+");
  // The days metered, in words; never the metric's internal name.
  await expect(lines).toContainText(`metered ${MONTH}-01 to `);
  await expect(lines).not.toContainText("assets_managed");
  await expect(page.getByTestId("invoice-header-total")).toHaveText("EUR 1,720.00");
  await expect(page.getByTestId("invoice-total")).toHaveText("EUR 1,720.00");
  // Finalizing re-renders the page: numbered, and the finalize control gives way to the credit note form.
  await page.getByRole("button", { name: "Finalize" }).click();
  await expect(page.getByTestId("invoice-status")).toContainText(/Finalized as INV-\d{6}/);
  const credit = page.getByRole("form", { name: "Issue a credit note" });
  await expect(credit).toBeVisible();
  // The credit note's amount in euros too, its limit said the same way; too fine or too much is refused, nothing drafted.
  const amount = credit.getByLabel("Amount to credit in EUR (at most EUR 1,720.00)");
  await credit.getByLabel(/Reason/).fill("Endpoints double-counted");
  await amount.fill("12.345");
  await credit.getByRole("button", { name: "Draft credit note" }).click();
  await expect(credit.getByText("The amount has at most 2 decimals in EUR, such as 15.00")).toBeVisible();
  await amount.fill("1720.01");
  await credit.getByRole("button", { name: "Draft credit note" }).click();
  await expect(credit.getByText("That is more than is left to credit on this invoice (EUR 1,720.00). Nothing was changed.")).toBeVisible();
  await expect(amount).toHaveValue("1720.01");
  await page.screenshot({ path: `${SCREENSHOTS}/billing-invoice.png`, fullPage: true });
  await expectNoSeriousA11yViolations(page);
  // The credit note form on a phone, with both refusals showing: no sideways scroll, every field and
  // the button inside the form's card and on screen, nothing serious for axe.
  await page.setViewportSize(PHONE);
  await expectNoSidewaysScroll(page);
  // The lines fit too: on a phone their figures are under each item, and the Amount column is on screen.
  for (const control of [page.getByTestId("invoice-total"), amount, credit.getByLabel(/Reason/), credit.getByRole("button", { name: "Draft credit note" })]) {
    const box = (await control.boundingBox())!;
    expect(box.x, "it starts off screen").toBeGreaterThanOrEqual(0);
    expect(box.x + box.width, "it ends past the screen's edge").toBeLessThanOrEqual(PHONE.width);
  }
  await expectNoSeriousA11yViolations(page);
  await credit.scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${SCREENSHOTS}/billing-credit-note-390.png`, fullPage: true });
  await page.setViewportSize(DESKTOP);
  await expect(lines.getByRole("columnheader", { name: "Billed units" })).toBeVisible();
  await expect(lines.getByTestId("invoice-line-figures").first()).toBeHidden();

  // Downloads: the CSV (RFC 4180, quoted) and the PDF (bytes start with %PDF).
  const csv = await page.request.get(`${CONSOLE}/billing/invoices/${acmeInvoice}/csv`);
  expect(csv.status()).toBe(200);
  expect(csv.headers()["content-type"]).toContain("text/csv");
  const text = await csv.text();
  expect(text.startsWith('"invoice_number","kind","status"')).toBe(true);
  expect(text).toContain('"assets_managed","180","10","100"');
  const pdf = await page.request.get(`${CONSOLE}/billing/invoices/${acmeInvoice}/pdf`);
  expect(pdf.status()).toBe(200);
  expect((await pdf.body()).subarray(0, 4).toString("latin1")).toBe("%PDF");

  // Globex's too, so the customer check below has a finalized invoice of Globex to not see.
  await page.goto(`${CONSOLE}/billing/invoices/${globexInvoice}`);
  await page.getByRole("button", { name: "Finalize" }).click();
  await expect(page.getByTestId("invoice-status")).toContainText(/Finalized as INV-\d{6}/);

  await page.goto(`${CONSOLE}/billing/revenue`);
  await expect(page.getByTestId("revenue-chart")).toBeVisible();
  await expect(page.getByTestId("revenue-customers")).toContainText("EUR 1,720.00");
  await page.screenshot({ path: `${SCREENSHOTS}/billing-revenue.png`, fullPage: true });
  await expectNoSeriousA11yViolations(page);
});

test("Acme's admin sees its own invoice with its PDF, and not Globex's", async ({ page }) => {
  test.skip(!acmeInvoice, "needs the first test's invoices");
  await signIn(page, ACME, "acme.admin@demo.test");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Billing" }).click();
  const rows = page.getByTestId("billing-invoices").getByTestId("invoice-row");
  await expect(rows).toHaveCount(1);
  await rows.first().getByRole("link").click();
  await expect(page.getByTestId("invoice-total")).toHaveText("EUR 1,720.00");
  await page.screenshot({ path: `${SCREENSHOTS}/billing-tenant-invoice.png`, fullPage: true });
  // Fetched by the page itself (Node's resolver knows no *.localhost; Chromium does).
  const fetchHead = (path: string) =>
    page.evaluate(async (url) => {
      const r = await fetch(url);
      const b = new Uint8Array(await r.arrayBuffer());
      return { status: r.status, head: String.fromCharCode(...b.slice(0, 4)) };
    }, path);
  expect(await fetchHead(`/billing/invoices/${acmeInvoice}/pdf`)).toEqual({ status: 200, head: "%PDF" });
  // Globex's: not in the list, and its downloads and page answer as if it did not exist.
  expect((await fetchHead(`/billing/invoices/${globexInvoice}/pdf`)).status).toBe(404);
  expect((await fetchHead(`/billing/invoices/${globexInvoice}/csv`)).status).toBe(404);
  expect((await page.goto(`${ACME}/billing/invoices/${globexInvoice}`))?.status()).toBe(404);
});

test("a plan that never billed anyone can be deleted; the assigned one stays and says why", async ({ page }) => {
  await signIn(page, CONSOLE, "mssp.admin@demo.test");
  await page.goto(`${CONSOLE}/billing`);
  const mistake = `E2E Mistake ${Date.now().toString(36)}`;
  const create = page.getByRole("form", { name: "Create a plan" });
  await create.getByLabel("Plan name").fill(mistake);
  await create.getByLabel("Currency (ISO 4217)").fill("EUR");
  await create.getByRole("button", { name: "Create plan" }).click();
  await expect(page.getByRole("main")).toContainText(`Plan "${mistake}" created`);
  await page.reload();
  const plan = (name: string) => page.getByTestId("billing-plan").filter({ has: page.locator("summary", { hasText: name }) });
  // The plan assigned in the test above: kept, with the reason and no button.
  await plan(PLAN).locator("summary").click();
  // Its saved amounts come back in euros, as typed (stored as cents).
  await expect(plan(PLAN).getByLabel("Monthly base fee")).toHaveValue("500.00");
  await expect(plan(PLAN).getByLabel("Assets managed: tiers")).toHaveValue("100 @ 8.00, @ 6.00");
  await expect(plan(PLAN).getByTestId("billing-plan-delete")).toContainText("stays for their history");
  await expect(plan(PLAN).getByRole("button", { name: "Delete plan" })).toHaveCount(0);
  // The unused one: deleted after the confirmation, and gone from the list.
  await plan(mistake).locator("summary").click();
  await page.getByRole("region", { name: "Plans", exact: true }).screenshot({ path: `${SCREENSHOTS}/billing-plans.png` });
  page.once("dialog", (d) => void d.accept());
  await plan(mistake).getByRole("button", { name: "Delete plan" }).click();
  // The page is rendered again without it; the list says which went.
  await expect(plan(mistake)).toHaveCount(0);
  await expect(page.getByTestId("plan-removal-answer")).toContainText(`Plan "${mistake}" deleted.`);
  await page.reload();
  await expect(plan(mistake)).toHaveCount(0);
  await expect(plan(PLAN)).toHaveCount(1);
});

test("a plan assigned by mistake is replaced with Replace ticked; a month already invoiced keeps its plan", async ({ page }) => {
  test.skip(!acmeInvoice, "needs the first test's finalized invoice");
  const THIS_MONTH = new Date().toISOString().slice(0, 7);
  await signIn(page, CONSOLE, "mssp.admin@demo.test");
  await page.goto(`${CONSOLE}/billing`);
  const premium = `E2E Premium ${Date.now().toString(36)}`;
  const create = page.getByRole("form", { name: "Create a plan" });
  await create.getByLabel("Plan name").fill(premium);
  await create.getByLabel("Currency (ISO 4217)").fill("EUR");
  await create.getByRole("button", { name: "Create plan" }).click();
  await expect(page.getByRole("main")).toContainText(`Plan "${premium}" created`);

  const assign = async (plan: string, month: string, replace: boolean) => {
    await page.reload();
    const row = page.getByTestId("billing-customer-acme");
    await row.getByRole("combobox").selectOption({ label: `${plan} (EUR)` });
    await row.getByLabel("From month").fill(month);
    await row.getByLabel("Replace the plan assigned from that month").setChecked(replace);
    await row.getByRole("button", { name: "Assign" }).click();
    return row;
  };
  // Without Replace, a second plan from the same month is refused and says how to correct it.
  let row = await assign(premium, MONTH, false);
  await expect(row.getByText(`${PLAN} already bills this customer from ${MONTH}`)).toBeVisible();
  await expect(row.getByText(/assign again with "Replace the plan assigned from that month" ticked/)).toBeVisible();
  // With it, a month whose invoice is finalized keeps the plan it was billed at.
  row = await assign(premium, MONTH, true);
  await expect(row.getByText(`The invoice of ${MONTH} was finalized at ${PLAN}`)).toBeVisible();
  // A month not invoiced yet: the mistake is replaced over its period.
  row = await assign(PLAN, THIS_MONTH, false);
  await expect(row.getByText(`Plan assigned from ${THIS_MONTH}.`)).toBeVisible();
  row = await assign(premium, THIS_MONTH, true);
  await expect(row.getByText(`Plan assigned from ${THIS_MONTH}, replacing ${PLAN}.`)).toBeVisible();
  await row.screenshot({ path: `${SCREENSHOTS}/billing-replace.png` });
  const held = await owner<{ month: string; plan: string }>(
    `select to_char(a.starts_on, 'YYYY-MM') as month, p.name as plan from public.billing_plan_assignments a
       join public.billing_plans p on p.id = a.plan_id join public.tenants t on t.id = a.tenant_id
      where t.slug = 'acme' order by a.starts_on`,
  );
  expect(held).toEqual([{ month: MONTH, plan: PLAN }, { month: THIS_MONTH, plan: premium }]);
});

// The console's view of a customer's custom domains in a real browser against
// the production build: the MSSP's admin opens Acme from the Customers list
// (its serving-domain badge), follows "Custom domains" from the customer page,
// sees a verified domain and one in its grace period (with the deadline), the
// records to create and the last check, adds a domain on Acme's behalf,
// re-checks it and removes it. axe on desktop and at 390 px. The DNS answers
// themselves are tested against dnsmasq in tests/console-domains.test.ts.
// Screenshots: console-domains-*.png.
import { expect, type Page, test } from "@playwright/test";
import { expectNoSeriousA11yViolations, expectNoSidewaysScroll, PHONE } from "./a11y";
import { CONSOLE, SCREENSHOTS, signedInAs, signIn, tenantUrl } from "./helpers";
import { holdingAdvisoryLock, ownerQuery } from "./lib/owner-db";

test.use({ actionTimeout: 20_000 });
test.describe.configure({ mode: "serial" });

const SUFFIX = "console-e2e.test";
const VERIFIED = `soc.${SUFFIX}`;
const GRACE = `old.${SUFFIX}`;
const ADDED = `new.${SUFFIX}`;

const owner = ownerQuery;

const cleanUp = () => owner("delete from public.custom_domains where domain like $1", [`%.${SUFFIX}`]);

test.afterAll(cleanUp);

test("the MSSP's admin sees, re-checks, adds and removes Acme's custom domains from the console", async ({ page }) => {
  test.setTimeout(120_000);
  // The planted domains have no DNS records here: the scheduled re-check (every ten minutes by the
  // clock) would move the verified one into its grace period if it ran during the test. It takes
  // this lock first, so it waits until the test is done.
  await holdingAdvisoryLock("domains.recheck", () => manageAcmeDomains(page));
});

async function manageAcmeDomains(page: Page) {
  await cleanUp();
  const [{ id: acme }] = await owner<{ id: string }>("select id from public.tenants where slug = 'acme'");
  await owner(
    `insert into public.custom_domains (tenant_id, domain, skeleton, token, status, verified_at, last_checked_at, last_check, missing_since) values
       ($1, $2, $2, 'e2e-verified-token-0123456789abcdef', 'verified', now() - interval '2 days', now() - interval '5 minutes', 'ok', null),
       ($1, $3, $3, 'e2e-grace-token-0123456789abcdefgh', 'grace', now() - interval '9 days', now() - interval '5 minutes', 'missing', now() - interval '1 day')`,
    [acme, VERIFIED, GRACE],
  );

  await signIn(page, CONSOLE, "mssp.admin@demo.test");
  await page.goto(`${CONSOLE}/customers?q=acme`);
  const badge = page.getByTestId("customer-row-acme").getByTestId("customer-domains-badge");
  await expect(badge).toHaveText(/^\d+ custom domains?$/);
  expect(Number((await badge.innerText()).split(" ")[0])).toBeGreaterThanOrEqual(2);

  await page.goto(`${CONSOLE}/customers/acme`);
  await page.getByTestId("customer-domains-link").click();
  await expect(page).toHaveURL(/\/customers\/acme\/domains$/);
  await expect(page.getByRole("heading", { name: /Custom domains of Acme/ })).toBeVisible();

  const verified = page.locator(`[data-domain="${VERIFIED}"]`);
  await expect(verified.getByTestId("domain-status")).toHaveText("Verified, serving");
  await expect(verified).toContainText(`_mssp-verify.${VERIFIED}`);
  await expect(verified).toContainText("e2e-verified-token-0123456789abcdef");
  await expect(verified.getByTestId("domain-last-check")).toContainText("TXT and CNAME records found");
  const grace = page.locator(`[data-domain="${GRACE}"]`);
  await expect(grace.getByTestId("domain-status")).toHaveText(/grace period/);
  await expect(grace.getByTestId("domain-grace")).toContainText(/Put it back before \d+ \w+ \d{4}/);
  await expect(grace.getByTestId("domain-last-check")).toContainText("no TXT record found");
  await expectNoSeriousA11yViolations(page);
  await page.screenshot({ path: `${SCREENSHOTS}/console-domains-list.png`, fullPage: true });

  // On Acme's behalf: bad input first (nothing stored), then a domain.
  await page.getByLabel("Domain name").fill("10.0.0.1");
  await page.getByRole("button", { name: "Add domain" }).click();
  await expect(page.getByTestId("domain-add").getByRole("alert")).toBeVisible();
  await page.getByLabel("Domain name").fill(ADDED);
  await page.getByRole("button", { name: "Add domain" }).click();
  const added = page.locator(`[data-domain="${ADDED}"]`);
  await expect(added.getByTestId("domain-status")).toHaveText("Waiting for DNS");
  await expect(added.getByTestId("domain-last-check")).toHaveText("Last checked never.");
  const [row] = await owner<{ tenant_id: string }>("select tenant_id from public.custom_domains where domain = $1", [ADDED]);
  expect(row.tenant_id).toBe(acme);

  // Verify now (pending; verified ones say "Re-check now"): no record exists for it (or no DNS server answers here);
  // either way it is checked and stays pending.
  await expect(verified.getByRole("button", { name: "Re-check now" })).toBeVisible();
  await added.getByRole("button", { name: "Verify now" }).click();
  await expect(added.getByRole("status")).toHaveText(/No TXT record found yet|The DNS server did not answer/, { timeout: 20_000 });
  await expect(added.getByTestId("domain-last-check")).not.toHaveText("Last checked never.");
  await expect(added.getByTestId("domain-status")).toHaveText("Waiting for DNS");
  await expectNoSeriousA11yViolations(page);

  await page.setViewportSize(PHONE);
  await expectNoSidewaysScroll(page);
  await expectNoSeriousA11yViolations(page);
  await page.screenshot({ path: `${SCREENSHOTS}/console-domains-phone.png`, fullPage: true });

  page.once("dialog", (d) => d.accept());
  await added.getByRole("button", { name: "Remove" }).click();
  await expect(page.locator(`[data-domain="${ADDED}"]`)).toHaveCount(0);
  expect(await owner("select 1 from public.custom_domains where domain = $1", [ADDED])).toHaveLength(0);
}

test("a customer without domains says what to do", async ({ page }) => {
  await signIn(page, CONSOLE, "mssp.admin@demo.test");
  const [{ slug }] = await owner<{ slug: string }>(
    // A customer of this MSSP (Acme's parent): other specs plant another MSSP's customers, which are a 403 here.
    `select t.slug from public.tenants t where t.kind = 'customer' and t.status = 'active' and t.slug <> 'acme'
        and t.parent_id = (select parent_id from public.tenants where slug = 'acme')
        and not exists (select 1 from public.custom_domains d where d.tenant_id = t.id) order by t.path limit 1`,
  );
  await page.goto(`${CONSOLE}/customers/${slug}/domains`);
  await expect(page.getByTestId("domains-empty")).toContainText("has no custom domains yet");
  await expect(page.getByTestId("domains-empty")).toContainText("send them the two DNS records");
  await expectNoSeriousA11yViolations(page);
  await page.screenshot({ path: `${SCREENSHOTS}/console-domains-empty.png`, fullPage: true });
});

test("a look-alike of another customer's domain: Acme's admin is told to ask the MSSP, whose admin adds and approves it", async ({ page }) => {
  test.setTimeout(120_000);
  await holdingAdvisoryLock("domains.recheck", async () => {
    await cleanUp();
    // Globex serves portal.<suffix>; "p0rtal" reads the same to a person (lib/domains/skeleton.ts).
    const ROUTED = `portal.${SUFFIX}`;
    const LOOK_ALIKE = `p0rtal.${SUFFIX}`;
    await owner(
      `insert into public.custom_domains (tenant_id, domain, skeleton, token, status, verified_at, last_checked_at, last_check)
       select id, $1, $1, 'e2e-globex-token-0123456789abcdefgh', 'verified', now() - interval '2 days', now(), 'ok' from public.tenants where slug = 'globex'`,
      [ROUTED],
    );

    await signIn(page, tenantUrl("acme"), "acme.admin@demo.test");
    await signedInAs(page, "acme.admin@demo.test");
    await page.goto(`${tenantUrl("acme")}/domains`);
    await page.getByLabel("Domain name").fill(LOOK_ALIKE);
    await page.getByRole("button", { name: "Add domain" }).click();
    await expect(page.getByTestId("domain-add").getByRole("alert")).toContainText("ask your MSSP to add it for you from their console. Nothing was added.");
    expect(await owner("select 1 from public.custom_domains where domain = $1", [LOOK_ALIKE])).toHaveLength(0);
    await page.getByTestId("domain-add").screenshot({ path: `${SCREENSHOTS}/domains-lookalike-refused.png` });

    await signIn(page, CONSOLE, "mssp.admin@demo.test");
    await page.goto(`${CONSOLE}/customers/acme/domains`);
    await page.getByLabel("Domain name").fill(LOOK_ALIKE);
    await page.getByRole("button", { name: "Add domain" }).click();
    await expect(page.getByTestId("domain-add")).toContainText("Domain added and approved, although it looks like a domain another portal serves.");
    await expect(page.locator(`[data-domain="${LOOK_ALIKE}"]`).getByTestId("domain-status")).toHaveText("Waiting for DNS");
    const [row] = await owner<{ tenant: string; approver: string }>(
      `select t.slug as tenant, u.email as approver from public.custom_domains d join public.tenants t on t.id = d.tenant_id
         join public.users u on u.id = d.lookalike_approved_by where d.domain = $1 and d.lookalike_approved_at is not null`,
      [LOOK_ALIKE],
    );
    expect(row).toEqual({ tenant: "acme", approver: "mssp.admin@demo.test" });
    await page.screenshot({ path: `${SCREENSHOTS}/console-domains-lookalike-approved.png`, fullPage: true });
  });
});

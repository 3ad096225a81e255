// Custom domains in a real browser against the production build (issue 14
// point 3): the Acme admin adds soc.acme.test on /domains and sees the DNS
// records to create; bad input is refused. The DNS check itself runs against
// dnsmasq, and routing and TLS on the domain against the proxy and Caddy, in
// tests/domains-verify.test.ts and tests/domains-tls.test.ts. Screenshots: domains-*.png.
import { expect, test } from "@playwright/test";
import { expectNoSeriousA11yViolations } from "./a11y";
import { SCREENSHOTS, signedInAs, signIn, tenantUrl } from "./helpers";
import { ownerQuery as owner } from "./lib/owner-db";

test.use({ actionTimeout: 20_000 });
test.describe.configure({ mode: "serial" });

const DOMAIN = "soc.acme.test";

test("the Acme admin adds a domain and sees the records to create; bad input is refused", async ({ page }) => {
  await owner("delete from public.custom_domains where domain = $1", [DOMAIN]);
  await signIn(page, tenantUrl("acme"), "acme.admin@demo.test");
  // signIn returns on the click when there is no second factor: wait for the session before going on.
  await signedInAs(page, "acme.admin@demo.test");
  await page.goto(`${tenantUrl("acme")}/domains`);
  await expect(page.getByTestId("domains-empty").or(page.getByTestId("domain-row").first())).toBeVisible();
  await expectNoSeriousA11yViolations(page);
  await page.getByLabel("Domain name").fill("*.acme.test");
  await page.getByRole("button", { name: "Add domain" }).click();
  await expect(page.getByText("Wildcard domains cannot be added")).toBeVisible();
  await page.getByLabel("Domain name").fill(DOMAIN);
  await page.getByRole("button", { name: "Add domain" }).click();
  const row = page.locator(`[data-domain="${DOMAIN}"]`);
  await expect(row).toBeVisible();
  await expect(row.getByTestId("domain-status")).toHaveText("Waiting for DNS");
  await expect(row).toContainText(`_mssp-verify.${DOMAIN}`);
  await expectNoSeriousA11yViolations(page);
  await page.screenshot({ path: `${SCREENSHOTS}/domains-added.png`, fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: `${SCREENSHOTS}/domains-added-phone.png`, fullPage: true });
});

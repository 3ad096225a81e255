// The tenant lifecycle end to end in a real browser: the MSSP admin onboards
// "Wayne Enterprises" with a site and watches both provisionings finish; the
// invited admin accepts and signs in on wayne.localhost; the MSSP admin
// suspends Wayne (the tenant admin gets the "not available" page at the next
// click), resumes it, then offboards it with the typed name and no grace
// period and watches the offboarding to its tombstone; the former admin's
// session ends with the membership.
import { expect, test, type Page } from "@playwright/test";
import { expectNoSeriousA11yViolations, expectNoSidewaysScroll, PHONE } from "./a11y";
import { CONSOLE, SCREENSHOTS, signIn, tenantUrl } from "./helpers";
import { codeIn, linkIn, waitForMail } from "./mail";

const ADMIN_EMAIL = "bruce@wayne.example";
const PASSWORD = "wayne-admin-password-2026";

async function waitForWorkflow(page: Page, kind: "lifecycle.provision" | "lifecycle.offboard") {
  await expect(page.getByTestId(`workflow-${kind}`)).toHaveAttribute("data-job-status", "succeeded", { timeout: 45_000 });
}

test("onboard Wayne with a site, its admin signs in, suspend, resume, offboard", async ({ browser, page }) => {
  test.setTimeout(240_000);
  await signIn(page, CONSOLE, "mssp.admin@demo.test");

  // 1. New customer.
  await page.goto(`${CONSOLE}/customers`);
  await expect(page.getByRole("heading", { name: "Customers" })).toBeVisible();
  await page.screenshot({ path: `${SCREENSHOTS}/customers.png`, fullPage: true });
  await page.getByRole("button", { name: "New customer or site" }).click();
  const form = page.getByRole("form", { name: "New customer" });
  await form.getByLabel("Name").fill("Wayne Enterprises");
  await expect(form.getByLabel("Address")).toHaveValue("wayne-enterprises");
  await form.getByLabel("Address").fill("www");
  await form.getByLabel("Isolation plan").selectOption("enterprise");
  await form.getByLabel("First admin's email").fill(ADMIN_EMAIL);
  await form.getByRole("button", { name: "Create customer" }).click();
  await expect(form.getByText(/reserved for the portal itself/)).toBeVisible();
  await form.getByLabel("Address").fill("wayne");
  await form.getByRole("button", { name: "Create customer" }).click();
  // The invitation goes to the first admin by email; the operator never sees its link.
  await expect(page.getByTestId("invitation-to")).toContainText(`emailed to ${ADMIN_EMAIL}`);
  await expect(page.getByTestId("provision-done")).not.toContainText("/invite");
  await page.screenshot({ path: `${SCREENSHOTS}/customers-provisioned.png`, fullPage: true });
  await page.getByRole("link", { name: "Follow the provisioning of Wayne Enterprises" }).click();
  await waitForWorkflow(page, "lifecycle.provision");
  await expect(page.getByTestId("tenant-status")).toHaveText("Active");
  await expect(page.getByTestId("step-isolation")).toContainText("rendered, not applied");
  await page.screenshot({ path: `${SCREENSHOTS}/customer-detail.png`, fullPage: true });

  // 2. A site under it.
  await page.getByRole("button", { name: "Add site" }).click();
  const site = page.getByRole("form", { name: "New site" });
  await site.getByLabel("Name").fill("Gotham HQ");
  await site.getByLabel("Address").fill("wayne-gotham");
  await site.getByLabel("First admin's email").fill("lucius@wayne.example");
  await site.getByRole("button", { name: "Create site" }).click();
  await page.getByRole("link", { name: "Follow the provisioning of Gotham HQ" }).click();
  await waitForWorkflow(page, "lifecycle.provision");
  await expect(page.getByText("under Wayne Enterprises")).toBeVisible();

  // 3. The invited admin opens the emailed link, proves the mailbox with the mailed code, and lands on wayne.localhost.
  const link = linkIn(await waitForMail(ADMIN_EMAIL, /invited to join Wayne Enterprises/));
  expect(link).toMatch(new RegExp(`^${tenantUrl("wayne")}/invite#token=[A-Za-z0-9_-]{43}$`));
  const invitee = await browser.newContext();
  const p = await invitee.newPage();
  await p.goto(link);
  await expect(p.getByTestId("invite-title")).toHaveText(/Join Wayne Enterprises as Admin/);
  await p.getByRole("button", { name: "Email me a code" }).click();
  const code = codeIn(await waitForMail(ADMIN_EMAIL, /code to join Wayne Enterprises/));
  await p.getByLabel("Code from the email").fill(code);
  await p.getByLabel("Your name").fill("Bruce Wayne");
  await p.getByLabel(/Choose a password/).fill(PASSWORD);
  await p.getByRole("button", { name: "Create account and join" }).click();
  await expect(p).toHaveURL(`${tenantUrl("wayne")}/alerts`);
  await expect(p.getByRole("heading", { name: "Alerts" })).toBeVisible();
  await p.screenshot({ path: `${SCREENSHOTS}/wayne-admin-alerts.png`, fullPage: true });

  // 4. Suspend: the tenant admin is locked out at the next click.
  await page.goto(`${CONSOLE}/customers/wayne`);
  const suspend = page.getByRole("form", { name: "Suspend Wayne Enterprises" });
  await suspend.getByLabel(/Reason/).fill("Contract paused by the customer");
  await suspend.getByRole("button", { name: "Suspend Wayne Enterprises" }).click();
  await expect(page.getByTestId("tenant-status")).toHaveText("Suspended");
  await expect(page.getByTestId("status-reason")).toContainText("Contract paused by the customer");
  await p.reload();
  await expect(p.getByTestId("tenant-locked")).toContainText("The Wayne Enterprises account is suspended");
  await expect(p.getByTestId("tenant-locked")).toContainText("Contact Sentinel MSSP");
  await p.screenshot({ path: `${SCREENSHOTS}/wayne-suspended.png`, fullPage: true });
  // The locked notice on a phone, under axe.
  await p.setViewportSize(PHONE);
  await expectNoSidewaysScroll(p);
  await expectNoSeriousA11yViolations(p);
  await p.screenshot({ path: `${SCREENSHOTS}/phone-wayne-suspended.png`, fullPage: true });
  await page.goto(`${CONSOLE}/customers?status=suspended`);
  await expect(page.getByTestId("customer-row-wayne")).toBeVisible();
  await expect(page.getByTestId("customer-row-wayne-gotham")).toHaveCount(0);

  // 5. Resume.
  await page.goto(`${CONSOLE}/customers/wayne`);
  await page.getByRole("button", { name: "Resume Wayne Enterprises" }).click();
  await expect(page.getByTestId("tenant-status")).toHaveText("Active");
  await p.reload();
  await expect(p.getByRole("heading", { name: "Alerts" })).toBeVisible();

  // 6. Offboard with the typed name, no grace period, and watch it to the end.
  const offboard = page.getByRole("form", { name: "Offboard Wayne Enterprises" });
  await offboard.getByLabel(/Type/).fill("Wayne");
  await offboard.getByLabel("Grace period (days)").fill("0");
  await offboard.getByRole("button", { name: "Offboard Wayne Enterprises" }).click();
  await expect(offboard.getByTestId("action-error")).toContainText('exactly ("Wayne Enterprises")');
  await offboard.getByLabel(/Type/).fill("Wayne Enterprises");
  await offboard.getByRole("button", { name: "Offboard Wayne Enterprises" }).click();
  await expect(page.getByTestId("workflow-lifecycle.offboard")).toBeVisible();
  await page.screenshot({ path: `${SCREENSHOTS}/wayne-offboarding.png`, fullPage: true });
  await waitForWorkflow(page, "lifecycle.offboard");
  await expect(page.getByTestId("tenant-status")).toHaveText("Offboarded");
  await expect(page.getByTestId("tombstone")).toBeVisible();
  // The banner in words, never the stored reason ("offboarded", "offboarding (was active)").
  await expect(page.getByTestId("status-reason")).toContainText(/^Offboarded on .+, offboarding started by /);
  await expect(page.getByTestId("step-purge")).toHaveAttribute("data-step-status", "succeeded");
  await page.screenshot({ path: `${SCREENSHOTS}/wayne-offboarded.png`, fullPage: true });
  // Its former admin's membership went with its data, and with it their
  // session (revoked when a membership is removed): the next click is the
  // sign-in page, which no longer names the tenant to them.
  await p.reload();
  await expect(p.getByRole("heading", { name: "Sign in" })).toBeVisible();
  await expect(p.getByTestId("tenant-locked")).toHaveCount(0);
  await expect(p.locator("body")).not.toContainText("Wayne");
  await invitee.close();
});

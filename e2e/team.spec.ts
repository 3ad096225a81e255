// Team management end to end: an MSSP admin invites an analyst into a
// customer, the invitee accepts from the emailed link with the emailed code, sets up TOTP, signs in with a
// code, and sees exactly what an analyst may see.
import { expect, test } from "@playwright/test";
import { CONSOLE, SCREENSHOTS, freshTotp, signIn, tenantUrl } from "./helpers";
import { codeIn, linkIn, waitForMail } from "./mail";

const INVITEE = "new.analyst@globex-corp.example";
const PASSWORD = "a-long-invitee-password-2026";

test("invite → accept → enrol TOTP → sign in with a code → the analyst's pages only", async ({ browser, page }) => {
  test.setTimeout(180_000);

  // 1. The MSSP admin invites an analyst into Globex.
  await signIn(page, CONSOLE, "mssp.admin@demo.test");
  await page.getByRole("link", { name: "Team" }).click();
  await page.goto(`${CONSOLE}/team?tenant=globex`);
  await expect(page.getByText("Members of Globex")).toBeVisible();
  const invite = page.getByRole("form", { name: "Invite a member" });
  await invite.getByLabel("Email").fill("not-an-email");
  await invite.getByLabel("Role").selectOption("tenant_analyst");
  await invite.getByRole("button", { name: "Send invitation" }).click();
  await expect(page.getByTestId("action-error")).toBeVisible();
  await invite.getByLabel("Email").fill(INVITEE);
  await invite.getByRole("button", { name: "Send invitation" }).click();
  // The link arrives by email (a real SMTP server behind the e2e server), never on the page.
  await expect(invite.getByText(`Invitation sent to ${INVITEE}.`)).toBeVisible();
  const link = linkIn(await waitForMail(INVITEE, /invited to join Globex/));
  expect(link).toMatch(new RegExp(`^${tenantUrl("globex")}/invite#token=[A-Za-z0-9_-]{43}$`));
  await expect(page.getByTestId(`invitation-${INVITEE}`)).toBeVisible();
  await page.screenshot({ path: `${SCREENSHOTS}/team-invite.png`, fullPage: true });

  // 2. The invitee opens the link in their own browser and creates an account.
  const invitee = await browser.newContext();
  const p = await invitee.newPage();
  await p.goto(link);
  await expect(p.getByTestId("invite-title")).toHaveText("Join Globex as Analyst");
  await p.getByRole("button", { name: "Email me a code" }).click();
  await p.getByLabel("Code from the email").fill(codeIn(await waitForMail(INVITEE, /code to join Globex/)));
  await p.getByLabel("Your name").fill("Nia Analyst");
  await p.getByLabel(/Choose a password/).fill(PASSWORD);
  await p.screenshot({ path: `${SCREENSHOTS}/invite-accept.png`, fullPage: true });
  await p.getByRole("button", { name: "Create account and join" }).click();
  await expect(p).toHaveURL(`${tenantUrl("globex")}/alerts`);
  await expect(p.getByRole("heading", { name: "Alerts" })).toBeVisible();

  // The link is single use.
  await p.goto(link);
  await expect(p.getByTestId("invite-invalid")).toBeVisible();

  // 3. The invitee turns on TOTP.
  await p.goto(`${tenantUrl("globex")}/account/mfa`);
  await p.getByLabel("Your password").fill(PASSWORD);
  await p.getByRole("button", { name: "Set up authenticator app" }).click();
  const secret = (await p.getByTestId("totp-secret").innerText()).replace(/\s/g, "");
  await p.getByLabel("Code from the app").fill(await freshTotp(secret));
  await p.getByRole("button", { name: "Confirm and turn on" }).click();
  await expect(p.getByTestId("recovery-codes").locator("li")).toHaveCount(10);
  await invitee.close();

  // 4. A fresh sign-in asks for the code.
  const again = await browser.newContext();
  const q = await again.newPage();
  await signIn(q, tenantUrl("globex"), INVITEE, PASSWORD, { totpSecret: secret });
  await expect(q.getByRole("heading", { name: "Alerts" })).toBeVisible();
  const rows = q.getByTestId("alerts-table").locator("tbody tr");
  await expect(rows.first()).toBeVisible();
  for (const slug of await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-tenant")))) {
    expect(slug?.startsWith("globex")).toBe(true);
  }

  // 5. Exactly an analyst's pages: no Team, no Audit; the URLs refuse too.
  const nav = q.getByRole("navigation", { name: "Main" });
  await expect(nav.getByRole("link", { name: "Alerts" })).toBeVisible();
  await expect(nav.getByRole("link", { name: "Team" })).toHaveCount(0);
  await expect(nav.getByRole("link", { name: "Audit" })).toHaveCount(0);
  await q.screenshot({ path: `${SCREENSHOTS}/invitee-alerts.png`, fullPage: true });
  await q.goto(`${tenantUrl("globex")}/team`);
  await expect(q.getByTestId("team-not-allowed")).toBeVisible();
  await q.goto(`${tenantUrl("globex")}/audit`);
  // The audit page shows the analyst the "administrators only" notice and no list
  // (it checked a "members-table" test id that no page has, so it could not fail).
  await expect(q.getByTestId("audit-restricted")).toBeVisible();
  await expect(q.getByTestId("audit-table")).toHaveCount(0);
  // Another customer's portal: the invitee can sign in there, and gets the 403 page.
  await signIn(q, tenantUrl("acme"), INVITEE, PASSWORD, { totpSecret: secret });
  await expect(q.getByTestId("forbidden-title")).toBeVisible();
  const acme = await q.goto(`${tenantUrl("acme")}/alerts`);
  expect(acme?.status()).toBe(403);
  await again.close();

  // 6. The admin sees the new member, and the audit trail recorded it all.
  await page.goto(`${CONSOLE}/team?tenant=globex`);
  await expect(page.getByTestId(`member-${INVITEE}`)).toBeVisible();
  await page.goto(`${CONSOLE}/audit?tenant=globex`);
  await expect(page.getByText("team:invite").first()).toBeVisible();
  await expect(page.getByText("team:accept-invite").first()).toBeVisible();
  await page.screenshot({ path: `${SCREENSHOTS}/audit-console.png`, fullPage: true });
});

test("a tenant admin cannot remove the tenant's last admin, and the refusal is audited", async ({ page }) => {
  await signIn(page, tenantUrl("globex"), "globex.admin@demo.test");
  await expect(page.getByRole("heading", { name: "Alerts" })).toBeVisible();
  await page.goto(`${tenantUrl("globex")}/team`);
  const me = page.getByTestId("member-globex.admin@demo.test");
  await expect(me).toBeVisible();
  page.once("dialog", (d) => d.accept());
  await me.getByRole("button", { name: "Remove" }).click();
  // The refusal is said above the members (the list's answer, components/ui/row-removals.tsx); the row stays.
  await expect(page.getByTestId("action-error")).toContainText("last admin");
  await expect(me).toBeVisible();
  await page.screenshot({ path: `${SCREENSHOTS}/team-last-admin.png`, fullPage: true });
  await page.goto(`${tenantUrl("globex")}/audit?outcome=denied`);
  await expect(page.getByText("team:remove").first()).toBeVisible();

  // The tenant admin then requires two-step verification for everyone in
  // Globex; from the next request on, they must set it up themselves.
  await page.goto(`${tenantUrl("globex")}/team`);
  await expect(page.getByTestId("require-mfa-state")).toContainText("Optional");
  await page.getByRole("button", { name: "Require for everyone" }).click();
  // Wait until it is saved: the page re-renders with "Make optional", or
  // already sends them to set up MFA. (The button's label also goes away while
  // the action is pending, "Saving…"; navigating then could cancel the action,
  // which is the race CI once lost.)
  await expect
    .poll(async () => page.url().includes("/account/mfa") || (await page.getByRole("button", { name: "Make optional" }).count()) > 0, { timeout: 15_000 })
    .toBe(true);
  await page.goto(`${tenantUrl("globex")}/alerts`);
  await expect(page).toHaveURL(/\/account\/mfa/);
});

test("a changed role stays shown after the change is saved", async ({ page }) => {
  await signIn(page, tenantUrl("acme"), "acme.admin@demo.test");
  await page.goto(`${tenantUrl("acme")}/team`);
  const select = page.getByLabel("Role of acme.viewer@demo.test");
  const row = page.getByTestId("member-acme.viewer@demo.test");
  const save = async (label: string) => {
    await select.selectOption({ label });
    await row.getByRole("button", { name: "Save" }).click();
    await expect(row).toContainText(/updated|changed/i);
  };
  await save("Analyst");
  await expect(select).toHaveValue("tenant_analyst");
  await page.reload();
  await expect(page.getByLabel("Role of acme.viewer@demo.test")).toHaveValue("tenant_analyst");
  // Back as it was (other tests sign in as the viewer).
  await save("Viewer");
  await expect(select).toHaveValue("tenant_viewer");
});

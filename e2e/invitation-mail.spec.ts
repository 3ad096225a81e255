// Invitations and password reset by email, in a real browser against the
// production build, with the portal's mail going to a real SMTP server
// (scripts/e2e-server.ts): the invitee gets the email, opens the link (token
// in the fragment), gets a code by email, and only with it creates the
// account; then resets the password from the sign-in page.
import { expect, test } from "@playwright/test";
import { CONSOLE, SCREENSHOTS, signIn, tenantUrl } from "./helpers";
import { codeIn, linkIn, mailCount, waitForMail } from "./mail";

const INVITEE = "mail.invitee@globex-corp.example";
const PASSWORD = "an-invitee-password-2026";
const NEW_PASSWORD = "a-reset-password-after-2026";

test("invitation by email with a mailed code, then password reset by email", async ({ browser, page }) => {
  test.setTimeout(180_000);

  // The admin invites; the page says the invitation was sent, and shows no link.
  await signIn(page, CONSOLE, "mssp.admin@demo.test");
  await page.goto(`${CONSOLE}/team?tenant=globex`);
  const invite = page.getByRole("form", { name: "Invite a member" });
  await invite.getByLabel("Email").fill(INVITEE);
  await invite.getByLabel("Role").selectOption("tenant_viewer");
  await invite.getByRole("button", { name: "Send invitation" }).click();
  await expect(invite.getByText(`Invitation sent to ${INVITEE}.`)).toBeVisible();
  await expect(page.getByTestId("invite-link")).toHaveCount(0);
  await expect(page.getByTestId(`invitation-${INVITEE}`).getByRole("button", { name: "Resend" })).toBeVisible();

  // The email carries the link; the token is in the fragment, which the browser never sends.
  const mail = await waitForMail(INVITEE, /invited to join Globex/);
  const link = new URL(linkIn(mail));
  expect(`${link.origin}${link.pathname}${link.search}`).toBe(`${tenantUrl("globex")}/invite`);
  expect(link.hash).toMatch(/^#token=[A-Za-z0-9_-]{43}$/);

  const invitee = await browser.newContext();
  const p = await invitee.newPage();
  const requested: string[] = [];
  p.on("request", (r) => requested.push(r.url()));
  await p.goto(link.toString());
  await expect(p.getByTestId("invite-title")).toHaveText("Join Globex as Viewer");
  // The page took the token out of the address bar, and no request carried it in a URL.
  expect(p.url()).toBe(`${tenantUrl("globex")}/invite`);
  const token = link.hash.slice("#token=".length);
  expect(requested.filter((u) => u.includes(token))).toEqual([]);

  // No account without the code: the form appears only after a code is sent, and a wrong code is refused.
  await expect(p.getByLabel("Code from the email")).toHaveCount(0);
  await p.getByRole("button", { name: "Email me a code" }).click();
  await expect(p.getByText(`We emailed a 6-digit code to ${INVITEE}`)).toBeVisible();
  const code = codeIn(await waitForMail(INVITEE, /code to join Globex/));
  expect(code).toMatch(/^\d{6}$/);
  const wrongCode = code === "000000" ? "111111" : "000000";
  await p.getByLabel("Code from the email").fill(wrongCode);
  await p.getByLabel("Your name").fill("Mae Viewer");
  await p.getByLabel(/Choose a password/).fill(PASSWORD);
  await p.getByRole("button", { name: "Create account and join" }).click();
  await expect(p.getByTestId("action-error")).toContainText("That code is wrong or has expired");
  // A refusal keeps what was typed, the code included.
  await expect(p.getByLabel("Code from the email")).toHaveValue(wrongCode);
  await p.getByLabel("Code from the email").fill(code);
  await p.getByLabel("Your name").fill("Mae Viewer");
  await p.getByLabel(/Choose a password/).fill(PASSWORD);
  await p.screenshot({ path: `${SCREENSHOTS}/invite-mail-code.png`, fullPage: true });
  await p.getByRole("button", { name: "Create account and join" }).click();
  await expect(p).toHaveURL(`${tenantUrl("globex")}/alerts`);
  await expect(p.getByRole("heading", { name: "Alerts" })).toBeVisible();
  // Single use.
  await p.goto(link.toString());
  await expect(p.getByTestId("invite-invalid")).toBeVisible();
  await invitee.close();

  // Password reset from the sign-in page: the same answer for an unknown address, a code for the real one.
  const r = await (await browser.newContext()).newPage();
  await r.goto(`${tenantUrl("globex")}/signin`);
  await r.getByRole("link", { name: "Forgot password?" }).click();
  await expect(r.getByRole("heading", { name: "Reset your password" })).toBeVisible();
  await r.getByLabel("Email").fill("nobody-here@globex-corp.example");
  await r.getByRole("button", { name: "Email me a code" }).click();
  const neutral = await r.getByRole("status").innerText();
  expect(neutral).toContain("If an account exists for that address");
  await r.goto(`${tenantUrl("globex")}/signin/reset`);
  await r.getByLabel("Email").fill(INVITEE);
  await r.getByRole("button", { name: "Email me a code" }).click();
  await expect(r.getByRole("status").first()).toHaveText(neutral);
  const resetCode = codeIn(await waitForMail(INVITEE, /password reset code/));
  expect(await mailCount("nobody-here@globex-corp.example", /./)).toBe(0);
  // The email's link opens the reset page afresh: "I already have a code" asks the address with the code,
  // and a refusal keeps what was typed.
  await r.goto(`${tenantUrl("globex")}/signin/reset`);
  await r.getByRole("button", { name: "I already have a code" }).click();
  await r.getByLabel("Email", { exact: true }).fill(INVITEE);
  await r.getByLabel("Code from the email").fill(resetCode);
  await r.getByLabel("New password (12+ characters)").fill(NEW_PASSWORD);
  await r.getByLabel("New password, again").fill(`${NEW_PASSWORD}x`);
  await r.getByRole("button", { name: "Set new password" }).click();
  await expect(r.getByText("The two passwords differ")).toBeVisible();
  await expect(r.getByLabel("Code from the email")).toHaveValue(resetCode);
  await expect(r.getByLabel("Email", { exact: true })).toHaveValue(INVITEE);
  await r.getByLabel("New password, again").fill(NEW_PASSWORD);
  await r.screenshot({ path: `${SCREENSHOTS}/password-reset.png`, fullPage: true });
  await r.getByRole("button", { name: "Set new password" }).click();
  await expect(r.getByText("Your password was changed")).toBeVisible();

  // The old password no longer signs in; the new one does.
  await r.goto(`${tenantUrl("globex")}/signin`);
  await r.getByLabel("Email").fill(INVITEE);
  await r.getByLabel("Password").fill(PASSWORD);
  await r.getByRole("button", { name: "Sign in" }).click();
  await expect(r.getByText(/Wrong email or password/)).toBeVisible();
  await signIn(r, tenantUrl("globex"), INVITEE, NEW_PASSWORD);
  await expect(r.getByRole("heading", { name: "Alerts" })).toBeVisible();
  await r.context().close();
});

// Two-step verification as people use it: an MSSP operator signs in with a
// password and then a code from their authenticator app; a tenant admin sets
// up an app at /account/mfa (after their password again), stores the recovery
// codes, from then on signs in with a code (or, once, a recovery code), and
// replaces the app with a recovery code as after a lost phone.
import { expect, test } from "@playwright/test";
import { DEMO_PASSWORD, DEMO_TOTP_SECRET } from "@/lib/demo/users";
import { CONSOLE, SCREENSHOTS, enterTotp, freshTotp, signIn, signedInAs, tenantUrl } from "./helpers";

test("sign in with TOTP: the MSSP admin gives the password, then the code from the app", async ({ page }) => {
  await page.goto(`${CONSOLE}/signin`);
  await page.getByLabel("Email").fill("mssp.admin@demo.test");
  await page.getByLabel("Password").fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();

  // Step 2: only the code is asked for; no session yet.
  const step = page.getByTestId("signin-code-step");
  await expect(step.getByRole("heading", { name: "Two-step verification" })).toBeVisible();
  await expect(page.getByLabel("Authentication code")).toBeFocused();
  await expect(page.getByLabel("Password")).toHaveCount(0);
  await expect(page.getByTestId("signin-error")).toHaveCount(0);
  await page.screenshot({ path: `${SCREENSHOTS}/signin-totp-step.png`, fullPage: true });
  const probe = await page.request.get(`${CONSOLE}/api/auth/session`);
  expect(await probe.json()).toEqual({});

  // A wrong code is refused with a clear message, and the step stays.
  const right = await freshTotp(DEMO_TOTP_SECRET);
  await page.getByLabel("Authentication code").fill(right === "000000" ? "111111" : "000000");
  await page.getByRole("button", { name: "Verify" }).click();
  await expect(page.getByTestId("signin-error")).toHaveText(/That code didn't work/);
  await page.screenshot({ path: `${SCREENSHOTS}/signin-totp-wrong-code.png`, fullPage: true });

  await page.getByLabel("Authentication code").fill(right);
  await page.getByRole("button", { name: "Verify" }).click();
  await expect(page.getByRole("heading", { name: "Overview" })).toBeVisible();
  await signedInAs(page, "mssp.admin@demo.test");

  // The account page: on, with no way to turn it off (MSSP roles require it).
  await page.goto(`${CONSOLE}/account/mfa`);
  await expect(page.getByTestId("mfa-enabled")).toContainText("Two-step verification is on");
  await expect(page.getByTestId("mfa-required-note")).toBeVisible();
  await expect(page.getByRole("button", { name: "Turn off" })).toHaveCount(0);
});

test("a wrong password for an account with MFA gets the usual message, and no code step", async ({ page }) => {
  await signIn(page, CONSOLE, "mssp.analyst@demo.test", "not-the-password");
  await expect(page.getByTestId("signin-error")).toHaveText("Wrong email or password.");
  await expect(page.getByLabel("Authentication code")).toHaveCount(0);
  await expect(page.getByLabel("Password")).toBeVisible();
});

test("a tenant admin sets up an authenticator app, keeps the recovery codes, then signs in with a code", async ({ page }) => {
  // Each code must come from a newer 30-second step than the last: up to two minutes of waiting.
  test.setTimeout(240_000);
  const acme = tenantUrl("acme");
  await signIn(page, acme, "acme.admin@demo.test");
  await expect(page.getByRole("heading", { name: "Alerts" })).toBeVisible();

  // The shell links to the account's security page.
  await page.getByRole("link", { name: "Security" }).click();
  await expect(page).toHaveURL(`${acme}/account/mfa`);
  await expect(page.getByRole("heading", { name: "Two-step verification", level: 1 })).toBeVisible();
  // Setting up asks for the password again: without the right one, no key is shown.
  await page.getByLabel("Your password").fill("not-the-password");
  await page.getByRole("button", { name: "Set up authenticator app" }).click();
  await expect(page.getByTestId("mfa-error")).toContainText("That password is not right");
  await expect(page.getByTestId("totp-qr")).toHaveCount(0);
  await page.getByLabel("Your password").fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "Set up authenticator app" }).click();
  const qr = page.getByTestId("totp-qr");
  await expect(qr).toBeVisible();
  expect(await qr.getAttribute("src")).toMatch(/^data:image\/png;base64,/);
  const secret = (await page.getByTestId("totp-secret").innerText()).replace(/\s/g, "");
  expect(secret).toMatch(/^[A-Z2-7]{32}$/);
  await page.screenshot({ path: `${SCREENSHOTS}/mfa-enrol.png`, fullPage: true });

  // A wrong code loses nothing: same key, try again.
  const right = await freshTotp(secret);
  await page.getByLabel("Code from the app").fill(right === "000000" ? "111111" : "000000");
  await page.getByRole("button", { name: "Confirm and turn on" }).click();
  await expect(page.getByTestId("mfa-error")).toContainText("That code doesn't match");
  expect((await page.getByTestId("totp-secret").innerText()).replace(/\s/g, "")).toBe(secret);

  await page.getByLabel("Code from the app").fill(right);
  await page.getByRole("button", { name: "Confirm and turn on" }).click();
  const codes = page.getByTestId("recovery-codes").locator("li");
  await expect(codes).toHaveCount(10);
  await expect(page.getByRole("heading", { name: "Store these recovery codes now" })).toBeVisible();
  const recoveryCodes = await codes.allInnerTexts();
  for (const code of recoveryCodes) expect(code).toMatch(/^[a-z2-9]{4}(-[a-z2-9]{4}){3}$/);
  await page.screenshot({ path: `${SCREENSHOTS}/mfa-recovery-codes.png`, fullPage: true });

  // Shown once: a reload shows only how many are left.
  await page.reload();
  await expect(page.getByTestId("mfa-enabled")).toBeVisible();
  await expect(page.getByTestId("recovery-codes-left")).toHaveText("10 unused recovery codes");
  await expect(page.getByTestId("recovery-codes")).toHaveCount(0);
  expect(await page.content()).not.toContain(recoveryCodes[0]);
  expect(await page.content()).not.toContain(secret.slice(0, 8));

  // Sign out, and back in: now the code is asked for.
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/signin/);
  await signIn(page, acme, "acme.admin@demo.test", DEMO_PASSWORD, { totpSecret: secret });
  await expect(page.getByRole("heading", { name: "Alerts" })).toBeVisible();
  await signedInAs(page, "acme.admin@demo.test");

  // A recovery code works instead of the app, once.
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/signin/);
  await page.getByLabel("Email").fill("acme.admin@demo.test");
  await page.getByLabel("Password").fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("button", { name: "Use a recovery code" }).click();
  await page.getByLabel("Recovery code").fill(recoveryCodes[0].toUpperCase());
  await page.getByRole("button", { name: "Verify" }).click();
  await expect(page.getByRole("heading", { name: "Alerts" })).toBeVisible();
  await page.goto(`${acme}/account/mfa`);
  await expect(page.getByTestId("recovery-codes-left")).toHaveText("9 unused recovery codes");

  // A lost phone: replace the app with the password and a recovery code. The old app works until the new one is confirmed.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.getByLabel("Your password").fill(DEMO_PASSWORD);
  await page.getByLabel("Code from your current app, or a recovery code").fill(recoveryCodes[1]);
  await page.getByRole("button", { name: "Start replacing" }).click();
  const replace = page.getByTestId("mfa-replace");
  await expect(replace.getByTestId("totp-qr")).toBeVisible();
  const newSecret = (await replace.getByTestId("totp-secret").innerText()).replace(/\s/g, "");
  expect(newSecret).toMatch(/^[A-Z2-7]{32}$/);
  expect(newSecret).not.toBe(secret);
  await page.screenshot({ path: `${SCREENSHOTS}/mfa-replace-390.png`, fullPage: true });
  // A code of the old app does not confirm the new key.
  await page.getByLabel("Code from the new app").fill(await freshTotp(secret));
  await page.getByRole("button", { name: "Confirm new app" }).click();
  await expect(page.getByTestId("mfa-error")).toContainText("doesn't match the new key");
  await page.getByLabel("Code from the new app").fill(await freshTotp(newSecret));
  await page.getByRole("button", { name: "Confirm new app" }).click();
  await expect(page.getByText("Your new authenticator app is set up.")).toBeVisible();
  await expect(page.getByTestId("recovery-codes-left")).toHaveText("8 unused recovery codes");
  await page.setViewportSize({ width: 1280, height: 720 });

  // Turning it off needs a current code (of the new app); then sign-in is password-only again.
  await page.getByLabel("Code to turn off").fill(await freshTotp(newSecret));
  await page.getByRole("button", { name: "Turn off" }).click();
  await expect(page.getByText("Two-step verification is off.")).toBeVisible();
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/signin/);
  await signIn(page, acme, "acme.admin@demo.test");
  await expect(page.getByRole("heading", { name: "Alerts" })).toBeVisible();
});

test("the code step: Back returns to the password form with the email kept", async ({ page }) => {
  await page.goto(`${CONSOLE}/signin`);
  await page.getByLabel("Email").fill("mssp.analyst@demo.test");
  await page.getByLabel("Password").fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByLabel("Authentication code")).toBeVisible();
  await page.getByRole("button", { name: "← Back" }).click();
  await expect(page.getByLabel("Email")).toHaveValue("mssp.analyst@demo.test");
  await page.getByLabel("Password").fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await enterTotp(page, DEMO_TOTP_SECRET);
  await expect(page.getByRole("heading", { name: "Overview" })).toBeVisible();
});

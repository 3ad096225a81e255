// Tenant configuration (issue 10): the MSSP admin overrides a customer's
// time zone (the drift report then shows Acme differing), turns "MFA
// required" on at the MSSP and locks it; the Acme admin, held at MFA set-up
// by that very setting, enrols, then finds the setting locked on Acme's
// settings page, with who locked it, and no control to change it. Both pages
// pass axe. Screenshots: settings-*.png. The spec puts everything back at the
// end (unlock, inherit, Acme's admin turns MFA off), so the specs after it
// sign in as before.
import { expect, test, type Page } from "@playwright/test";
import { expectNoSeriousA11yViolations } from "./a11y";
import { DEMO_PASSWORD } from "@/lib/demo/users";
import { CONSOLE, freshTotp, SCREENSHOTS, signIn, tenantUrl } from "./helpers";
import { ownerQuery } from "./lib/owner-db";

const ACME = tenantUrl("acme");

/**
 * Who Acme's pages say locked a setting the MSSP's admin locked: by name, or
 * "your provider" once the MSSP hides its brand on Acme (e2e/branding.spec.ts
 * does, earlier in the suite; docs/white-label.md).
 */
async function lockerOnAcme(): Promise<string> {
  const rows = await ownerQuery<{ hidden: boolean }>(
    `select s.value = 'true'::jsonb as hidden from public.tenant_settings s join public.tenants t on t.id = s.tenant_id
      where t.slug = 'acme' and s.key = 'branding.hide_mssp_brand'`,
  );
  return rows.some((r) => r.hidden) ? "Locked by your provider" : "Locked by Sentinel MSSP (Morgan Reyes)";
}
const MFA = "setting-session.mfa_required";
const TZ = "setting-locale.time_zone";

async function change(page: Page, rowTestId: string, value: string) {
  const row = page.getByTestId(rowTestId);
  const editor = row.getByRole("combobox");
  // "Change" opens the editor from React's click handler: a click that lands before the page has
  // hydrated does nothing (a CI run waited on the editor until the test's timeout), so click again
  // until it opens.
  await expect(async () => {
    if (!(await editor.isVisible())) await row.getByRole("button", { name: /^Change/ }).click();
    await expect(editor).toBeVisible({ timeout: 1_000 });
  }).toPass({ timeout: 30_000 });
  await editor.selectOption(value);
  await row.getByRole("button", { name: "Save" }).click();
}

test("the MSSP admin locks MFA required at the MSSP; the Acme admin sees it locked on Acme's settings", async ({ browser }) => {
  test.setTimeout(240_000);
  const mssp = await (await browser.newContext()).newPage();
  const acme = await (await browser.newContext()).newPage();
  let acmeSecret: string | null = null;
  try {
    await signIn(mssp, CONSOLE, "mssp.admin@demo.test");

    // Drift: nothing differs yet.
    await mssp.goto(`${CONSOLE}/configuration`);
    await expect(mssp.getByRole("heading", { name: "Configuration", level: 1 })).toBeVisible();
    await expect(mssp.getByTestId("drift-empty")).toBeVisible();
    await mssp.screenshot({ path: `${SCREENSHOTS}/settings-drift-empty.png`, fullPage: true });

    // A customer's own value: Acme's time zone, from the customer's page.
    await mssp.goto(`${CONSOLE}/customers/acme`);
    await mssp.getByTestId("customer-settings-link").click();
    await expect(mssp.getByRole("heading", { name: "Settings of Acme Corp" })).toBeVisible();
    await expect(mssp.getByTestId(TZ).getByTestId("source-badge")).toHaveText("Default");
    await change(mssp, TZ, "Europe/Paris");
    await expect(mssp.getByTestId(TZ).getByRole("status")).toHaveText("Time zone is now Europe/Paris.");
    await expect(mssp.getByTestId(TZ).getByTestId("source-badge")).toHaveText("Set here");
    // The page's history shows the latest changes and links to all of them in the audit trail.
    await mssp.reload();
    await expect(mssp.getByTestId("settings-history")).toContainText("Time zone");
    await mssp.getByTestId("settings-history-more").getByRole("link", { name: "the audit trail" }).click();
    await expect(mssp).toHaveURL(/\/audit\?action=setting\.&tenant=acme$/);
    await expect(mssp.getByRole("main")).toContainText("setting.set");

    await mssp.goto(`${CONSOLE}/configuration`);
    await expect(mssp.getByTestId("drift-row-acme")).toContainText("Europe/Paris");
    await expect(mssp.getByTestId("drift-chart")).toContainText("Time zone");
    await expectNoSeriousA11yViolations(mssp);
    await mssp.screenshot({ path: `${SCREENSHOTS}/settings-drift.png`, fullPage: true });

    // The MSSP's own settings (the defaults): MFA required on, then locked.
    await mssp.getByRole("link", { name: /settings \(the defaults\)/ }).click();
    await expect(mssp.getByRole("heading", { name: "Settings of Sentinel MSSP" })).toBeVisible();
    await change(mssp, MFA, "true");
    await expect(mssp.getByTestId(MFA).getByRole("status")).toHaveText("MFA required is now on.");
    await mssp.getByTestId(MFA).getByRole("button", { name: "Lock for tenants below" }).click();
    await expect(mssp.getByTestId(MFA).getByRole("status")).toHaveText("MFA required is locked at on for every tenant below.");
    await expect(mssp.getByTestId(MFA).getByTestId("locked-here")).toBeVisible();
    await expect(mssp.getByTestId(MFA).getByTestId("setting-value")).toHaveText("on");
    await expectNoSeriousA11yViolations(mssp);
    await mssp.screenshot({ path: `${SCREENSHOTS}/settings-mssp-locked.png`, fullPage: true });

    // Acme's admin: MFA is now required of them, so they set it up first.
    await signIn(acme, ACME, "acme.admin@demo.test");
    await expect(acme).toHaveURL(`${ACME}/account/mfa`);
    await acme.getByLabel("Your password").fill(DEMO_PASSWORD);
    await acme.getByRole("button", { name: "Set up authenticator app" }).click();
    acmeSecret = (await acme.getByTestId("totp-secret").innerText()).replace(/\s/g, "");
    await acme.getByLabel("Code from the app").fill(await freshTotp(acmeSecret));
    await acme.getByRole("button", { name: "Confirm and turn on" }).click();
    await expect(acme.getByTestId("recovery-codes").locator("li")).toHaveCount(10);

    // …then finds it locked on Acme's settings page, by whom, with no control.
    await acme.goto(`${ACME}/settings`);
    await expect(acme.getByRole("heading", { name: "Settings of Acme Corp" })).toBeVisible();
    const row = acme.getByTestId(MFA);
    const locker = await lockerOnAcme();
    await expect(row.getByTestId("source-badge")).toHaveText(locker);
    await expect(row.getByTestId("setting-value")).toHaveText("on");
    await expect(row.getByRole("button")).toHaveCount(0);
    // What Acme set itself stays editable; what the MSSP sells is read only.
    await expect(acme.getByTestId(TZ).getByTestId("source-badge")).toHaveText("Set here");
    await expect(acme.getByTestId(TZ).getByRole("button", { name: /^Change/ })).toBeVisible();
    await expect(acme.getByTestId("setting-limits.users").getByRole("button")).toHaveCount(0);
    await expect(acme.getByTestId("settings-history")).toContainText("Time zone");
    await expectNoSeriousA11yViolations(acme);
    await row.scrollIntoViewIfNeeded();
    await acme.screenshot({ path: `${SCREENSHOTS}/settings-acme-locked.png`, fullPage: true });
    // The Team page's shortcut says the same.
    await acme.goto(`${ACME}/team`);
    await expect(acme.getByTestId("require-mfa-state")).toContainText(locker);
  } finally {
    // Put everything back for the specs after this one.
    await mssp.goto(`${CONSOLE}/configuration/sentinel`);
    const mfa = mssp.getByTestId(MFA);
    if ((await mfa.getByRole("button", { name: "Unlock" }).count()) > 0) {
      await mfa.getByRole("button", { name: "Unlock" }).click();
      await expect(mfa.getByRole("status")).toContainText("unlocked");
    }
    if ((await mfa.getByRole("button", { name: "Use inherited" }).count()) > 0) {
      await mfa.getByRole("button", { name: "Use inherited" }).click();
      await expect(mfa.getByRole("status")).toContainText("now inherits");
    }
    await mssp.goto(`${CONSOLE}/customers/acme/settings`);
    const tz = mssp.getByTestId(TZ);
    if ((await tz.getByRole("button", { name: "Use inherited" }).count()) > 0) {
      await tz.getByRole("button", { name: "Use inherited" }).click();
      await expect(tz.getByRole("status")).toContainText("now inherits");
    }
    if (acmeSecret) {
      await acme.goto(`${ACME}/account/mfa`);
      await acme.getByLabel("Code to turn off").fill(await freshTotp(acmeSecret));
      await acme.getByRole("button", { name: "Turn off" }).click();
      await expect(acme.getByText("Two-step verification is off.")).toBeVisible();
    }
    await mssp.context().close();
    await acme.context().close();
  }
});

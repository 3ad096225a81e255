// Workflows end to end (issue 10, item 4): Acme's admin adds a webhook
// channel and a rule "severity at least high → assign to the analyst and
// notify the webhook"; the dry run counts what it would have matched over the
// last 7 days of detected alerts (checked against the database); a new critical alert arrives
// (inserted as the database owner, as a connector would), the rule assigns it
// and the webhook receiver (the e2e server's stub) gets a request whose HMAC
// verifies with the secret the page showed once. Then the rule is edited
// (a new version), disabled and deleted from the page. Axe and a phone's
// width on the page; screenshots of each state.
import { randomBytes } from "node:crypto";
import { expect, test, type Page } from "@playwright/test";
import { verifySignature } from "@/lib/notify/signature";
import { expectNoSeriousA11yViolations, expectNoSidewaysScroll, PHONE } from "./a11y";
import { SCREENSHOTS, signIn, tenantUrl } from "./helpers";
import { waitForWebhook } from "./webhooks";
import { ownerQuery as owner } from "./lib/owner-db";

const ACME = tenantUrl("acme");
// A control that never appears fails in seconds, not at the test timeout.
test.use({ actionTimeout: 20_000 });

async function optionValue(page: Page, select: string, text: string): Promise<string> {
  const value = await page.locator(`select[name="${select}"] option`, { hasText: text }).first().getAttribute("value");
  if (!value) throw new Error(`no option "${text}" in ${select}`);
  return value;
}

test("a rule routes a new critical alert to an assignee and a signed webhook; edit, disable, delete", async ({ page }) => {
  test.setTimeout(240_000);
  const tag = randomBytes(3).toString("hex");
  const channelName = `SOC webhook ${tag}`;
  const hookPath = `/soc/${tag}`;
  const ruleName = `High and critical to the analyst ${tag}`;
  await signIn(page, ACME, "acme.admin@demo.test");
  await page.waitForURL((url) => !url.pathname.startsWith("/signin"));

  await page.goto(`${ACME}/workflows`);
  await expect(page.getByRole("heading", { level: 1, name: "Workflows" })).toBeVisible();
  await expectNoSeriousA11yViolations(page);

  // A webhook channel: its signing secret is shown once.
  const channelForm = page.getByTestId("channel-form");
  await channelForm.getByLabel("Name").fill(channelName);
  await channelForm.getByLabel("Kind").selectOption("webhook");
  await channelForm.getByLabel("Webhook URL (https)").fill(`https://hooks.acme.example${hookPath}`);
  await channelForm.getByRole("button", { name: "Add channel" }).click();
  await expect(channelForm.getByText(`Channel "${channelName}" added.`, { exact: false })).toBeVisible();
  const secretText = (await channelForm.getByTestId("channel-secret").innerText()).trim();
  const secret = /whsec_\S+/.exec(secretText)?.[0] ?? "";
  expect(secret, "the signing secret shown once").toMatch(/^whsec_/);
  await expect(page.getByTestId("channel-row").filter({ hasText: channelName })).toContainText(`secret ••••${secret.slice(-4)}`);
  await page.screenshot({ path: `${SCREENSHOTS}/workflows-channel-added.png`, fullPage: true });

  // The rule, from plain fields.
  const [analyst] = await owner<{ id: string }>(`select id from public.users where email = 'acme.analyst@demo.test'`);
  const editor = page.getByTestId("rule-editor");
  await editor.getByLabel("Name").fill(ruleName);
  await expect(editor.getByLabel("Condition 1 field")).toHaveValue("severity");
  await editor.getByLabel("Condition 1 comparison").selectOption("at_least");
  await editor.getByLabel("Condition 1 value").fill("high");
  expect(await optionValue(page, "assignTo", "acme.analyst@demo.test")).toBe(analyst.id);
  await editor.getByLabel("Assign to").selectOption(analyst.id);
  await editor.locator(`select[name="notify"]`).selectOption(await optionValue(page, "notify", channelName));
  await page.screenshot({ path: `${SCREENSHOTS}/workflows-editor-new.png`, fullPage: true });
  await editor.getByRole("button", { name: "Save rule" }).click();
  await expect(editor.getByText(`Rule "${ruleName}" saved (version 1).`)).toBeVisible();

  // The dry run: what it would have matched in Acme and below over 7 days.
  await page.reload();
  const row = page.getByTestId("rule-row").filter({ hasText: ruleName });
  await expect(row).toContainText("v1 · this tenant");
  await expect(row).toContainText("severity is at least high");
  await expect(row).toContainText(`→ assign to`);
  await expect(row).toContainText(`notify "${channelName}"`);
  const [{ n }] = await owner<{ n: string }>(
    `select count(*) as n from public.alerts a join public.tenants t on t.id = a.tenant_id, public.tenants r
      where r.slug = 'acme' and t.path operator(extensions.<@) r.path and a.severity in ('critical', 'high')
        and a.detected_at >= now() - interval '7 days'`,
  );
  expect(Number(n), "the demo data has high and critical alerts this week").toBeGreaterThan(0);
  await expect(row.getByTestId("dry-run-count")).toHaveText(String(Math.min(Number(n), 5000)));
  await expect(page.getByTestId("dry-run-summary")).toContainText("Nothing was changed.");
  await page.screenshot({ path: `${SCREENSHOTS}/workflows-rules-dry-run.png`, fullPage: true });

  // A new critical alert arrives (as a connector inserts it): the rule
  // assigns it and the webhook receives a signed request.
  const [alert] = await owner<{ id: string }>(
    `insert into public.alerts (tenant_id, title, description, severity, source, hostname, detected_at)
     select id, $1, 'inserted by e2e/workflows.spec.ts', 'critical', 'edr', 'prod-db-01', now() from public.tenants where slug = 'acme'
     returning id`,
    [`Ransomware behaviour on prod-db-01 ${tag}`],
  );
  await expect
    .poll(async () => (await owner<{ assigned_to: string | null }>(`select assigned_to from public.alerts where id = $1`, [alert.id]))[0]?.assigned_to, {
      timeout: 30_000,
      message: "the rule assigns the new alert",
    })
    .toBe(analyst.id);
  const hook = await waitForWebhook(hookPath, (b) => (b.alert as { id?: string } | null)?.id === alert.id);
  const check = verifySignature(secret, { timestamp: hook.headers["x-portal-timestamp"], signature: hook.headers["x-portal-signature"] }, hook.body);
  expect(check).toEqual({ ok: true });
  expect(verifySignature(`${secret}x`, { timestamp: hook.headers["x-portal-timestamp"], signature: hook.headers["x-portal-signature"] }, hook.body)).toEqual({ ok: false, reason: "mismatch" });
  const body = JSON.parse(hook.body) as { type: string; delivery_id: string; alert: { severity: string; title: string; url: string }; rule: { name: string; version: number } };
  expect(body.type).toBe("alert.routed");
  expect(body.delivery_id).toBe(hook.headers["x-portal-delivery"]);
  expect(body.alert.severity).toBe("critical");
  expect(body.rule).toMatchObject({ name: ruleName, version: 1 });
  expect(body.alert.url).toContain(`/alerts/${alert.id}`);
  expect(hook.body).not.toContain(secret);

  // The page's deliveries say so.
  await expect
    .poll(
      async () => {
        await page.reload();
        return page.getByTestId("delivery-row").filter({ hasText: channelName }).first().getByTestId("delivery-status").innerText();
      },
      { timeout: 20_000 },
    )
    .toBe("delivered");
  await page.getByRole("heading", { name: "Last deliveries" }).scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${SCREENSHOTS}/workflows-deliveries.png`, fullPage: true });
  await expectNoSeriousA11yViolations(page);

  // Edit: the editor opens with the rule's values; saving makes version 2.
  await row.getByRole("link", { name: `Edit ${ruleName}` }).click();
  await expect(page.getByRole("heading", { name: `Edit rule "${ruleName}" (version 1)` })).toBeVisible();
  await expect(editor.getByLabel("Name")).toHaveValue(ruleName);
  await expect(editor.getByLabel("Condition 1 value")).toHaveValue("high");
  await expect(editor.getByLabel("Assign to")).toHaveValue(analyst.id);
  await editor.getByLabel("Condition 1 value").fill("critical");
  await page.screenshot({ path: `${SCREENSHOTS}/workflows-editor-edit.png`, fullPage: true });
  await editor.getByRole("button", { name: "Save as version 2" }).click();
  await expect(editor.getByText(`Rule "${ruleName}" saved as version 2.`)).toBeVisible();
  await page.goto(`${ACME}/workflows`);
  await expect(row).toContainText("v2 · this tenant");
  await expect(row).toContainText("severity is at least critical");
  const versions = await owner<{ version: number }>(`select version from public.workflow_rule_versions where name = $1 order by version`, [ruleName]);
  expect(versions.map((v) => v.version)).toEqual([1, 2]);

  // Disable, then delete.
  await row.getByRole("button", { name: `Disable ${ruleName}` }).click();
  await expect(row).toContainText("Disabled");
  await expect(row).toContainText("v3");

  // On a phone: nothing pushes the page sideways.
  await page.setViewportSize(PHONE);
  await page.reload();
  await expectNoSidewaysScroll(page);
  await page.screenshot({ path: `${SCREENSHOTS}/workflows-phone.png`, fullPage: true });
  await expectNoSeriousA11yViolations(page);

  // Asked first (a rule's deletion is not undone here); the answer is said above the rules, since the row goes.
  page.once("dialog", (d) => void d.accept());
  await row.getByRole("button", { name: `Delete ${ruleName}` }).click();
  await expect(page.getByTestId("rule-row").filter({ hasText: ruleName })).toHaveCount(0);
  await expect(page.getByTestId("rule-removal-answer")).toHaveText(`Rule "${ruleName}" deleted. Its history is kept.`);
  const after = await owner<{ change: string }>(`select change from public.workflow_rule_versions where name = $1 order by version desc limit 1`, [ruleName]);
  expect(after[0]?.change).toBe("deleted");
});

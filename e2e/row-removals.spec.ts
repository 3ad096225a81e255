// A removal's answer is said by its list, since its row goes
// (components/ui/row-removals.tsx). Before, each row held its own action state
// and a success took the row and its message away in one render: revoking an
// invitation answered nothing anyone could see. A removal that asks nothing
// still posts without JavaScript and comes back with the same answer.
import { randomBytes } from "node:crypto";
import { expect, test, type Page } from "@playwright/test";
import { SCREENSHOTS, signIn, tenantUrl } from "./helpers";
import { ownerQuery as owner } from "./lib/owner-db";

const ACME = tenantUrl("acme");

async function plantInvitation(): Promise<string> {
  const email = `revoke.${randomBytes(3).toString("hex")}@example.test`;
  await owner(
    `insert into public.invitations (tenant_id, email, role, token_hash, expires_at, invited_by)
     select t.id, $1, 'tenant_viewer', $2, now() + interval '7 days', u.id
       from public.tenants t, public.users u where t.slug = 'acme' and u.email = 'acme.admin@demo.test'`,
    [email, randomBytes(32)],
  );
  return email;
}
const stillOpen = async (email: string) => (await owner("select 1 from public.invitations where email = $1 and revoked_at is null", [email])).length === 1;

async function revoke(page: Page, email: string, by: "click" | "keyboard") {
  const row = page.getByTestId(`invitation-${email}`);
  await expect(row).toBeVisible();
  const button = row.getByRole("button", { name: `Revoke the invitation to ${email}` });
  if (by === "keyboard") {
    await button.focus();
    await page.keyboard.press("Enter");
  } else await button.click();
  await expect(page.getByTestId(`invitation-${email}`)).toHaveCount(0);
  const answer = page.getByTestId("invitation-removal-answer");
  await expect(answer).toHaveAttribute("role", "status");
  await expect(answer).toHaveText(`The invitation to ${email} is revoked: its link no longer works.`);
  expect(await stillOpen(email)).toBe(false);
  return answer;
}

test("revoking an invitation says whose, above the list, with and without JavaScript", async ({ page, browser }) => {
  const first = await plantInvitation();
  const second = await plantInvitation();
  await signIn(page, ACME, "acme.admin@demo.test");
  await page.waitForURL((url) => !url.pathname.startsWith("/signin"));

  await page.goto(`${ACME}/team`);
  // From the keyboard: the focused button went with its row, and focus lands on the answer, not the page's start.
  const answer = await revoke(page, first, "keyboard");
  await expect(answer.locator("p")).toBeFocused();
  await page.screenshot({ path: `${SCREENSHOTS}/invitation-revoked.png`, fullPage: true });

  // The same session without JavaScript: the form posts itself, and the page that comes back says it.
  const noScript = await browser.newContext({ javaScriptEnabled: false, storageState: await page.context().storageState() });
  const plain = await noScript.newPage();
  await plain.goto(`${ACME}/team`);
  await revoke(plain, second, "click");
  await noScript.close();
});

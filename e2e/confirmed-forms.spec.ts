// A destructive form asks before it acts, however quickly it is clicked. Its
// question is a confirm dialog that only JavaScript shows, and before the page
// hydrated a click posted the form natively: the group below was deleted with
// no question asked (a slow connection, a quick hand). Now the form's controls
// wait for hydration (components/ui/confirmed-form.tsx), the same form for
// deleting a credential, a plan or a group and removing a member or a domain.
// Once the row is gone its answer is said above the list (components/ui/row-removals.tsx).
import { randomBytes } from "node:crypto";
import { expect, test } from "@playwright/test";
import { gotoWithScriptsHeld, SCREENSHOTS, signIn, tenantUrl } from "./helpers";
import { ownerQuery as owner } from "./lib/owner-db";

const ACME = tenantUrl("acme");

test("a group's Delete waits for the page to hydrate, then asks, only a yes deletes it, and the page says so", async ({ page }) => {
  const name = `Held delete ${randomBytes(3).toString("hex")}`;
  await owner("insert into public.assignee_groups (tenant_id, name) select id, $1 from public.tenants where slug = 'acme'", [name]);
  const stillThere = async () => (await owner("select 1 from public.assignee_groups where name = $1", [name])).length === 1;
  await signIn(page, ACME, "acme.admin@demo.test");
  await page.waitForURL((url) => !url.pathname.startsWith("/signin"));

  const questions: string[] = [];
  let answer = false;
  page.on("dialog", (dialog) => {
    questions.push(dialog.message());
    void (answer ? dialog.accept() : dialog.dismiss());
  });

  // Before hydration: the button is there but disabled, so a click posts nothing.
  const release = await gotoWithScriptsHeld(page, `${ACME}/team`);
  const del = page.locator(`[data-group="${name}"]`).getByRole("button", { name: `Delete ${name}`, exact: true });
  await expect(del).toBeVisible();
  await expect(del).toBeDisabled();
  await del.click({ force: true });
  await page.waitForTimeout(1_000);
  expect(await stillThere()).toBe(true);
  release();

  // Hydrated: the click asks; "Cancel" keeps the group, "OK" deletes it.
  await expect(del).toBeEnabled();
  await del.click();
  await expect.poll(() => questions.length).toBe(1);
  expect(questions[0]).toContain(`Delete the group "${name}"?`);
  expect(await stillThere()).toBe(true);
  answer = true;
  await del.click();
  await expect(page.locator(`[data-group="${name}"]`)).toHaveCount(0);
  expect(await stillThere()).toBe(false);
  // The row is gone; the list's live region says what happened (components/ui/row-removals.tsx).
  const said = page.getByTestId("group-removal-answer");
  await expect(said).toHaveAttribute("role", "status");
  await expect(said).toHaveText(`Group "${name}" deleted.`);
  await page.getByTestId("groups-section").screenshot({ path: `${SCREENSHOTS}/group-deleted-answered.png` });
  await page.unrouteAll({ behavior: "ignoreErrors" });
});

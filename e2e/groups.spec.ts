// Assignee groups end to end (issue 10, item 4: "assign to group X"): Acme's
// admin creates a group on the Team page and adds the analyst; a rule on the
// Workflows page gives new critical alerts (with this run's tag) to the group;
// a critical alert arrives (inserted as the database owner, as a connector
// would) and the rule assigns it to the group; the alert's page shows the
// group and its timeline says so; the list's Group filter finds it. The group
// is deleted from the page at the end (with confirmation), which clears it
// from the alert. Axe on the team page; screenshots of the groups section and
// the alert's page.
import { randomBytes } from "node:crypto";
import { expect, test } from "@playwright/test";
import { expectNoSeriousA11yViolations } from "./a11y";
import { SCREENSHOTS, signIn, tenantUrl } from "./helpers";
import { ownerQuery as owner } from "./lib/owner-db";

const ACME = tenantUrl("acme");
test.use({ actionTimeout: 20_000 });

test("an admin creates a group, a rule assigns a new critical alert to it, the alert shows the group", async ({ page }) => {
  test.setTimeout(240_000);
  const tag = randomBytes(3).toString("hex");
  const groupName = `Acme on-call ${tag}`;
  const ruleName = `Critical to on-call ${tag}`;
  await signIn(page, ACME, "acme.admin@demo.test");
  await page.waitForURL((url) => !url.pathname.startsWith("/signin"));

  // Team → Groups: create the group, add the analyst.
  await page.goto(`${ACME}/team`);
  const section = page.getByTestId("groups-section");
  await expect(section.getByRole("heading", { name: /Groups of/ })).toBeVisible();
  const create = section.getByRole("form", { name: "Create a group" });
  await create.getByRole("button", { name: "Create group" }).click();
  await expect(create.getByText("Name the group")).toBeVisible();
  await create.getByLabel("New group name").fill(groupName);
  await create.getByRole("button", { name: "Create group" }).click();
  await expect(create.getByText("Group created.", { exact: false })).toBeVisible();
  // The same name again (other case): refused with a sentence, nothing added.
  await create.getByLabel("New group name").fill(groupName.toUpperCase());
  await create.getByRole("button", { name: "Create group" }).click();
  await expect(create.getByRole("alert")).toContainText("There is already a group named");
  const row = section.getByTestId("group-row").filter({ hasText: groupName });
  await expect(row).toHaveCount(1);
  await expect(row.getByText("Nobody in this group yet.")).toBeVisible();
  const add = row.getByRole("form", { name: `Add a member to ${groupName}` });
  const analystOption = add.locator("option", { hasText: "acme.analyst@demo.test" });
  await add.getByLabel("Add a member").selectOption((await analystOption.getAttribute("value"))!);
  await add.getByRole("button", { name: "Add" }).click();
  await expect(row.getByTestId("group-member")).toHaveCount(1);
  await expect(row.getByTestId("group-member").locator('[title="acme.analyst@demo.test"]')).toBeVisible();
  await expectNoSeriousA11yViolations(page);
  await section.screenshot({ path: `${SCREENSHOTS}/groups-team-section.png` });
  const [group] = await owner<{ id: string }>(`select g.id from public.assignee_groups g join public.tenants t on t.id = g.tenant_id where t.slug = 'acme' and g.name = $1`, [groupName]);

  // Workflows: a rule giving this run's critical alerts to the group.
  await page.goto(`${ACME}/workflows`);
  const editor = page.getByTestId("rule-editor");
  await editor.getByLabel("Name").fill(ruleName);
  await editor.getByLabel("Condition 1 field").selectOption("severity");
  await editor.getByLabel("Condition 1 comparison").selectOption("is");
  await editor.getByLabel("Condition 1 value").fill("critical");
  await editor.getByLabel("Condition 2 field").selectOption("title");
  await editor.getByLabel("Condition 2 comparison").selectOption("contains");
  await editor.getByLabel("Condition 2 value").fill(tag);
  // The select's accessible name also holds its chosen option's text; pick it by name.
  await editor.locator('select[name="assignGroup"]').selectOption(group.id);
  await editor.getByRole("button", { name: "Save rule" }).click();
  await expect(editor.getByText(`Rule "${ruleName}" saved`, { exact: false })).toBeVisible();
  const ruleRow = page.getByTestId("rule-row").filter({ hasText: ruleName });
  await expect(ruleRow).toContainText(`assign to group ${groupName}`);

  try {
    // A critical alert arrives: the rule gives it to the group.
    const [alert] = await owner<{ id: string }>(
      `insert into public.alerts (tenant_id, title, description, severity, source, hostname, detected_at)
       select id, $1, 'inserted by e2e/groups.spec.ts', 'critical', 'edr', 'prod-db-02', now() from public.tenants where slug = 'acme'
       returning id`,
      [`Credential dumping on prod-db-02 ${tag}`],
    );
    await expect
      .poll(async () => (await owner<{ assigned_group_id: string | null }>(`select assigned_group_id from public.alerts where id = $1`, [alert.id]))[0]?.assigned_group_id, {
        timeout: 30_000,
        message: "the rule gives the new alert to the group",
      })
      .toBe(group.id);

    await page.goto(`${ACME}/alerts/${alert.id}`);
    await expect(page.getByTestId("alert-group")).toHaveText(groupName);
    await expect(page.getByTestId("alert-timeline")).toContainText(`The system gave it to group ${groupName}`);
    const groupForm = page.getByRole("form", { name: "Group" });
    await expect(groupForm.locator('select[name="groupId"]')).toHaveValue(group.id);
    await page.screenshot({ path: `${SCREENSHOTS}/groups-alert-detail.png`, fullPage: true });

    // The list: the Group column, and the filter by this group.
    await page.goto(`${ACME}/alerts?group=${group.id}`);
    const listRow = page.locator(`tr[data-alert="${alert.id}"]`);
    await expect(listRow.getByTestId("row-group")).toHaveText(groupName);
    await expect(page.locator("tr[data-alert]")).toHaveCount(1);

    // Delete the group from the team page (confirmed): the alert loses it.
    await page.goto(`${ACME}/team`);
    const again = page.getByTestId("group-row").filter({ hasText: groupName });
    page.once("dialog", (d) => void d.accept());
    await again.getByRole("button", { name: "Delete" }).click();
    await expect(page.getByTestId("group-row").filter({ hasText: groupName })).toHaveCount(0);
    await expect
      .poll(async () => (await owner<{ assigned_group_id: string | null }>(`select assigned_group_id from public.alerts where id = $1`, [alert.id]))[0]?.assigned_group_id)
      .toBeNull();
  } finally {
    await owner(`delete from public.workflow_rules where name = $1`, [ruleName]);
    await owner(`delete from public.assignee_groups where name = $1`, [groupName]);
  }
});

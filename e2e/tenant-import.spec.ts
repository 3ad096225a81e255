// Importing a legacy install from the console's Import page, for real, in a
// real browser against the production build with the portal's mail going to
// a real SMTP server (scripts/e2e-server.ts): the page says whom each
// invitation was emailed to and shows no link; the user without a portable
// password gets the email, opens its link (token in the fragment), proves
// the mailbox with the mailed code and joins Hooli with the imported role.
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { CONSOLE, SCREENSHOTS, signIn, tenantUrl } from "./helpers";
import { codeIn, linkIn, mailCount, waitForMail } from "./mail";

const INVITEE = "gavin.legacy@hooli.example";
const OTHER = "erlich.legacy@hooli.example";
const PASSWORD = "an-imported-password-2026";

test("a legacy import emails each invitation; the page shows no link; the invitee joins with the mailed code", async ({ browser, page }, testInfo) => {
  test.setTimeout(180_000);
  const legacy = testInfo.outputPath("legacy");
  await mkdir(legacy, { recursive: true });
  await writeFile(path.join(legacy, "users.csv"), `email,name,role\n${INVITEE},Gavin Belson,analyst\n${OTHER},Erlich Bachman,viewer\nnot-an-email,Nobody,viewer\n`);
  await writeFile(path.join(legacy, "assets.json"), JSON.stringify([{ hostname: "nucleus-01", os: "linux", criticality: "high" }]));

  await signIn(page, CONSOLE, "mssp.admin@demo.test");
  await page.goto(`${CONSOLE}/customers/import`);
  await page.getByLabel("Into").selectOption("hooli");
  await page.getByLabel("Users file").setInputFiles(path.join(legacy, "users.csv"));
  await page.getByLabel("Assets file").setInputFiles(path.join(legacy, "assets.json"));

  // A dry run names who would be invited and sends nothing.
  await page.getByRole("button", { name: "Dry run" }).click();
  const report = page.getByTestId("import-report");
  await expect(report).toContainText("Dry run: nothing was written.");
  await expect(page.getByTestId("import-invitations")).toContainText("a dry run sends none");
  await expect(page.getByTestId("import-invited")).toHaveText([INVITEE, OTHER]);

  // The import: "Invitation emailed to …" for each, and no link anywhere on the page.
  await page.getByRole("button", { name: "Import into Hooli" }).click();
  await expect(report).toContainText("Imported. Created in Hooli:");
  await expect(page.getByTestId("import-invited")).toHaveText([`Invitation emailed to ${INVITEE}`, `Invitation emailed to ${OTHER}`]);
  await expect(page.getByTestId("import-rejected").locator("tbody tr td")).toHaveText(["users.csv", "4", "email", /not an email address/]);
  const html = await page.content();
  expect(html).not.toContain("/invite");
  expect(html).not.toMatch(/token=/);
  await expect(page.locator("input[readonly]")).toHaveCount(0);
  await report.scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${SCREENSHOTS}/archive-import-emailed.png`, fullPage: true });

  // Each invitee gets exactly one email (the dry run sent none); the token rides in the fragment.
  const mail = await waitForMail(INVITEE, /invited to join Hooli/);
  await waitForMail(OTHER, /invited to join Hooli/);
  expect(await mailCount(INVITEE, /invited to join Hooli/)).toBe(1);
  const link = new URL(linkIn(mail));
  expect(`${link.origin}${link.pathname}${link.search}`).toBe(`${tenantUrl("hooli")}/invite`);
  expect(link.hash).toMatch(/^#token=[A-Za-z0-9_-]{43}$/);

  // Running the import again invites and mails no one twice.
  await page.getByRole("button", { name: "Import into Hooli" }).click();
  await expect(report).toContainText("Imported. Created in Hooli:");
  await expect(page.getByTestId("import-invitations")).toHaveCount(0);

  // The invitee joins with the link and the mailed code, with the role the legacy file gave them.
  const invitee = await browser.newContext();
  const p = await invitee.newPage();
  await p.goto(link.toString());
  await expect(p.getByTestId("invite-title")).toHaveText("Join Hooli as Analyst");
  await p.getByRole("button", { name: "Email me a code" }).click();
  await expect(p.getByText(`We emailed a 6-digit code to ${INVITEE}`)).toBeVisible();
  const code = codeIn(await waitForMail(INVITEE, /code to join Hooli/));
  expect(code).toMatch(/^\d{6}$/);
  await p.getByLabel("Code from the email").fill(code);
  await p.getByLabel("Your name").fill("Gavin Belson");
  await p.getByLabel(/Choose a password/).fill(PASSWORD);
  await p.getByRole("button", { name: "Create account and join" }).click();
  await expect(p).toHaveURL(new RegExp(`^${tenantUrl("hooli")}/(?!invite)`));
  await invitee.close();
  expect(await mailCount(INVITEE, /invited to join Hooli/)).toBe(1);
});

import { expect, type Page } from "@playwright/test";
import { DEMO_PASSWORD } from "@/lib/demo/users";

export const PORT = Number(process.env.E2E_PORT ?? 3100);
export const CONSOLE = `http://localhost:${PORT}`;
export const tenantUrl = (slug: string) => `http://${slug}.localhost:${PORT}`;
export const SCREENSHOTS = "test-results/screenshots";

export async function signIn(page: Page, origin: string, email: string, password = DEMO_PASSWORD) {
  await page.goto(`${origin}/signin`);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

export async function signedInAs(page: Page, email: string) {
  await expect(page.getByText(email, { exact: true })).toBeVisible();
}

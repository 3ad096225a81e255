import { expect, type Page } from "@playwright/test";
import { base32Decode, hotp, totpStep } from "@/lib/auth/totp";
import { DEMO_PASSWORD, DEMO_TOTP_SECRET, DEMO_USERS } from "@/lib/demo/users";

export const PORT = Number(process.env.E2E_PORT ?? 3100);
export const CONSOLE = `http://localhost:${PORT}`;
export const tenantUrl = (slug: string) => `http://${slug}.localhost:${PORT}`;
export const SCREENSHOTS = "test-results/screenshots";

/** The TOTP secret of a demo user enrolled at seed time, if any. */
export function demoTotpSecret(email: string): string | undefined {
  return DEMO_USERS.some((u) => u.email === email && u.totp) ? DEMO_TOTP_SECRET : undefined;
}

// The server refuses a TOTP step it has already accepted for the account
// (replay protection), and several tests sign the same demo user in within one
// 30-second step. So each code handed out here is for a step after the last
// one used with that secret: the current step, else the next (the server
// accepts one step ahead), else wait for the clock.
const lastStep = new Map<string, number>();

export async function freshTotp(secret: string): Promise<string> {
  const key = secret.replace(/\s/g, "").toUpperCase();
  const last = lastStep.get(key) ?? -1;
  let step = totpStep();
  if (step <= last) step = last + 1;
  while (step > totpStep() + 1) await new Promise((r) => setTimeout(r, 500));
  lastStep.set(key, step);
  return hotp(base32Decode(key), step);
}

/** Marks the current step as used (after a code was accepted outside freshTotp), so the next code is newer. */
export function markTotpUsed(secret: string, step = totpStep()) {
  const key = secret.replace(/\s/g, "").toUpperCase();
  lastStep.set(key, Math.max(step, lastStep.get(key) ?? -1));
}

/** Fills the sign-in code step with a fresh code and submits it. */
export async function enterTotp(page: Page, secret: string) {
  await page.getByLabel("Authentication code").fill(await freshTotp(secret));
  await page.getByRole("button", { name: "Verify" }).click();
}

/**
 * Signs in through the form. For a user with TOTP (the demo MSSP users, or
 * `totpSecret`) and the right password, also passes the code step. If that
 * code is refused because another worker already used its step (the map above
 * is per process), it waits for the next step and tries once more.
 */
export async function signIn(
  page: Page,
  origin: string,
  email: string,
  password = DEMO_PASSWORD,
  opts: { totpSecret?: string } = {},
) {
  await page.goto(`${origin}/signin`);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  const secret = opts.totpSecret ?? (password === DEMO_PASSWORD ? demoTotpSecret(email) : undefined);
  if (!secret) {
    // Wait for the answer: a navigation started right after the click (the next
    // sign-in on another host, say) would cancel the sign-in in flight.
    const settle = (p: Promise<unknown>) => p.catch(() => undefined);
    await Promise.race([
      settle(page.waitForURL((url) => !url.pathname.startsWith("/signin"), { timeout: 20_000 })),
      settle(page.getByTestId("signin-error").waitFor({ timeout: 20_000 })),
      settle(page.getByLabel("Authentication code").waitFor({ timeout: 20_000 })),
    ]);
    return;
  }

  await expect(page.getByLabel("Authentication code")).toBeVisible();
  await enterTotp(page, secret);
  const outcome = await Promise.race([
    page.waitForURL((url) => !url.pathname.startsWith("/signin"), { timeout: 20_000 }).then(() => "in" as const),
    page.getByTestId("signin-error").waitFor({ timeout: 20_000 }).then(() => "refused" as const),
  ]);
  if (outcome === "refused") {
    markTotpUsed(secret, totpStep() + 1);
    await enterTotp(page, secret);
    await page.waitForURL((url) => !url.pathname.startsWith("/signin"));
  }
}

export async function signedInAs(page: Page, email: string) {
  await expect(page.getByText(email, { exact: true })).toBeVisible();
}

/**
 * Opens `url` with the page's scripts held back until the returned function is
 * called: what the test does meanwhile fires no React listener, as for a quick
 * person on a slow page. The test ends with `page.unrouteAll`.
 */
export async function gotoWithScriptsHeld(page: Page, url: string): Promise<() => void> {
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  await page.route(/\/_next\/static\/chunks\/.*\.js(\?|$)/, async (route) => {
    await held;
    await route.continue();
  });
  await page.goto(url, { waitUntil: "commit" });
  return release;
}

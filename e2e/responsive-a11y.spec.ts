// Every page at a phone's width (390 px) and a laptop's (1280 px), under
// axe-core: no serious or critical WCAG violation, no page wider than its
// viewport, no button or link cut off by a box that hides its overflow.
//
// The page list is app/'s own (e2e/lib/routes.ts), so a page added later is
// visited too: console pages as the MSSP admin on the console host, tenant
// pages as Acme's admin and analyst on acme's host, shared pages on both.
// Dynamic segments take a demo value ([slug] → acme) or, for ids, the first
// link to such a page found on its list page (skipped, and said, when the demo
// has none). Screenshots: test-results/screenshots/responsive/<who>-<width>-<page>.png.
import { expect, test, type Page } from "@playwright/test";
import { clippedControls, DESKTOP, PHONE, seriousA11yViolations, sidewaysScroll } from "./a11y";
import { CONSOLE, SCREENSHOTS, signIn, tenantUrl } from "./helpers";
import { appRoutes, type AppRoute } from "./lib/routes";

const OUT = `${SCREENSHOTS}/responsive`;
const SIGNED_OUT_ONLY = new Set(["/signin", "/signin/reset", "/invite"]);
// The same page for everyone, signed in or not: checked once, in the signed-out test.
const ONCE = new Set(["/api-docs"]);

interface Persona {
  who: string;
  email: string;
  origin: string;
  areas: Array<AppRoute["area"]>;
}

const PERSONAS: Persona[] = [
  { who: "mssp-admin", email: "mssp.admin@demo.test", origin: CONSOLE, areas: ["console", "shared"] },
  { who: "acme-admin", email: "acme.admin@demo.test", origin: tenantUrl("acme"), areas: ["tenant", "shared"] },
  { who: "acme-analyst", email: "acme.analyst@demo.test", origin: tenantUrl("acme"), areas: ["tenant", "shared"] },
];

const pages = (areas: Array<AppRoute["area"]>) =>
  appRoutes().filter((r) => r.kind === "page" && areas.includes(r.area) && !SIGNED_OUT_ONLY.has(r.pattern) && !ONCE.has(r.pattern) && !r.pattern.includes("[..."));

const screenshotName = (pattern: string) => (pattern === "/" ? "home" : pattern.slice(1).replace(/[[\]]/g, "").replace(/\//g, "_"));

/**
 * The path to visit for a route pattern: [slug] is acme; any other segment is
 * taken from the first link matching the pattern on the nearest list page above it.
 */
async function resolve(page: Page, origin: string, pattern: string): Promise<string | null> {
  if (!pattern.includes("[")) return pattern;
  const withSlug = pattern.replace("[slug]", "acme");
  if (!withSlug.includes("[")) return withSlug;
  const segments = withSlug.split("/");
  const first = segments.findIndex((s) => s.startsWith("["));
  const re = new RegExp(`^${withSlug.replace(/\[[^\]]+\]/g, "[^/?#]+")}$`);
  for (let cut = first; cut >= 1; cut--) {
    const list = segments.slice(0, cut).join("/") || "/";
    const response = await page.goto(`${origin}${list}`);
    if (!response || response.status() >= 400) continue;
    const hrefs = await page.locator("a[href]").evaluateAll((as) => as.map((a) => new URL((a as HTMLAnchorElement).href).pathname));
    const hit = hrefs.find((h) => re.test(h));
    if (hit) return hit;
  }
  return null;
}

interface Problem {
  path: string;
  width: number;
  what: string;
}

async function checkPages(page: Page, persona: Persona, viewport: { width: number; height: number }) {
  await page.setViewportSize(viewport);
  const problems: Problem[] = [];
  const skipped: string[] = [];
  for (const route of pages(persona.areas)) {
    const path = await resolve(page, persona.origin, route.pattern);
    if (!path) {
      skipped.push(route.pattern);
      continue;
    }
    const response = await page.goto(`${persona.origin}${path}`);
    // Not "networkidle": pages with live progress poll for as long as they are open.
    await page.waitForLoadState("load");
    if (!response || response.status() >= 500) problems.push({ path, width: viewport.width, what: `answered ${response?.status()}` });
    const s = await sidewaysScroll(page);
    if (s.scrollWidth > s.clientWidth + 1) problems.push({ path, width: viewport.width, what: `page is ${s.scrollWidth}px wide: ${s.culprits.join("; ")}` });
    const clipped = await clippedControls(page);
    if (clipped.length) problems.push({ path, width: viewport.width, what: `cut off: ${clipped.slice(0, 5).join(", ")}` });
    for (const v of await seriousA11yViolations(page)) problems.push({ path, width: viewport.width, what: `axe ${v.rule} (${v.impact}): ${v.nodes.join(" | ")}` });
    // The whole page on a phone (to be looked at); the first screen on a laptop.
    await page.screenshot({ path: `${OUT}/${persona.who}-${viewport.width}-${screenshotName(route.pattern)}.png`, fullPage: viewport === PHONE });
  }
  if (skipped.length) test.info().annotations.push({ type: "skipped pages", description: skipped.join(", ") });
  expect(problems.map((p) => `${p.path} @${p.width}: ${p.what}`), `${persona.who} at ${viewport.width}px`).toEqual([]);
}

for (const persona of PERSONAS) {
  test.describe(persona.who, () => {
    for (const viewport of [PHONE, DESKTOP]) {
      test(`every page at ${viewport.width}px`, async ({ page }) => {
        test.setTimeout(600_000);
        await signIn(page, persona.origin, persona.email);
        await expect(page.getByTestId("signed-in-user")).toBeVisible();
        await checkPages(page, persona, viewport);
      });
    }
  });
}

test("signed-out pages at 390px and 1280px on both hosts", async ({ page }) => {
  test.setTimeout(180_000);
  const problems: string[] = [];
  for (const viewport of [PHONE, DESKTOP]) {
    await page.setViewportSize(viewport);
    for (const origin of [CONSOLE, tenantUrl("acme")]) {
      for (const path of [...SIGNED_OUT_ONLY, ...ONCE]) {
        await page.goto(`${origin}${path}`);
        const s = await sidewaysScroll(page);
        if (s.scrollWidth > s.clientWidth + 1) problems.push(`${origin}${path} @${viewport.width}: ${s.scrollWidth}px wide: ${s.culprits.join("; ")}`);
        for (const v of await seriousA11yViolations(page)) problems.push(`${origin}${path} @${viewport.width}: axe ${v.rule}: ${v.nodes.join(" | ")}`);
        if (origin === CONSOLE) await page.screenshot({ path: `${OUT}/signed-out-${viewport.width}-${screenshotName(path)}.png`, fullPage: !ONCE.has(path) });
      }
    }
  }
  expect(problems).toEqual([]);
});

test("on a phone the main navigation folds behind a Menu button that works from the keyboard", async ({ page }) => {
  await page.setViewportSize(PHONE);
  await signIn(page, CONSOLE, "mssp.admin@demo.test");
  await expect(page.getByTestId("signed-in-user")).toBeVisible();
  const menu = page.getByRole("button", { name: /^Menu/ });
  const nav = page.getByRole("navigation", { name: "Main" });
  await expect(menu).toHaveAttribute("aria-expanded", "false");
  await expect(nav).toBeHidden();
  await menu.focus();
  await page.keyboard.press("Enter");
  await expect(menu).toHaveAttribute("aria-expanded", "true");
  await expect(nav.getByRole("link", { name: "Overview" })).toHaveAttribute("aria-current", "page");
  await expectNoSidewaysScrollNow(page);
  await page.screenshot({ path: `${OUT}/phone-menu-open.png`, fullPage: true });
  await nav.getByRole("link", { name: "Customers" }).click();
  await expect(page).toHaveURL(`${CONSOLE}/customers`);
  await expect(menu).toHaveAttribute("aria-expanded", "false");
  await menu.click();
  await expect(nav.getByRole("link", { name: "Customers" })).toHaveAttribute("aria-current", "page");
});

async function expectNoSidewaysScrollNow(page: Page) {
  const s = await sidewaysScroll(page);
  expect(s.scrollWidth, s.culprits.join("; ")).toBeLessThanOrEqual(s.clientWidth + 1);
}

// Found by the sweep above only when the newest alert happened to be one: a title that is one long
// token (the demo's "Backdoor:Win32/CobaltStrike.F!dha") made the alert page 481px wide on a phone.
test("an alert whose title is one long token wraps on a phone", async ({ page }) => {
  await page.setViewportSize(PHONE);
  await signIn(page, CONSOLE, "mssp.admin@demo.test");
  await expect(page.getByTestId("signed-in-user")).toBeVisible();
  await page.goto(`${CONSOLE}/alerts?q=Backdoor`);
  // By its title: the search also matches descriptions, so the newest match may be another alert.
  const first = page.getByRole("link", { name: /Backdoor:Win32\/CobaltStrike\.F!dha/ }).first();
  await expect(first).toBeVisible();
  await first.click();
  await expect(page.getByRole("heading", { level: 1 })).toContainText("Backdoor:Win32/CobaltStrike.F!dha");
  await expectNoSidewaysScrollNow(page);
  await page.screenshot({ path: `${OUT}/phone-alert-long-title.png`, fullPage: true });
});

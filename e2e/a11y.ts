// Accessibility and small-screen checks shared by the specs that look at a page
// on a phone: axe-core's WCAG 2 A/AA rules (no serious or critical violation)
// and no sideways scrolling at the viewport's width.
import AxeBuilder from "@axe-core/playwright";
import { expect, type Page } from "@playwright/test";

/** A phone-sized viewport (iPhone 12–15 width). */
export const PHONE = { width: 390, height: 844 };

/** Fails with a readable list when axe finds a serious or critical violation. */
export async function expectNoSeriousA11yViolations(page: Page) {
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  const serious = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  const readable = serious.map((v) => ({
    rule: v.id,
    impact: v.impact,
    help: v.help,
    nodes: v.nodes.slice(0, 5).map((n) => n.target.join(" ")),
  }));
  expect(readable, `axe violations on ${page.url()}`).toEqual([]);
}

/** Fails when the page is wider than the viewport (a table or a long word pushing it sideways). */
export async function expectNoSidewaysScroll(page: Page) {
  const { scrollWidth, clientWidth } = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    clientWidth: document.documentElement.clientWidth,
  }));
  expect(scrollWidth, `${page.url()} scrolls sideways at ${clientWidth}px`).toBeLessThanOrEqual(clientWidth + 1);
}

// Accessibility and small-screen checks shared by the specs that look at a page
// on a phone: axe-core's WCAG 2 A/AA rules (no serious or critical violation),
// no sideways scrolling at the viewport's width, and no control cut off by a
// container that hides its overflow.
import AxeBuilder from "@axe-core/playwright";
import { expect, type Page } from "@playwright/test";

/** A phone-sized viewport (iPhone 12–15 width). */
export const PHONE = { width: 390, height: 844 };
/** A laptop-sized viewport. */
export const DESKTOP = { width: 1280, height: 800 };

export interface A11yFinding {
  rule: string;
  impact: string | null | undefined;
  help: string;
  nodes: string[];
}

/** axe's serious and critical violations on the page, readable (empty when there are none). */
export async function seriousA11yViolations(page: Page): Promise<A11yFinding[]> {
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  return results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => ({
      rule: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.slice(0, 5).map((n) => `${n.target.join(" ")}${n.failureSummary ? ` — ${n.failureSummary.split("\n").slice(1).join(" ").slice(0, 160)}` : ""}`),
    }));
}

/** Fails with a readable list when axe finds a serious or critical violation. */
export async function expectNoSeriousA11yViolations(page: Page) {
  expect(await seriousA11yViolations(page), `axe violations on ${page.url()}`).toEqual([]);
}

export interface SidewaysScroll {
  scrollWidth: number;
  clientWidth: number;
  /** The widest elements sticking out past the viewport (not inside a container that scrolls them), to say what to fix. */
  culprits: string[];
}

/** How wide the page is against its viewport, and what sticks out when it is too wide. */
export async function sidewaysScroll(page: Page): Promise<SidewaysScroll> {
  return page.evaluate(() => {
    const root = document.documentElement;
    const clientWidth = root.clientWidth;
    const culprits: Array<{ right: number; name: string }> = [];
    if (root.scrollWidth > clientWidth + 1) {
      const scrolls = (el: Element) => {
        const o = getComputedStyle(el).overflowX;
        return o === "auto" || o === "scroll" || o === "hidden" || o === "clip";
      };
      for (const el of Array.from(document.body.querySelectorAll("*"))) {
        const r = el.getBoundingClientRect();
        if (r.right <= clientWidth + 1 || r.width === 0) continue;
        // Inside a box that scrolls or clips it, and that box itself fits: not the cause.
        let p = el.parentElement;
        let contained = false;
        while (p && p !== document.body) {
          if (scrolls(p) && p.getBoundingClientRect().right <= clientWidth + 1) {
            contained = true;
            break;
          }
          p = p.parentElement;
        }
        if (contained) continue;
        // Only the outermost offender of each branch.
        if (el.parentElement && el.parentElement.getBoundingClientRect().right > clientWidth + 1 && el.parentElement !== document.body) continue;
        const cls = typeof el.className === "string" ? el.className.split(/\s+/).slice(0, 6).join(".") : "";
        culprits.push({ right: Math.round(r.right), name: `${el.tagName.toLowerCase()}${cls ? `.${cls}` : ""} "${(el.textContent ?? "").trim().slice(0, 40)}"` });
      }
    }
    culprits.sort((a, b) => b.right - a.right);
    return { scrollWidth: root.scrollWidth, clientWidth, culprits: culprits.slice(0, 6).map((c) => `${c.right}px ${c.name}`) };
  });
}

/** Fails when the page is wider than the viewport (a table or a long word pushing it sideways). */
export async function expectNoSidewaysScroll(page: Page) {
  const s = await sidewaysScroll(page);
  expect(s.scrollWidth, `${page.url()} scrolls sideways at ${s.clientWidth}px: ${s.culprits.join("; ")}`).toBeLessThanOrEqual(s.clientWidth + 1);
}

/**
 * Buttons and links that a container hiding its overflow cuts off (part of the
 * control outside the box that clips it, so it cannot be scrolled to). A
 * control inside a container that scrolls is reachable and not listed.
 */
export async function clippedControls(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const out: string[] = [];
    for (const el of Array.from(document.querySelectorAll("button, a[href], [role=button], input, select"))) {
      const r = el.getBoundingClientRect();
      if (r.width <= 1 || r.height <= 1) continue; // hidden, or visually hidden on purpose
      let p = el.parentElement;
      while (p && p !== document.body) {
        const s = getComputedStyle(p);
        if (s.overflowX === "auto" || s.overflowX === "scroll") break;
        // A box that ends its text with "…" truncates on purpose: the link is still there to click.
        if ((s.overflowX === "hidden" || s.overflowX === "clip") && s.textOverflow !== "ellipsis") {
          const b = p.getBoundingClientRect();
          if (b.width > 1 && (r.left < b.left - 1 || r.right > b.right + 1)) {
            out.push(`${el.tagName.toLowerCase()} "${(el.textContent ?? el.getAttribute("aria-label") ?? "").trim().slice(0, 40)}"`);
          }
          break;
        }
        p = p.parentElement;
      }
    }
    return out;
  });
}

// Brand colours: parsing, WCAG 2.x contrast, and the palette derived from the
// two colours a tenant picks. Text colours are never picked: on a brand colour
// the text is white or near-black, whichever contrasts more; each colour must
// then meet WCAG AA (4.5:1) for that text, and as text/links on the page's
// white background (primary: 4.5:1) or as a non-text indicator (accent: 3:1).
import { z } from "zod";

export const WHITE = "#ffffff";
/** Tailwind slate-900: the "near-black" text. */
export const NEAR_BLACK = "#0f172a";
export const AA_TEXT = 4.5;
export const AA_NON_TEXT = 3;

const HEX = /^#(?:[0-9a-f]{3}|[0-9a-f]{6})$/i;

/** "#abc" / "#aabbcc" (any case) → "#aabbcc"; null when it is not a colour. */
export function normalizeHex(input: string): string | null {
  const s = input.trim();
  if (!HEX.test(s)) return null;
  const h = s.slice(1).toLowerCase();
  return "#" + (h.length === 3 ? [...h].map((c) => c + c).join("") : h);
}

function rgb(hex: string): [number, number, number] {
  const n = parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

const toHex = (c: [number, number, number]) => "#" + c.map((v) => Math.max(0, Math.min(255, Math.round(v))).toString(16).padStart(2, "0")).join("");

/** WCAG 2.x relative luminance. */
export function luminance(hex: string): number {
  const [r, g, b] = rgb(hex).map((v) => {
    const c = v / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** WCAG contrast ratio, 1..21. */
export function contrast(a: string, b: string): number {
  const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
  return (x + 0.05) / (y + 0.05);
}

/** White or near-black, whichever reads better on `bg`. */
export function textOn(bg: string): string {
  return contrast(WHITE, bg) >= contrast(NEAR_BLACK, bg) ? WHITE : NEAR_BLACK;
}

/** `hex` mixed toward `to` by `amount` (0..1). */
export function mix(hex: string, to: string, amount: number): string {
  const [a, b] = [rgb(hex), rgb(to)];
  return toHex([0, 1, 2].map((i) => a[i] + (b[i] - a[i]) * amount) as [number, number, number]);
}

export type ColorRole = "primary" | "accent";
const ROLE_LABEL: Record<ColorRole, string> = { primary: "Primary colour", accent: "Accent colour" };

const ratio = (r: number) => `${(Math.floor(r * 100) / 100).toFixed(2)}:1`;

/**
 * The contrast problems of one brand colour, each naming the failing pair
 * ("Primary colour #ffff00 as text on the white page background: 1.07:1,
 * needs 4.5:1"). Empty when it passes.
 */
export function colorProblems(role: ColorRole, hex: string): string[] {
  const label = ROLE_LABEL[role];
  const problems: string[] = [];
  const on = textOn(hex);
  const onText = contrast(on, hex);
  if (onText < AA_TEXT) problems.push(`${label} ${hex} behind ${on === WHITE ? "white" : "near-black"} text: ${ratio(onText)}, needs ${AA_TEXT}:1`);
  const page = contrast(hex, WHITE);
  const need = role === "primary" ? AA_TEXT : AA_NON_TEXT;
  if (page < need) {
    problems.push(`${label} ${hex} ${role === "primary" ? "as link and heading text" : "as an indicator"} on the white page background: ${ratio(page)}, needs ${need}:1 (pick a darker shade)`);
  }
  return problems;
}

/** A colour setting's schema: a hex colour meeting the AA checks of its role. */
export function brandColorSchema(role: ColorRole) {
  return z
    .string({ error: "Enter a colour like #1d4ed8." })
    .max(20, "Enter a colour like #1d4ed8.")
    .transform((s, ctx) => {
      const hex = normalizeHex(s);
      if (!hex) {
        ctx.addIssue({ code: "custom", message: `Not a colour: use a hex colour like #1d4ed8.` });
        return z.NEVER;
      }
      const problems = colorProblems(role, hex);
      if (problems.length > 0) {
        ctx.addIssue({ code: "custom", message: `Not enough contrast (WCAG AA): ${problems.join("; ")}.` });
        return z.NEVER;
      }
      return hex;
    });
}

/** Every colour the theme uses, derived from the two picked. */
export interface BrandPalette {
  primary: string;
  /** Hover/pressed shade of primary (further from its text colour). */
  primaryStrong: string;
  onPrimary: string;
  accent: string;
  onAccent: string;
  /** Tints for soft backgrounds (badges, selected rows) and rings. */
  tint50: string;
  tint100: string;
  tint200: string;
  /** Text on the tints. */
  textStrong: string;
}

export function derivePalette(primary: string, accent: string): BrandPalette {
  const onPrimary = textOn(primary);
  // Hover moves away from the text colour, so the contrast only grows.
  const primaryStrong = mix(primary, onPrimary === WHITE ? "#000000" : WHITE, 0.18);
  const textStrong = mix(primary, "#000000", 0.2);
  return {
    primary,
    primaryStrong,
    onPrimary,
    accent,
    onAccent: textOn(accent),
    tint50: mix(primary, WHITE, 0.94),
    tint100: mix(primary, WHITE, 0.88),
    tint200: mix(primary, WHITE, 0.75),
    textStrong,
  };
}

/**
 * The palette as CSS custom properties on :root. Tailwind's brand utilities
 * (bg-brand, text-brand, hover:bg-brand-dark; globals.css @theme) and the
 * indigo accents read these variables, so the page paints in the brand from
 * the first byte. Only hex values computed here reach the CSS (no user text).
 */
export function paletteCss(p: BrandPalette): string {
  const vars: Record<string, string> = {
    "--color-brand": p.primary,
    "--color-brand-dark": p.primaryStrong,
    "--color-brand-contrast": p.onPrimary,
    "--color-brand-accent": p.accent,
    "--color-brand-accent-contrast": p.onAccent,
    "--color-indigo-50": p.tint50,
    "--color-indigo-100": p.tint100,
    "--color-indigo-200": p.tint200,
    "--color-indigo-500": p.primary,
    "--color-indigo-600": p.primary,
    "--color-indigo-700": p.textStrong,
    "--color-indigo-800": mix(p.primary, "#000000", 0.35),
  };
  for (const v of Object.values(vars)) if (!/^#[0-9a-f]{6}$/.test(v)) throw new Error("palette value is not a hex colour");
  const decl = Object.entries(vars)
    .map(([k, v]) => `${k}:${v}`)
    .join(";");
  // Text on a brand background follows the derived colour (white or near-black).
  return `:root{${decl}}.bg-brand,.hover\\:bg-brand-dark:hover{color:var(--color-brand-contrast)}`;
}

// The brand settings: keys of the settings registry (lib/settings), so they
// inherit down the tenant tree with override and lock like every setting. A
// reseller's brand reaches its customers unless they override it; a lock
// keeps it. Listed in lib/settings/registry.ts SETTINGS (group "branding").
// Only type imports from the registry: it imports this file.
import { z } from "zod";
import type { SettingDefinition } from "@/lib/settings/registry";
import { brandColorSchema } from "./color";

export const BRAND_KEYS = {
  productName: "branding.product_name",
  logoLight: "branding.logo_light",
  logoDark: "branding.logo_dark",
  favicon: "branding.favicon",
  primaryColor: "branding.primary_color",
  accentColor: "branding.accent_color",
  signinHeading: "branding.signin_heading",
  signinText: "branding.signin_text",
  supportEmail: "branding.support_email",
  supportUrl: "branding.support_url",
  emailSenderName: "branding.email_sender_name",
  hideMsspBrand: "branding.hide_mssp_brand",
} as const;
export type BrandField = keyof typeof BRAND_KEYS;

/** The MSSP's own brand: the registry defaults (what every host shows until someone brands it). */
export const MSSP_BRAND_DEFAULTS = {
  productName: "MSSP Portal",
  primaryColor: "#4f46e5",
  accentColor: "#0e7490",
} as const;

/** No control characters, no angle brackets: it is shown in pages, emails, PDFs and mail headers. */
const plainText = (label: string, max: number, allowEmpty: boolean) =>
  z
    .string({ error: `Enter the ${label}.` })
    .transform((s) => s.replace(/\s+/g, " ").trim())
    .pipe(
      z
        .string()
        .max(max, `At most ${max} characters.`)
        .refine((s) => allowEmpty || s.length > 0, `Enter the ${label}.`)
        .refine((s) => !/[\u0000-\u001f\u007f<>]/.test(s), "No control characters or < > (shown in emails and PDFs as plain text)."),
    );

/** An asset id: "" (none: inherit the default) or the sha-256 of an uploaded asset (lib/branding/assets.ts). */
const assetRef = z
  .string({ error: "Choose an uploaded image." })
  .regex(/^(?:|[0-9a-f]{64})$/, "Not an uploaded image (upload it on the brand page).");

const text = (max: number, placeholder?: string) => ({ input: { kind: "text", max, ...(placeholder ? { placeholder } : {}) } as const });

export const BRANDING_SETTINGS: readonly SettingDefinition[] = [
  {
    key: BRAND_KEYS.productName,
    group: "branding",
    label: "Product name",
    description: "Shown in the title bar, the header, the sign-in page, emails and PDFs.",
    default: MSSP_BRAND_DEFAULTS.productName,
    schema: plainText("product name", 60, false),
    ...text(60),
    bounds: "1–60 characters, no < >",
    changedBy: "tenant",
    enforcedBy: "Branding: page titles, header, sign-in page, emails and PDFs on this tenant's hosts.",
  },
  ...(
    [
      ["logoLight", "Logo (light background)", "The logo on light backgrounds: header, sign-in page, PDFs."],
      ["logoDark", "Logo (dark background)", "The logo on dark backgrounds (emails' header band)."],
      ["favicon", "Favicon", "The browser tab icon."],
    ] as const
  ).map(([field, label, description]) => ({
    key: BRAND_KEYS[field],
    group: "branding" as const,
    label,
    description: `${description} Uploaded on the brand page; empty: the default.`,
    default: "",
    schema: assetRef,
    ...text(64),
    bounds: "an uploaded PNG, JPEG or SVG",
    changedBy: "tenant" as const,
    enforcedBy: "Branding: served from /brand-asset/ on this tenant's hosts.",
  })),
  {
    key: BRAND_KEYS.primaryColor,
    group: "branding",
    label: "Primary colour",
    description: "Buttons, links and highlights. Text on it is white or near-black, whichever contrasts more.",
    default: MSSP_BRAND_DEFAULTS.primaryColor,
    schema: brandColorSchema("primary"),
    ...text(7, "#1d4ed8"),
    bounds: "hex colour; WCAG AA 4.5:1 with its text and on white",
    changedBy: "tenant",
    enforcedBy: "Branding: the CSS variables of every page on this tenant's hosts, emails and PDFs.",
  },
  {
    key: BRAND_KEYS.accentColor,
    group: "branding",
    label: "Accent colour",
    description: "Secondary highlights: the keyboard focus ring, the current page in the navigation, the selected filter's count, a chart's second series. Text on it is white or near-black, whichever contrasts more.",
    default: MSSP_BRAND_DEFAULTS.accentColor,
    schema: brandColorSchema("accent"),
    ...text(7, "#0f766e"),
    bounds: "hex colour; WCAG AA 4.5:1 with its text, 3:1 on white",
    changedBy: "tenant",
    enforcedBy: "Branding: the CSS variables of every page on this tenant's hosts.",
  },
  {
    key: BRAND_KEYS.signinHeading,
    group: "branding",
    label: "Sign-in heading",
    description: "The heading of the sign-in page. Empty: \"Sign in to <product name>\".",
    default: "",
    schema: plainText("heading", 80, true),
    ...text(80),
    bounds: "0–80 characters, no < >",
    changedBy: "tenant",
    enforcedBy: "Branding: the sign-in page on this tenant's hosts.",
  },
  {
    key: BRAND_KEYS.signinText,
    group: "branding",
    label: "Sign-in text",
    description: "A short line under the sign-in heading.",
    default: "",
    schema: plainText("text", 300, true),
    ...text(300),
    bounds: "0–300 characters, no < >",
    changedBy: "tenant",
    enforcedBy: "Branding: the sign-in page on this tenant's hosts.",
  },
  {
    key: BRAND_KEYS.supportEmail,
    group: "branding",
    label: "Support email",
    description: "Where this tenant's people write for help (shown on the sign-in page and in emails' footers).",
    default: "",
    schema: z.union([z.literal(""), z.email("Enter an email address.").max(254, "At most 254 characters.")]),
    ...text(254, "soc@example.com"),
    bounds: "an email address, or empty",
    changedBy: "tenant",
    enforcedBy: "Branding: the sign-in page and email footers.",
  },
  {
    key: BRAND_KEYS.supportUrl,
    group: "branding",
    label: "Support URL",
    description: "A help page (https only), linked from the sign-in page.",
    default: "",
    schema: z.union([
      z.literal(""),
      z
        .string()
        .max(500, "At most 500 characters.")
        .refine((s) => {
          try {
            const u = new URL(s);
            return u.protocol === "https:" && !u.username && !u.password;
          } catch {
            return false;
          }
        }, "Enter an https:// address."),
    ]),
    ...text(500, "https://help.example.com"),
    bounds: "an https:// URL, or empty",
    changedBy: "tenant",
    enforcedBy: "Branding: the sign-in page.",
  },
  {
    key: BRAND_KEYS.emailSenderName,
    group: "branding",
    label: "Email sender name",
    description: "The name emails to this tenant's people come from. Empty: the product name.",
    default: "",
    schema: plainText("sender name", 60, true).refine((s) => !/["\\,;:@]/.test(s), 'No " \\ , ; : @ (it goes into the From header).'),
    ...text(60),
    bounds: "0–60 characters, no < > \" , ; : @",
    changedBy: "tenant",
    enforcedBy: "Branding: the From name of invitations and notifications.",
  },
  {
    key: BRAND_KEYS.hideMsspBrand,
    group: "branding",
    label: "Hide the MSSP's brand",
    description: "For a reseller: its hosts and the hosts below it never show the MSSP's name, logo or colours. Set by the MSSP only.",
    default: false,
    schema: z.boolean({ error: "Choose on or off." }),
    input: { kind: "boolean" },
    bounds: "on or off",
    changedBy: "mssp",
    enforcedBy: "Branding: pages, sign-in, error pages, emails and PDFs of this tenant and below show no MSSP brand (PDP branding:whitelabel; the database refuses anyone else).",
  },
];

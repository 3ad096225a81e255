// The effective brand of a tenant, from its effective settings (inherited,
// overridden, locked) plus the rule for "hide the MSSP's brand". Pure: no I/O.
import type { EffectiveConfig } from "@/lib/settings/resolve";
import { derivePalette, type BrandPalette } from "./color";
import { BRAND_KEYS, MSSP_BRAND_DEFAULTS, type BrandField } from "./settings-keys";

export interface BrandAsset {
  sha256: string;
  contentType: string;
  /** Cache-busting URL on the same host: the hash is in the path. */
  url: string;
}

export interface Brand {
  /** The tenant whose brand this is; null for the console (the MSSP's own brand). */
  tenantId: string | null;
  productName: string;
  primaryColor: string;
  accentColor: string;
  palette: BrandPalette;
  logoLight: BrandAsset | null;
  logoDark: BrandAsset | null;
  favicon: BrandAsset | null;
  /** Always set: the uploaded favicon, else a plain mark in the primary colour. */
  faviconUrl: string;
  signinHeading: string;
  signinText: string;
  supportEmail: string;
  supportUrl: string;
  emailSenderName: string;
  /** With it, nothing of the MSSP's brand may show on this tenant's hosts. */
  hideMsspBrand: boolean;
  /** The tenants whose brand is hidden here (the MSSP above): pages name them "your provider" (lib/branding/mask.ts). Empty without the flag. */
  providerTenantIds: readonly string[];
}

/** The neutral colours that replace the MSSP's on a white-labelled host with no colours of its own. */
export const NEUTRAL = { primary: "#334155", accent: "#475569" } as const;

export const assetUrl = (sha256: string) => `/brand-asset/${sha256}`;
export const markUrl = (hex: string) => `/brand-asset/mark-${hex.slice(1)}.svg`;

/**
 * The brand with its assets' URLs naming `slug`: for a brand page shown on a host that is not the
 * tenant's own (a customer's brand on the console, a site's on its customer's host), where the
 * public /brand-asset/<hash> serves only the host's own brand. The route serves these to a
 * signed-in person who may manage that tenant's brand (lib/branding/serve.ts brandAssetForManager).
 */
export function withAssetsOf(brand: Brand, slug: string): Brand {
  const scoped = (a: BrandAsset | null): BrandAsset | null => (a ? { ...a, url: `${assetUrl(a.sha256)}?tenant=${encodeURIComponent(slug)}` } : null);
  const favicon = scoped(brand.favicon);
  return { ...brand, logoLight: scoped(brand.logoLight), logoDark: scoped(brand.logoDark), favicon, faviconUrl: favicon?.url ?? brand.faviconUrl };
}

export interface BrandInputs {
  tenantId: string | null;
  config: EffectiveConfig;
  /** Tenant ids that are the MSSP (roots): a value coming from one of them is the MSSP's brand. */
  msspIds: ReadonlySet<string>;
  /** The name shown instead of the MSSP's product name when hidden: the reseller's. */
  resellerName: string;
  /** Content types of the assets the settings name (sha → type); a missing one counts as unset. */
  assets: ReadonlyMap<string, string>;
}

export function brandFrom(i: BrandInputs): Brand {
  const hide = i.tenantId !== null && i.config.value<boolean>(BRAND_KEYS.hideMsspBrand);
  /** The value, or null when hidden: it comes from the MSSP (a root) or the registry default. */
  const own = <T>(field: BrandField): T | null => {
    const s = i.config.get(BRAND_KEYS[field]);
    if (hide && (s.source === "default" || (s.sourceTenantId !== null && i.msspIds.has(s.sourceTenantId)))) return null;
    return s.value as T;
  };
  const asset = (field: BrandField): BrandAsset | null => {
    const sha = own<string>(field);
    const type = sha ? i.assets.get(sha) : undefined;
    return sha && type ? { sha256: sha, contentType: type, url: assetUrl(sha) } : null;
  };
  const productName = own<string>("productName") ?? (i.resellerName || "Security Portal");
  const primaryColor = own<string>("primaryColor") ?? (hide ? NEUTRAL.primary : MSSP_BRAND_DEFAULTS.primaryColor);
  const accentColor = own<string>("accentColor") ?? (hide ? NEUTRAL.accent : MSSP_BRAND_DEFAULTS.accentColor);
  const favicon = asset("favicon");
  return {
    tenantId: i.tenantId,
    productName,
    primaryColor,
    accentColor,
    palette: derivePalette(primaryColor, accentColor),
    logoLight: asset("logoLight"),
    logoDark: asset("logoDark"),
    favicon,
    faviconUrl: favicon?.url ?? markUrl(primaryColor),
    signinHeading: own<string>("signinHeading") || `Sign in to ${productName}`,
    signinText: own<string>("signinText") ?? "",
    supportEmail: own<string>("supportEmail") ?? "",
    supportUrl: own<string>("supportUrl") ?? "",
    emailSenderName: own<string>("emailSenderName") || productName,
    hideMsspBrand: hide,
    providerTenantIds: hide ? [...i.msspIds] : [],
  };
}

/** The hashes a config's brand fields name (to look their content types up). */
export function assetHashes(config: EffectiveConfig): string[] {
  return [BRAND_KEYS.logoLight, BRAND_KEYS.logoDark, BRAND_KEYS.favicon].map((k) => config.value<string>(k)).filter((v) => v !== "");
}

/** A plain square mark in `hex`: the favicon of a brand without one (no MSSP mark). */
export function markSvg(hex: string): string {
  if (!/^#[0-9a-f]{6}$/.test(hex)) throw new Error("not a colour");
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="7" fill="${hex}"/></svg>`;
}

// The brand being edited: a draft per tenant (public.brand_drafts), previewed
// on the brand page, then published into the branding.* settings in one
// transaction. All of it inside the caller's withTenant (RLS), after the PDP
// said branding:manage; the settings layer re-checks types, contrast and locks.
import { ActionRefusal } from "@/lib/actions/refusal";
import type { TenantTx } from "@/lib/db/with-tenant";
import { effectiveConfig, type EffectiveConfig, type EffectiveSetting } from "@/lib/settings/resolve";
import { settingDefinition } from "@/lib/settings/registry";
import { clearSettingValue, parseSettingValue, setSettingValue } from "@/lib/settings/write";
import { SettingRefusal } from "@/lib/settings/errors";
import { sqlState } from "@/lib/db/sql-state";
import { brandAssetCapMessage, lockBrandImageWriters, MAX_BRAND_ASSETS, pruneTenantBrandAssets, refreshBrandAsset } from "./assets";
import { brandFrom, withAssetsOf, type Brand } from "./brand";
import { checkBrandImage, ImageRejected, type CheckedImage } from "./image";
import { hidesBrandValue, PROVIDER_DEFAULT, tenantNameFor, type ProviderMask } from "./mask";
import { BRAND_KEYS, type BrandField } from "./settings-keys";

/** The fields the brand page edits (the white-label flag has its own control: the MSSP's). */
export const DRAFT_FIELDS = [
  "productName",
  "primaryColor",
  "accentColor",
  "signinHeading",
  "signinText",
  "supportEmail",
  "supportUrl",
  "emailSenderName",
  "logoLight",
  "logoDark",
  "favicon",
] as const satisfies readonly BrandField[];
export type DraftField = (typeof DRAFT_FIELDS)[number];
export const ASSET_FIELDS = ["logoLight", "logoDark", "favicon"] as const satisfies readonly DraftField[];
export type AssetField = (typeof ASSET_FIELDS)[number];

/** Field → the value to publish; null: inherit again (remove this tenant's own value). */
export type Draft = Partial<Record<DraftField, string | boolean | null>>;

export async function readDraft(tx: TenantTx, tenantId: string): Promise<Draft | null> {
  const { rows } = await tx.client.query<{ draft: Draft }>("select draft from public.brand_drafts where tenant_id = $1", [tenantId]);
  return rows[0]?.draft ?? null;
}

/** The images a draft names (its logo, dark logo and favicon). */
function draftImages(draft: Draft | null): string[] {
  return ASSET_FIELDS.map((f) => draft?.[f]).filter((v): v is string => typeof v === "string" && v !== "");
}

async function writeDraft(tx: TenantTx, tenantId: string, draft: Draft): Promise<void> {
  // No prune deletes an image this draft names before it commits (lib/branding/assets.ts).
  await lockBrandImageWriters(tx.db, tenantId, draftImages(draft));
  const { rowCount } = await tx.client.query(
    `insert into public.brand_drafts (tenant_id, draft, updated_by, updated_at) values ($1, $2::jsonb, auth.uid(), now())
     on conflict (tenant_id) do update set draft = excluded.draft, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
    [tenantId, JSON.stringify(draft)],
  );
  if (rowCount !== 1) throw new ActionRefusal("You can't change the brand of that tenant.", { problem: "rls" });
}

async function configOf(tx: TenantTx, tenantId: string): Promise<EffectiveConfig> {
  const config = await effectiveConfig(tx, tenantId);
  if (!config) throw new ActionRefusal("That tenant is not one you can brand.", { problem: "invisible" });
  return config;
}

function refuseLocked(s: EffectiveSetting): void {
  if (s.lockedBy) throw new ActionRefusal(`${s.definition.label} is locked by ${s.lockedBy.tenantName} (${s.lockedBy.who}).`, { setting: s.key, problem: "locked" });
}

/**
 * Validates the form's text fields and stores them as the draft (logos stay
 * as uploaded). An empty text field means "inherit" when the tenant has no
 * value of its own to clear, and an empty value otherwise.
 */
export async function saveDraft(tx: TenantTx, tenantId: string, fields: Partial<Record<DraftField, string>>): Promise<Draft> {
  const config = await configOf(tx, tenantId);
  const draft: Draft = { ...((await readDraft(tx, tenantId)) ?? {}) };
  for (const field of DRAFT_FIELDS) {
    if ((ASSET_FIELDS as readonly string[]).includes(field)) continue;
    const raw = fields[field];
    if (raw === undefined) continue;
    const s = config.get(BRAND_KEYS[field]);
    const definition = settingDefinition(BRAND_KEYS[field])!;
    // Empty where the tenant has no value of its own: keep inheriting (a white-labelled host shows the
    // provider's values as empty fields, lib/branding/mask.ts, and saving them unchanged changes nothing).
    if (raw.trim() === "" && s.source !== "here") {
      delete draft[field];
      continue;
    }
    let value: unknown;
    try {
      value = parseSettingValue(definition, raw);
    } catch (error) {
      if (error instanceof SettingRefusal) throw new ActionRefusal(error.message, { setting: definition.key, problem: "invalid" });
      throw error;
    }
    if (value === s.value) {
      delete draft[field];
      continue;
    }
    refuseLocked(s);
    draft[field] = value as string;
  }
  await writeDraft(tx, tenantId, draft);
  return draft;
}

/** How many images `tenantId` keeps, and whether `sha256` is one of them (the caller's RLS: an admin of the tenant sees them all). */
async function assetCount(tx: TenantTx, tenantId: string, sha256: string): Promise<{ count: number; has: boolean }> {
  const { rows } = await tx.client.query<{ count: number; has: boolean }>(
    "select count(*)::int as count, coalesce(bool_or(sha256 = $2), false) as has from public.brand_assets where tenant_id = $1",
    [tenantId, sha256],
  );
  return rows[0];
}

/**
 * Checks an uploaded image, stores it (content-addressed) and puts it in the draft. Nothing stored
 * when refused. At most MAX_BRAND_ASSETS images per tenant (lib/branding/assets.ts); the image the
 * draft's field named before, if no brand uses it any more, is deleted.
 */
export async function uploadAsset(tx: TenantTx, tenantId: string, field: AssetField, bytes: Uint8Array): Promise<CheckedImage> {
  const config = await configOf(tx, tenantId);
  refuseLocked(config.get(BRAND_KEYS[field]));
  let image: CheckedImage;
  try {
    image = checkBrandImage(bytes);
  } catch (error) {
    if (error instanceof ImageRejected) throw new ActionRefusal(error.message, { problem: "image_rejected", field });
    throw error;
  }
  // This tenant's image writers and prunes take turns until commit: the image stored (or kept) here
  // is named by the draft before any prune or sweep may look at it.
  await lockBrandImageWriters(tx.db, tenantId, []);
  let held = await assetCount(tx, tenantId, image.sha256);
  if (!held.has && held.count >= MAX_BRAND_ASSETS) {
    // Full: first delete what no brand uses (an upload through the Data API, say), then count again.
    await pruneTenantBrandAssets(tx.db, tenantId);
    held = await assetCount(tx, tenantId, image.sha256);
    if (!held.has && held.count >= MAX_BRAND_ASSETS) throw new ActionRefusal(brandAssetCapMessage(), { problem: "brand_asset_limit", field, limit: MAX_BRAND_ASSETS });
  }
  // Kept already (an older upload no brand uses, say): created again now, so the sweep's hour restarts.
  if (held.has) await refreshBrandAsset(tx.db, tenantId, image.sha256);
  try {
    await tx.client.query(
      `insert into public.brand_assets (tenant_id, sha256, content_type, bytes, width, height, created_by)
       values ($1, $2, $3, $4, $5, $6, auth.uid()) on conflict (tenant_id, sha256) do nothing`,
      [tenantId, image.sha256, image.contentType, image.bytes, image.width, image.height],
    );
  } catch (error) {
    // Another upload took the last place meanwhile (the database's cap, migration 20261201032600).
    if (sqlState(error) === "54000" && (error as { hint?: string }).hint === "brand_asset_limit") {
      throw new ActionRefusal(brandAssetCapMessage(), { problem: "brand_asset_limit", field, limit: MAX_BRAND_ASSETS });
    }
    throw error;
  }
  const draft: Draft = { ...((await readDraft(tx, tenantId)) ?? {}), [field]: image.sha256 };
  await writeDraft(tx, tenantId, draft);
  await pruneTenantBrandAssets(tx.db, tenantId);
  return image;
}

/** Marks a field of the draft "inherit again" (or a logo "none"). */
export async function draftInherit(tx: TenantTx, tenantId: string, field: DraftField): Promise<void> {
  const config = await configOf(tx, tenantId);
  refuseLocked(config.get(BRAND_KEYS[field]));
  const draft: Draft = { ...((await readDraft(tx, tenantId)) ?? {}), [field]: null };
  await writeDraft(tx, tenantId, draft);
}

/** Drops the draft; the images only it used are deleted (lib/branding/assets.ts). */
export async function discardDraft(tx: TenantTx, tenantId: string): Promise<boolean> {
  const { rowCount } = await tx.client.query("delete from public.brand_drafts where tenant_id = $1", [tenantId]);
  if ((rowCount ?? 0) > 0) await pruneTenantBrandAssets(tx.db, tenantId);
  return (rowCount ?? 0) > 0;
}

/**
 * Writes the draft into the settings (each checked again) and removes it; the settings trigger evicts every
 * replica's cache at commit. The images the brand no longer uses (the logo it replaced) are deleted with the draft.
 */
export async function publishDraft(tx: TenantTx, tenantId: string): Promise<DraftField[]> {
  const draft = await readDraft(tx, tenantId);
  if (!draft || Object.keys(draft).length === 0) throw new ActionRefusal("There is no draft to publish: change something first.", { problem: "no_draft" });
  // Every lock the writes below take, up front and in order (lib/branding/assets.ts lockBrandImageWriters).
  await lockBrandImageWriters(tx.db, tenantId, draftImages(draft));
  const config = await configOf(tx, tenantId);
  const changed: DraftField[] = [];
  for (const field of DRAFT_FIELDS) {
    if (!(field in draft)) continue;
    const key = BRAND_KEYS[field];
    const value = draft[field];
    try {
      if (value === null) {
        if (config.get(key).source === "here") await clearSettingValue(tx, { tenantId, key });
      } else {
        await setSettingValue(tx, { tenantId, key, raw: String(value) });
      }
    } catch (error) {
      if (error instanceof SettingRefusal) throw new ActionRefusal(error.message, { setting: key, problem: "invalid" });
      throw error;
    }
    changed.push(field);
  }
  await discardDraft(tx, tenantId);
  return changed;
}

/** The effective config with the draft's values put in, for the preview. */
export function withDraft(config: EffectiveConfig, draft: Draft | null, tenantId: string): EffectiveConfig {
  if (!draft) return config;
  const settings = config.settings.map((s) => {
    const field = (Object.keys(BRAND_KEYS) as BrandField[]).find((f) => BRAND_KEYS[f] === s.key) as DraftField | undefined;
    if (!field || !(field in draft)) return s;
    const v = draft[field];
    return v === null ? { ...s, value: s.definition.default, source: "default" as const, sourceTenantId: null } : { ...s, value: v, source: "here" as const, sourceTenantId: tenantId };
  });
  const index = new Map(settings.map((s) => [s.key, s]));
  return { ...config, settings, get: (k) => index.get(k)!, value: <T,>(k: string) => index.get(k)!.value as T };
}

export interface BrandPageData {
  tenant: { id: string; name: string; slug: string };
  published: Brand;
  preview: Brand | null;
  draft: Draft | null;
  /** Per field: the published value, where it comes from, whether it is locked above. */
  fields: Record<DraftField, { value: string; source: string; locked: string | null; label: string; description: string; bounds: string; max: number }>;
  whitelabel: { on: boolean; canChange: boolean; source: string };
}

/**
 * Everything the brand page shows, under the caller's RLS. `mask`: the host
 * hides the MSSP's brand (lib/branding/mask.ts): the provider's values are
 * "Provider default" without the value, its name "your provider".
 */
export async function loadBrandPage(tx: TenantTx, tenant: { id: string; name: string; slug: string }, canWhitelabel: boolean, mask: ProviderMask | null = null): Promise<BrandPageData> {
  const config = await configOf(tx, tenant.id);
  const draft = await readDraft(tx, tenant.id);
  const { rows: chain } = await tx.client.query<{ id: string; name: string; kind: string }>(
    `select a.id, a.name, a.kind from public.tenants t join public.tenants a on t.path operator(extensions.<@) a.path
      where t.id = $1 order by extensions.nlevel(a.path)`,
    [tenant.id],
  );
  // Assets: those of this tenant and of the ancestors it can see (RLS), plus the draft's own.
  const { rows: assetRows } = await tx.client.query<{ sha256: string; content_type: string }>(
    "select sha256, content_type from public.brand_assets where tenant_id = any($1::uuid[])",
    [chain.map((c) => c.id)],
  );
  const assets = new Map(assetRows.map((r) => [r.sha256, r.content_type]));
  // An inherited logo of an ancestor the caller cannot read is still the brand: type unknown, shown by URL.
  for (const f of ASSET_FIELDS) {
    const sha = config.value<string>(BRAND_KEYS[f]);
    if (sha && !assets.has(sha)) assets.set(sha, "image");
  }
  // The MSSP: by kind where the caller can read it, and the host's hidden provider (its row may be invisible under RLS).
  const msspIds = new Set([...chain.filter((c) => c.kind === "mssp").map((c) => c.id), ...(mask?.ids ?? [])]);
  const resellerName = chain.find((c) => c.kind !== "mssp")?.name ?? "";
  const published = brandFrom({ tenantId: tenant.id, config, msspIds, resellerName, assets });
  const preview = draft && Object.keys(draft).length > 0 ? brandFrom({ tenantId: tenant.id, config: withDraft(config, draft, tenant.id), msspIds, resellerName, assets }) : null;
  const fields = Object.fromEntries(
    DRAFT_FIELDS.map((f) => {
      const s = config.get(BRAND_KEYS[f]);
      const input = s.definition.input;
      const hidden = hidesBrandValue(mask, s);
      return [
        f,
        {
          value: String(draft && f in draft ? (draft[f] ?? "") : hidden ? "" : s.value),
          source: hidden ? PROVIDER_DEFAULT : s.source === "here" ? "set here" : s.source === "inherited" ? `from ${tenantNameFor(mask, s.sourceTenantId, s.sourceName ?? "")}` : "default",
          locked: s.lockedBy ? `locked by ${tenantNameFor(mask, s.lockedBy.tenantId, s.lockedBy.tenantName)}` : null,
          label: s.definition.label,
          description: s.definition.description,
          bounds: s.definition.bounds,
          max: input.kind === "text" ? input.max : 100,
        },
      ];
    }),
  ) as BrandPageData["fields"];
  const hide = config.get(BRAND_KEYS.hideMsspBrand);
  return {
    tenant,
    published,
    preview,
    draft,
    fields,
    whitelabel: { on: hide.value === true, canChange: canWhitelabel, source: hide.source === "inherited" ? `from ${tenantNameFor(mask, hide.sourceTenantId, hide.sourceName ?? "")}` : hide.source === "here" ? "set here" : "default" },
  };
}

/** The brand page of the tenant `slug`, if the caller may brand it (PDP branding:manage); null otherwise. */
export async function loadBrandPageFor(
  tx: TenantTx,
  slug: string,
  mask: ProviderMask | null = null,
  opts: { onAnotherHost?: boolean } = {},
): Promise<BrandPageData | null> {
  const { checkActions, principalFromClaims, tenantResource } = await import("@/lib/authz");
  const { rows } = await tx.client.query<{ id: string; name: string }>("select id, name from public.tenants where slug = $1", [slug]);
  if (!rows[0]) return null;
  const tenant = await tenantResource(tx.db, rows[0].id);
  if (!tenant) return null;
  const can = await checkActions(principalFromClaims(tx.claims), ["branding:manage", "branding:whitelabel"], tenant);
  if (!can["branding:manage"]) return null;
  const data = await loadBrandPage(tx, { id: tenant.id, name: rows[0].name, slug }, can["branding:whitelabel"], mask);
  if (!opts.onAnotherHost) return data;
  // Shown on a host that is not this tenant's own (the console): its logos come through the managers' asset path.
  return { ...data, published: withAssetsOf(data.published, slug), preview: data.preview && withAssetsOf(data.preview, slug) };
}

"use server";
// The brand page's actions (lib/branding/draft.ts does the work): each through
// the guard (zod, session, host tenant, PDP branding:manage, audit). Messages
// never echo what was typed.
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { discardDraft, draftInherit, publishDraft, saveDraft, uploadAsset, DRAFT_FIELDS } from "@/lib/branding/draft";
import { tenantAction } from "../guard";
import type { ActionResult } from "../result";

const tenantId = z.string().uuid("Choose a tenant.");
const text = (max: number) => z.string().max(max, `At most ${max} characters.`).optional();

const draftSchema = z.object({
  tenantId,
  productName: text(60),
  primaryColor: text(20),
  accentColor: text(20),
  signinHeading: text(80),
  signinText: text(300),
  supportEmail: text(254),
  supportUrl: text(500),
  emailSenderName: text(60),
});

const revalidate = () => {
  revalidatePath("/settings/brand");
  revalidatePath("/customers/[slug]/brand", "page");
};

export const saveBrandDraft = tenantAction({ action: "branding:manage", audit: "brand.draft-saved", schema: draftSchema }, async ({ tx, input, tenant }) => {
  const { tenantId: _t, ...fields } = input;
  const draft = await saveDraft(tx, tenant.id, fields);
  revalidate();
  const n = Object.keys(draft).length;
  return {
    data: undefined,
    message: n === 0 ? "Nothing differs from the published brand." : `Draft saved (${n} change${n === 1 ? "" : "s"}). Check the preview, then publish.`,
    target: { type: "tenant", id: tenant.id },
    details: { fields: Object.keys(draft) },
  };
});

const uploadSchema = z.object({
  tenantId,
  field: z.enum(["logoLight", "logoDark", "favicon"], { error: "Choose which image this is." }),
  // The file's bytes, base64 (uploadBrandImage below puts them here). 512 KiB → ~700,000 characters.
  data: z.string({ error: "Choose a file." }).min(1, "Choose a file.").max(1_000_000, "The file is too big: at most 512 KiB.").regex(/^[A-Za-z0-9+/]*={0,2}$/, "The file could not be read."),
});

const uploadGuarded = tenantAction({ action: "branding:manage", audit: "brand.asset-uploaded", schema: uploadSchema }, async ({ tx, input, tenant }) => {
  const image = await uploadAsset(tx, tenant.id, input.field, Buffer.from(input.data, "base64"));
  revalidate();
  return {
    data: undefined,
    message: `Image checked and added to the draft (${image.contentType.replace("image/", "").replace("+xml", "")}, ${image.width}×${image.height}). Preview it, then publish.`,
    target: { type: "brand_asset", id: image.sha256 },
    details: { field: input.field, content_type: image.contentType, bytes: image.bytes.length, width: image.width, height: image.height },
  };
});

/** A logo or favicon from a file input: its bytes go through the guard as base64 (the guard reads text fields only). */
export async function uploadBrandImage(previous: ActionResult, form: FormData): Promise<ActionResult> {
  const file = form.get("file");
  const next = new FormData();
  for (const k of ["tenantId", "field"]) {
    const v = form.get(k);
    if (typeof v === "string") next.set(k, v);
  }
  if (file instanceof File && file.size > 0) {
    if (file.size > 600 * 1024) return { ok: false, error: "The file is too big: at most 512 KiB. Nothing was stored." };
    next.set("data", Buffer.from(await file.arrayBuffer()).toString("base64"));
  }
  return uploadGuarded(previous, next);
}

const fieldSchema = z.object({ tenantId, field: z.enum(DRAFT_FIELDS, { error: "Choose a field." }) });

export const inheritBrandField = tenantAction({ action: "branding:manage", audit: "brand.draft-saved", schema: fieldSchema }, async ({ tx, input, tenant }) => {
  await draftInherit(tx, tenant.id, input.field);
  revalidate();
  return { data: undefined, message: "The draft now inherits that field. Publish to apply it.", target: { type: "tenant", id: tenant.id }, details: { inherit: input.field } };
});

const refSchema = z.object({ tenantId });

export const publishBrand = tenantAction({ action: "branding:manage", audit: "brand.published", schema: refSchema }, async ({ tx, tenant }) => {
  const changed = await publishDraft(tx, tenant.id);
  revalidate();
  return { data: undefined, message: "Brand published: every page of this portal now shows it.", target: { type: "tenant", id: tenant.id }, details: { fields: changed } };
});

export const discardBrandDraft = tenantAction({ action: "branding:manage", audit: "brand.draft-discarded", schema: refSchema }, async ({ tx, tenant }) => {
  const had = await discardDraft(tx, tenant.id);
  revalidate();
  return { data: undefined, message: had ? "Draft discarded." : "There was no draft.", target: { type: "tenant", id: tenant.id } };
});

const whitelabelSchema = z.object({ tenantId, on: z.enum(["true", "false"], { error: "Choose on or off." }) });

/** "Hide the MSSP's brand": the MSSP's admins only (PDP branding:whitelabel; the database refuses anyone else too). */
export const setWhitelabel = tenantAction({ action: "branding:whitelabel", audit: "brand.whitelabel-changed", schema: whitelabelSchema }, async ({ tx, input, tenant }) => {
  const { setSettingValue } = await import("@/lib/settings/write");
  await setSettingValue(tx, { tenantId: tenant.id, key: "branding.hide_mssp_brand", raw: input.on });
  revalidate();
  return {
    data: undefined,
    message: input.on === "true" ? "The MSSP's brand is now hidden on this tenant's portals and those below it." : "The MSSP's brand may show again.",
    target: { type: "tenant", id: tenant.id },
    details: { hide_mssp_brand: input.on === "true" },
  };
});

// Uploaded brand images (public.brand_assets): how many a tenant may keep, and
// the deletion of those no brand uses any more.
//
// An image belongs to the tenant whose brand page uploaded it; a setting or a
// draft names it by its hash, and the asset route finds it among the host's
// tenant and its ancestors (lib/branding/serve.ts): a site's own setting may
// name its customer's logo. So an image of tenant T is in use while the hash
// is the value of a logo/dark logo/favicon setting (branding.logo_light,
// branding.logo_dark, branding.favicon) of T or of a tenant below it, or one
// of those fields of such a tenant's brand draft. Everything else is deleted:
// at once for the tenant being branded, after its brand page uploads,
// publishes or discards (lib/branding/draft.ts, inside the person's
// transaction), and by a daily task (lib/branding/tasks.ts) across every tenant for what an upload
// through the Data API left (kept for an hour: the grace between an insert and
// the draft that names it). The service role writes the deletes (purpose
// branding.assets): a tenant admin may insert and read images, never delete
// one (migration 20261201020000).
//
// At most MAX_BRAND_ASSETS images per tenant: the brand page refuses the
// upload with what to do, and the database refuses a signed-in insert past it
// (migration 20261201032600, the same number).
import type { Db } from "@/lib/db/with-tenant";
import { withServiceRole, withServiceRoleIn } from "@/lib/db/service-role";
import { BRAND_KEYS } from "./settings-keys";

/** Images one tenant may keep (settings.refuse_past_brand_asset_cap in the database says the same). */
export const MAX_BRAND_ASSETS = 50;

/** The daily task keeps an image this young: an insert through the Data API may name it in a draft next. */
export const SWEEP_GRACE_MS = 3600 * 1000;

/** The draft fields and settings that name an image (lib/branding/draft.ts ASSET_FIELDS). */
const DRAFT_FIELDS = ["logoLight", "logoDark", "favicon"] as const;
const SETTING_KEYS = DRAFT_FIELDS.map((f) => BRAND_KEYS[f]);

/**
 * $1 one tenant or null (every tenant), $2 created before (null: any age), $3 the settings, $4 the
 * draft fields that name an image. Per image: the tenants at or below its own, each probed by key
 * (tenant_settings' primary key, brand_drafts' primary key).
 */
export const PRUNE_SQL = `delete from public.brand_assets a
  where ($1::uuid is null or a.tenant_id = $1::uuid)
    and ($2::timestamptz is null or a.created_at < $2::timestamptz)
    and not exists (
      select 1
        from public.tenants o
        join public.tenants d on d.path operator(extensions.<@) o.path
       where o.id = a.tenant_id
         and (exists (select 1 from public.tenant_settings s
                       where s.tenant_id = d.id and s.key = any ($3::text[]) and s.value #>> '{}' = a.sha256)
              or exists (select 1 from public.brand_drafts b, unnest($4::text[]) k
                          where b.tenant_id = d.id and b.draft ->> k = a.sha256)))
  returning a.tenant_id`;

async function prune(db: Db, tenantId: string | null, before: Date | null): Promise<number> {
  const { rowCount } = await db.$client.query(PRUNE_SQL, [tenantId, before, SETTING_KEYS, DRAFT_FIELDS]);
  return rowCount ?? 0;
}

/**
 * Deletes the images of `tenantId` that no brand uses, inside the caller's transaction (its
 * withTenant, after the PDP allowed branding:manage): what the caller's draft and settings say
 * at this point of its transaction counts. Returns how many went.
 */
export async function pruneTenantBrandAssets(db: Db, tenantId: string): Promise<number> {
  return withServiceRoleIn("branding.assets", db, (sdb) => prune(sdb, tenantId, null));
}

/** The daily sweep: every tenant's unused images older than the grace. */
export async function pruneUnusedBrandAssets(opts: { now?: Date } = {}): Promise<number> {
  const before = new Date((opts.now ?? new Date()).getTime() - SWEEP_GRACE_MS);
  return withServiceRole("branding.assets", (db) => prune(db, null, before));
}

/** The person's message when a tenant holds MAX_BRAND_ASSETS images already. */
export function brandAssetCapMessage(): string {
  return (
    `This tenant already keeps ${MAX_BRAND_ASSETS} uploaded brand images, the most it may. ` +
    "Publish or discard the brand draft to delete the images no brand uses any more, then upload again."
  );
}

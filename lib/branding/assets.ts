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
import { recordAuditAs } from "@/lib/audit/record";
import { BRAND_KEYS } from "./settings-keys";

/** Images one tenant may keep (settings.refuse_past_brand_asset_cap in the database says the same). */
export const MAX_BRAND_ASSETS = 50;

/** The daily task keeps an image this young: an insert through the Data API may name it in a draft next. */
export const SWEEP_GRACE_MS = 3600 * 1000;

/** The draft fields and settings that name an image (lib/branding/draft.ts ASSET_FIELDS). */
const DRAFT_FIELDS = ["logoLight", "logoDark", "favicon"] as const;
const SETTING_KEYS = DRAFT_FIELDS.map((f) => BRAND_KEYS[f]);

/**
 * $1 the tenant, $2 created before (null: any age), $3 the settings, $4 the
 * draft fields that name an image. Per image: the tenants at or below its own, each probed by key
 * (tenant_settings' primary key, brand_drafts' primary key).
 */
export const PRUNE_SQL = `delete from public.brand_assets a
  where a.tenant_id = $1::uuid
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
  returning a.sha256`;

/**
 * The lock one tenant's image writers take turns under until commit: the same as the cap trigger's
 * (settings.refuse_past_brand_asset_cap, migration 20261201032600). A prune takes it for the tenant
 * whose images it deletes; whoever names an image (an upload, a draft, a logo/dark logo/favicon
 * setting) takes it for the tenants owning that image (lockBrandImageWriters). So no image is deleted
 * between the check that it is unused and the commit of a write naming it: the prune's statement
 * starts after that commit and sees the name.
 */
const LOCK_SQL = "select pg_advisory_xact_lock(hashtext('brand_assets'), hashtext($1::uuid::text))";

async function prune(db: Db, tenantId: string, before: Date | null): Promise<string[]> {
  await db.$client.query(LOCK_SQL, [tenantId]);
  const { rows } = await db.$client.query<{ sha256: string }>(PRUNE_SQL, [tenantId, before, SETTING_KEYS, DRAFT_FIELDS]);
  return rows.map((r) => r.sha256);
}

/**
 * Before a write of `tenantId`'s draft or settings that names the images `sha256s`: takes the brand
 * image lock of `tenantId` and of each tenant at or above it keeping one of them (a site may name its
 * customer's logo), deepest first, so two writers never wait on each other in a circle (each prune
 * holds one tenant's). Through the service role: a site's admin may not read its customer's images.
 */
export async function lockBrandImageWriters(db: Db, tenantId: string, sha256s: readonly string[]): Promise<void> {
  const wanted = sha256s.filter((s) => typeof s === "string" && /^[0-9a-f]{64}$/.test(s));
  const owners = wanted.length
    ? await withServiceRoleIn("branding.assets", db, async (sdb) => {
        const { rows } = await sdb.$client.query<{ id: string }>(
          `select distinct o.id, extensions.nlevel(o.path) as depth
             from public.tenants t
             join public.tenants o on t.path operator(extensions.<@) o.path
             join public.brand_assets a on a.tenant_id = o.id and a.sha256 = any ($2::text[])
            where t.id = $1 and o.id <> $1
            order by depth desc, o.id`,
          [tenantId, wanted],
        );
        return rows.map((r) => r.id);
      })
    : [];
  for (const id of [tenantId, ...owners]) await db.$client.query(LOCK_SQL, [id]);
}

/**
 * An upload of an image `tenantId` keeps already: the row again, created now, so the daily sweep's
 * grace restarts (under the tenant's lock, taken by the caller; the table grants no update: delete
 * and insert as the service role, one statement).
 */
export async function refreshBrandAsset(db: Db, tenantId: string, sha256: string): Promise<void> {
  await withServiceRoleIn("branding.assets", db, (sdb) =>
    sdb.$client.query(
      `with old as (delete from public.brand_assets where tenant_id = $1 and sha256 = $2
                    returning tenant_id, sha256, content_type, bytes, width, height, created_by)
       insert into public.brand_assets (tenant_id, sha256, content_type, bytes, width, height, created_by, created_at)
       select tenant_id, sha256, content_type, bytes, width, height, created_by, now() from old`,
      [tenantId, sha256],
    ),
  );
}

/**
 * Deletes the images of `tenantId` that no brand uses, inside the caller's transaction (its
 * withTenant, after the PDP allowed branding:manage): what the caller's draft and settings say
 * at this point of its transaction counts. Returns how many went.
 */
export async function pruneTenantBrandAssets(db: Db, tenantId: string): Promise<number> {
  return withServiceRoleIn("branding.assets", db, async (sdb) => (await prune(sdb, tenantId, null)).length);
}

/**
 * The daily sweep: every tenant's unused images older than the grace, a transaction per tenant (each
 * under that tenant's lock, held only while its images are deleted).
 */
export async function pruneUnusedBrandAssets(opts: { now?: Date } = {}): Promise<number> {
  const before = new Date((opts.now ?? new Date()).getTime() - SWEEP_GRACE_MS);
  const tenants = await withServiceRole("branding.assets", async (db) => {
    const { rows } = await db.$client.query<{ tenant_id: string }>(
      "select distinct tenant_id from public.brand_assets where created_at < $1 order by tenant_id",
      [before],
    );
    return rows.map((r) => r.tenant_id);
  });
  let deleted = 0;
  for (const tenantId of tenants) {
    deleted += await withServiceRole("branding.assets", async (db) => {
      const gone = await prune(db, tenantId, before);
      // Nobody asked for these deletions: the tenant's trail says what the system removed, in the same transaction.
      if (gone.length > 0) {
        await recordAuditAs(db, null, {
          tenantId,
          action: "brand.assets-pruned",
          targetType: "brand_assets",
          targetId: String(gone.length),
          outcome: "success",
          details: { deleted: gone.length, images: gone.slice(0, 50), by: "daily sweep of images no brand uses" },
        });
      }
      return gone.length;
    });
  }
  return deleted;
}

/** The person's message when a tenant holds MAX_BRAND_ASSETS images already. */
export function brandAssetCapMessage(): string {
  return (
    `This tenant already keeps ${MAX_BRAND_ASSETS} uploaded brand images, the most it may. ` +
    "Publish or discard the brand draft to delete the images no brand uses any more, then upload again."
  );
}

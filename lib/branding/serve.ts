// What /brand-asset/<file> answers on a host: the host's own logo, dark logo
// or favicon (published, or in its draft being previewed), looked up among
// the tenant and its ancestors (an inherited logo belongs to the reseller that
// uploaded it); or a plain colour mark. Nothing else: not another tenant's
// asset, not an ancestor's asset the host's brand does not use (the MSSP's
// logo on a white-labelled host). The console serves the brand it shows the
// signed-in user (their MSSP's), signed out the only MSSP's, or none when the
// portal runs several.
import { withServiceRole } from "@/lib/db/service-role";
import type { TenantTx } from "@/lib/db/with-tenant";
import type { HostTarget } from "@/lib/tenancy/host";
import { markSvg, type Brand } from "./brand";
import type { AssetField } from "./draft";
import { brandForTarget, brandOfConsoleFor, consoleBrandTenantId, firstMsspId, requestUserId, unknownTenantBrand } from "./resolve";

export interface ServedAsset {
  contentType: string;
  bytes: Buffer;
  /**
   * brandAssetFor: the answer depends on the host and the file alone and lasts, so it may be cached
   * publicly: a colour mark, or an asset a tenant host's published brand uses. Not on the console
   * (the brand there is the signed-in person's), nor an asset served only for the draft being
   * previewed (404 once the draft is discarded).
   */
  public?: boolean;
}

const SHA = /^[0-9a-f]{64}$/;
// The draft's image fields (lib/branding/draft.ts ASSET_FIELDS; the Record makes a new one a type
// error here). Only these preview an asset: a hash typed into a text field (the sign-in text) names
// nothing the host's brand shows.
const DRAFT_ASSET_KEYS = Object.keys({ logoLight: true, logoDark: true, favicon: true } satisfies Record<AssetField, true>);
const MARK = /^mark-([0-9a-f]{6})\.svg$/;

/**
 * `viewerId`, on the console: whose console it is (lib/branding/resolve brandOfConsoleFor), null when
 * signed out; omitted: the current request's signed-in user. An unknown host is the console signed out.
 */
export async function brandAssetFor(target: HostTarget, file: string, viewerId?: string | null): Promise<ServedAsset | null> {
  const mark = MARK.exec(file);
  if (mark) return { contentType: "image/svg+xml", bytes: Buffer.from(markSvg(`#${mark[1]}`)), public: true };
  if (!SHA.test(file)) return null;
  let brand: Brand | null;
  let consoleTenant: string | null = null;
  let unknownTenant = false;
  if (target.area === "tenant") {
    brand = await brandForTarget(target);
    if (brand === null) {
      // A slug of no tenant shows the first MSSP's brand (unknownTenantBrand): its logo loads
      // there as on that MSSP's unbranded customers' hosts, so the two stay alike.
      brand = await unknownTenantBrand();
      unknownTenant = true;
    }
  } else {
    const viewer = target.area === "console" ? (viewerId === undefined ? await requestUserId() : viewerId) : null;
    brand = viewer ? await brandOfConsoleFor(viewer) : await brandForTarget({ area: "console" });
    consoleTenant = await consoleBrandTenantId(viewer);
    if (consoleTenant === null) return null;
  }
  const published = brand && [brand.logoLight, brand.logoDark, brand.favicon].some((a) => a?.sha256 === file);
  return withServiceRole("branding.resolve", async (db) => {
    const host = unknownTenant ? await firstMsspId(db) : target.area === "tenant" ? target.slug : consoleTenant;
    const { rows } = await db.$client.query<{ content_type: string; bytes: Buffer }>(
      `with host_tenant as (
         select t.id, t.path from public.tenants t
          where ${target.area === "tenant" && !unknownTenant ? "t.slug = $2::text" : "t.id = $2::uuid"})
       select a.content_type, a.bytes
         from host_tenant h
         join public.tenants anc on h.path operator(extensions.<@) anc.path
         join public.brand_assets a on a.tenant_id = anc.id and a.sha256 = $1
        where $3::boolean
           or exists (select 1 from public.brand_drafts d, unnest($5::text[]) k
                       where not $4::boolean and d.tenant_id = h.id and d.draft ->> k = $1)
        limit 1`,
      [file, host, Boolean(published), unknownTenant, DRAFT_ASSET_KEYS],
    );
    return rows[0] ? { contentType: rows[0].content_type, bytes: rows[0].bytes, public: Boolean(published) && target.area === "tenant" } : null;
  });
}

/**
 * /brand-asset/<hash>?tenant=<slug>: an asset of that tenant or one of its ancestors, for the
 * signed-in caller of `tx` whom the PDP allows branding:manage there; RLS decides which tenants
 * and assets exist for them. The brand pages show a tenant's logos this way on a host that is not
 * the tenant's own (lib/branding/brand.ts withAssetsOf). Null: not found, whatever the reason.
 */
export async function brandAssetForManager(tx: TenantTx, slug: string, file: string): Promise<ServedAsset | null> {
  if (!SHA.test(file)) return null;
  // Imported here, as lib/branding/draft.ts does: the PDP client is not part of the public asset path.
  const { checkAction, principalFromClaims, tenantResource } = await import("@/lib/authz");
  const { rows: found } = await tx.client.query<{ id: string }>("select id from public.tenants where slug = $1", [slug]);
  const tenant = found[0] ? await tenantResource(tx.db, found[0].id) : null;
  if (!tenant || !(await checkAction(principalFromClaims(tx.claims), "branding:manage", tenant))) return null;
  const { rows } = await tx.client.query<{ content_type: string; bytes: Buffer }>(
    `select a.content_type, a.bytes
       from public.tenants t
       join public.tenants anc on t.path operator(extensions.<@) anc.path
       join public.brand_assets a on a.tenant_id = anc.id and a.sha256 = $2
      where t.id = $1
      limit 1`,
    [tenant.id, file],
  );
  return rows[0] ? { contentType: rows[0].content_type, bytes: rows[0].bytes } : null;
}

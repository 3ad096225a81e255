// Everything the credentials page shows, loaded in the caller's transaction:
// the tenants whose credentials the caller may see (PDP credentials:view,
// batch), which of them they may manage (credentials:manage), and the
// selected tenant's credentials, masked.
import { asc } from "drizzle-orm";
import { tenants } from "@/drizzle/schema";
import { checkActionsForEach, principalFromClaims, type TenantResource } from "@/lib/authz";
import type { TenantTx } from "@/lib/db/with-tenant";
import { listCredentials, type MaskedCredential } from "./store";

export interface CredentialTenant extends TenantResource {
  slug: string;
  name: string;
  canManage: boolean;
}

export interface CredentialsPageData {
  tenants: CredentialTenant[];
  selected: CredentialTenant | null;
  credentials: MaskedCredential[];
}

export async function loadCredentialsPage(tx: TenantTx, wantedSlug: string | undefined, fallbackId: string | null): Promise<CredentialsPageData> {
  const visible = await tx.db
    .select({ id: tenants.id, slug: tenants.slug, name: tenants.name, path: tenants.path, kind: tenants.kind, status: tenants.status })
    .from(tenants)
    .orderBy(asc(tenants.path));
  const allowed = await checkActionsForEach(principalFromClaims(tx.claims), ["credentials:view", "credentials:manage"], visible);
  const viewable = visible
    .filter((t) => allowed.get(t.id)?.["credentials:view"])
    .map((t) => ({ ...t, canManage: Boolean(allowed.get(t.id)?.["credentials:manage"]) }));
  const selected = viewable.find((t) => t.slug === wantedSlug) ?? viewable.find((t) => t.id === fallbackId) ?? viewable[0] ?? null;
  if (!selected) return { tenants: [], selected: null, credentials: [] };
  return { tenants: viewable, selected, credentials: await listCredentials(tx, selected.id) };
}

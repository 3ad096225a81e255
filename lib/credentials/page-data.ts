// Everything the credentials page shows, loaded in the caller's transaction:
// the tenants whose credentials the caller may see (PDP credentials:view,
// batch), which of them they may manage (credentials:manage), and the
// selected tenant's credentials, masked.
//
// Two ways in: a tenant portal's page lists every tenant the caller may see
// (a customer and its sites: a handful) for its picker; the console's manage
// page is reached from the overview for one tenant by slug, and checks only
// that one (an MSSP may operate well over a thousand tenants).
import { asc, eq } from "drizzle-orm";
import { tenants } from "@/drizzle/schema";
import { checkActionsForEach, principalFromClaims, type TenantResource } from "@/lib/authz";
import type { TenantTx } from "@/lib/db/with-tenant";
import { effectiveConfig } from "@/lib/settings/resolve";
import { pickTenant, type TenantPick } from "@/lib/tenancy/tenant-filter";
import { enabledKindsOf } from "@/lib/settings/read";
import { CONNECTOR_KINDS, type ConnectorKind } from "./connectors";
import { listCredentials, type MaskedCredential } from "./store";

export interface CredentialTenant extends TenantResource {
  slug: string;
  name: string;
  canManage: boolean;
}

export interface CredentialsPageData {
  tenants: CredentialTenant[];
  selected: CredentialTenant | null;
  /** What ?tenant= named when it named none or several (TenantPicker says so); absent on the by-slug page. */
  pick?: Pick<TenantPick<CredentialTenant>, "unresolved" | "typed">;
  credentials: MaskedCredential[];
  /** Connector kinds the selected tenant's settings disable (integrations.<kind> off): none can be added, existing ones are marked. */
  disabledKinds: ConnectorKind[];
}

async function disabledKindsOf(tx: TenantTx, tenantId: string): Promise<ConnectorKind[]> {
  const config = await effectiveConfig(tx, tenantId);
  if (!config) return [];
  const enabled = enabledKindsOf(config);
  return CONNECTOR_KINDS.filter((k) => !enabled.has(k));
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
  const { selected, unresolved, typed } = pickTenant(viewable, wantedSlug, fallbackId);
  if (!selected) return { tenants: [], selected: null, credentials: [], disabledKinds: [] };
  return { tenants: viewable, selected, pick: { unresolved, typed }, credentials: await listCredentials(tx, selected.id), disabledKinds: await disabledKindsOf(tx, selected.id) };
}

/**
 * One tenant's credentials page, by slug: the tenant if RLS shows it and the
 * PDP allows credentials:view there, else nothing selected (the same answer
 * for a tenant that does not exist and one the caller may not see).
 */
export async function loadCredentialsPageFor(tx: TenantTx, slug: string): Promise<CredentialsPageData> {
  const [tenant] = await tx.db
    .select({ id: tenants.id, slug: tenants.slug, name: tenants.name, path: tenants.path, kind: tenants.kind, status: tenants.status })
    .from(tenants)
    .where(eq(tenants.slug, slug))
    .limit(1);
  if (!tenant) return { tenants: [], selected: null, credentials: [], disabledKinds: [] };
  const allowed = (await checkActionsForEach(principalFromClaims(tx.claims), ["credentials:view", "credentials:manage"], [tenant])).get(tenant.id);
  if (!allowed?.["credentials:view"]) return { tenants: [], selected: null, credentials: [], disabledKinds: [] };
  const selected = { ...tenant, canManage: Boolean(allowed["credentials:manage"]) };
  return { tenants: [selected], selected, credentials: await listCredentials(tx, selected.id), disabledKinds: await disabledKindsOf(tx, selected.id) };
}

// The tenant page's "Download the manifests": the tenant read under RLS, the
// PDP asked for tenants:provision on it, then its manifests validated and
// rendered as YAML.
import { authorize } from "@/lib/authz";
import { withLifecycleIn } from "./service-path";
import type { TenantTx } from "@/lib/db/with-tenant";
import { manifestsToYaml } from "./isolation/render";
import { isolationManifestsFor } from "./isolation-for";
import { validateManifests } from "./isolation/validate";
import { findTenant } from "./tenant-row";

export async function isolationYaml(tx: TenantTx, slug: string): Promise<string | null> {
  const { rows } = await tx.client.query<{ id: string }>(`select id from public.tenants where slug = $1`, [slug]);
  if (!rows[0]) return null;
  await authorize(tx, "tenants:provision", rows[0].id);
  // The MSSP's id and slug (the namespace labels) come from the tree; the caller may be staff of it.
  const t = await withLifecycleIn(tx.db, (db) => findTenant(db, rows[0].id));
  if (!t) return null;
  // The same check provisioning makes before it applies: nothing invalid is handed out either.
  const objects = isolationManifestsFor(t);
  validateManifests(objects);
  return manifestsToYaml(objects);
}

// Where a tenant may move to, for the Move form: active tenants of the right
// kind that the caller sees and may move into (PDP tenants:move), never the
// tenant itself or anything below it. The move re-checks all of it.
import { checkActionsForEach, principalFromClaims } from "@/lib/authz";
import type { TenantTx } from "@/lib/db/with-tenant";
import type { TenantDetail } from "./detail-page";

export async function moveTargetsFor(tx: TenantTx, t: Pick<TenantDetail, "id" | "kind" | "parentName">): Promise<{ id: string; label: string }[]> {
  if (t.kind === "mssp") return [];
  const kinds = t.kind === "customer" ? ["mssp"] : ["customer", "site"];
  const { rows } = await tx.client.query<{ id: string; name: string; kind: "mssp" | "customer" | "site"; path: string; status: "active"; mssp: string }>(
    `select c.id, c.name, c.kind, c.path::text as path, c.status, r.slug as mssp
       from public.tenants c
       join public.tenants r on r.parent_id is null and c.path operator(extensions.<@) r.path
       join public.tenants me on me.id = $1
      where c.kind = any($2::text[]) and c.status = 'active' and c.id <> me.parent_id
        and not (c.path operator(extensions.<@) me.path)
        -- Nor below a tenant that is not active (an offboarding's sites keep their own status).
        and not exists (select 1 from public.tenants s where s.status <> 'active' and c.path operator(extensions.<@) s.path)
      order by c.path limit 500`,
    [t.id, kinds],
  );
  if (rows.length === 0) return [];
  const allowed = await checkActionsForEach(principalFromClaims(tx.claims), ["tenants:move"], rows);
  return rows.filter((r) => allowed.get(r.id)?.["tenants:move"]).map((r) => ({ id: r.id, label: `${r.name} (${r.kind}, ${r.mssp})` }));
}

// Which tenants a selection names, read under the caller's RLS (a tenant the
// caller cannot see is never selected: there is nothing to filter out).
import type { TenantResource } from "@/lib/authz";
import type { TenantTx } from "@/lib/db/with-tenant";
import { ActionRefusal } from "@/lib/actions/refusal";
import { isTenantId, tenantNamedBy } from "@/lib/tenancy/tenant-filter";
import { KIND_FILTER_LABELS, MAX_TENANTS, type Selection } from "./model";

export interface Target extends TenantResource {
  name: string;
  slug: string;
}

export interface SelectionRoot {
  id: string;
  slug: string;
  name: string;
  kind: string;
}

/** Where a selection may start: the MSSP, then its customers the caller sees (RLS), by name. */
export async function selectionRoots(tx: TenantTx, msspId: string): Promise<SelectionRoot[]> {
  const { rows } = await tx.client.query<SelectionRoot>(
    `select t.id, t.slug, t.name, t.kind from public.tenants t join public.tenants m on m.id = $1
      where t.path operator(extensions.<@) m.path and t.kind in ('mssp', 'customer') order by t.kind = 'mssp' desc, lower(t.name), t.slug`,
    [msspId],
  );
  return rows;
}

/**
 * The root the wizard's "Under" names: an id (its list), empty for the MSSP
 * (every customer), or past TENANT_SELECT_UP_TO roots a customer's name or
 * slug typed, resolved among selectionRoots; naming none or several is
 * refused on the field (TenantNotNamed), nothing planned.
 */
export async function selectionRootOf(tx: TenantTx, msspId: string, typed: string): Promise<string> {
  if (typed === "") return msspId;
  if (isTenantId(typed)) return typed;
  return tenantNamedBy(await selectionRoots(tx, msspId), typed, { one: "customer of yours", many: "customers of yours" }, "rootId").id;
}

/** The selection in words, for the run's page. */
export function describeSelection(s: Selection, names: { root: string; plan?: string | null }): string {
  const parts = [`${KIND_FILTER_LABELS[s.kinds]} under ${names.root}`];
  if (s.status !== "any") parts.push(s.status);
  if (s.plan === "none") parts.push("with no plan");
  else if (s.plan) parts.push(`on plan ${names.plan ?? "(removed)"}`);
  if (s.q) parts.push("matching the name filter");
  return parts.join(", ");
}

/**
 * The tenants a selection names, in tree order. Refuses (nothing changed)
 * a root the caller cannot see, an empty selection and one over MAX_TENANTS.
 */
export async function selectTargets(tx: TenantTx, s: Selection, today = new Date()): Promise<Target[]> {
  const { rows: root } = await tx.client.query<{ id: string }>("select id from public.tenants where id = $1", [s.rootId]);
  if (!root[0]) throw new ActionRefusal("Choose a tenant you can see as the top of the selection. Nothing was changed.");
  const { rows } = await tx.client.query<Target>(
    `select t.id, t.path::text as path, t.kind, t.status, t.name, t.slug
       from public.tenants r
       join public.tenants t on t.path operator(extensions.<@) r.path
      where r.id = $1 and t.kind <> 'mssp'
        and ($2 = 'all' or ($2 = 'customers' and t.kind = 'customer') or ($2 = 'sites' and t.kind = 'site'))
        and ($3 = 'any' or t.status::text = $3)
        and ($4 = '' or strpos(lower(t.name), lower($4)) > 0 or strpos(t.slug, lower($4)) > 0)
        and ($5 = '' or ($5 = 'none') = not exists (
              select 1 from public.tenants c
                join public.billing_plan_assignments a on a.tenant_id = c.id and daterange(a.starts_on, a.ends_on) @> $6::date
               where c.kind = 'customer' and t.path operator(extensions.<@) c.path
                 and ($5 = 'none' or a.plan_id::text = $5)))
      order by t.path
      limit $7`,
    [s.rootId, s.kinds, s.status, s.q, s.plan, today.toISOString().slice(0, 10), MAX_TENANTS + 1],
  );
  if (rows.length === 0) throw new ActionRefusal("No tenant matches this selection: widen it (another subtree, kind, plan or name). Nothing was changed.");
  if (rows.length > MAX_TENANTS) {
    throw new ActionRefusal(`This selection holds more than ${MAX_TENANTS.toLocaleString("en-US")} tenants: narrow it (a subtree, a kind, a plan or a name). Nothing was changed.`);
  }
  return rows;
}

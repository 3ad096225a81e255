// Where a tenant may move to, for the Move form and its action: tenants of the
// right kind (a customer under an MSSP, a site under a customer or a site),
// active or suspended, not below one being provisioned or offboarded, never the
// tenant itself, anything below it or its current parent: what
// lib/lifecycle/move.ts accepts (a suspended parent included), which re-checks
// all of it. Read in the caller's transaction, so RLS decides which exist.
//
// The console's picker rule (docs/tenant-pickers.md): up to TENANT_SELECT_UP_TO
// candidates the form lists the ones the PDP lets the caller move into
// (tenants:move); past that it sends no list and takes the new parent typed as
// a name or address, which the action resolves among the same candidates
// (moveParentOf), then asks the PDP about the one found. The form took the
// first 500 by path before: at ~1,600 tenants a customer sorting after the
// 500th could never be chosen.
import { checkActionsForEach, principalFromClaims, type TenantResource } from "@/lib/authz";
import type { TenantTx } from "@/lib/db/with-tenant";
import { containsPattern } from "@/lib/url/list-query";
import { isTenantId, TENANT_SELECT_UP_TO, tenantFilterSchema, tenantNamedBy, typedTenantSchema } from "@/lib/tenancy/tenant-filter";
import { moveSchema } from "./schemas";

export interface MoveTarget {
  id: string;
  label: string;
}

export interface MoveChoices {
  /** The parents to pick from (up to TENANT_SELECT_UP_TO candidates, those the PDP allows); none when typed. */
  targets: MoveTarget[];
  /** Past TENANT_SELECT_UP_TO candidates: how many there are, and the new parent is typed; else null. */
  typedAmong: number | null;
}

interface Candidate extends TenantResource {
  slug: string;
  name: string;
  mssp: string;
  n: number;
}

/**
 * The candidates for `tenantId`'s new parent, by path, at most `limit`, each with the total count.
 * `typed`: only those an exact slug or name or a part of either could name (the rule's candidates).
 */
async function candidates(tx: TenantTx, tenantId: string, limit: number | null, typed?: string): Promise<Candidate[]> {
  const { rows } = await tx.client.query<Candidate>(
    `select c.id, c.slug, c.name, c.kind, c.path::text as path, c.status, r.slug as mssp, count(*) over ()::int as n
       from public.tenants c
       join public.tenants r on r.parent_id is null and c.path operator(extensions.<@) r.path
       join public.tenants me on me.id = $1
      where me.kind <> 'mssp'
        and c.kind = any(case me.kind when 'customer' then array['mssp'] else array['customer', 'site'] end)
        and c.status in ('active', 'suspended') and c.id is distinct from me.parent_id
        and not (c.path operator(extensions.<@) me.path)
        -- Nor below a tenant being provisioned or offboarded (an offboarding changes only its root's status).
        and not exists (select 1 from public.tenants s where s.status in ('provisioning', 'deprovisioning', 'deprovisioned')
                         and c.path operator(extensions.<@) s.path and s.id <> c.id)
        and ($3::text is null or c.slug = $3 or lower(c.name) = lower($3) or c.name ilike $4 or c.slug ilike $4)
      order by c.path limit $2`,
    [tenantId, limit, typed ?? null, typed === undefined ? null : containsPattern(typed)],
  );
  return rows;
}

/** What the Move form offers: a list of parents, or (past TENANT_SELECT_UP_TO candidates) a typed name or address. */
export async function moveTargetsFor(tx: TenantTx, t: { id: string; kind: "mssp" | "customer" | "site" }): Promise<MoveChoices> {
  if (t.kind === "mssp") return { targets: [], typedAmong: null };
  const rows = await candidates(tx, t.id, TENANT_SELECT_UP_TO + 1);
  if (rows.length === 0) return { targets: [], typedAmong: null };
  if (rows[0].n > TENANT_SELECT_UP_TO) return { targets: [], typedAmong: rows[0].n };
  const allowed = await checkActionsForEach(principalFromClaims(tx.claims), ["tenants:move"], rows);
  return {
    targets: rows.filter((r) => allowed.get(r.id)?.["tenants:move"]).map((r) => ({ id: r.id, label: `${r.name} (${r.kind}, ${r.mssp})` })),
    typedAmong: null,
  };
}

/** The action's form: newParentId is the new parent's id (the list) or its name or address typed in its place. */
export const moveFormSchema = moveSchema.extend({ newParentId: typedTenantSchema("Choose the new parent, or type its name or address.") });

/**
 * The new parent's id: as posted when it is one (move.ts and the PDP judge it), else the one candidate
 * `typed` names (a slug exactly, else a whole name, else the one containing it), or a TenantNotNamed on
 * the field (the guard answers it as bad input: nothing moved, no audit row).
 */
export async function moveParentOf(tx: TenantTx, tenantId: string, typed: string): Promise<string> {
  if (isTenantId(typed)) return typed;
  const text = tenantFilterSchema.safeParse(typed);
  const rows = text.success ? await candidates(tx, tenantId, null, text.data) : [];
  return tenantNamedBy(rows, typed, { one: "possible new parent you can see", many: "possible new parents" }, "newParentId").id;
}

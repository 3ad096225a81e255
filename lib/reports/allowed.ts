// Which tenants the caller may export reports of: the ones RLS shows them
// (customers and sites, or only those named) that the PDP allows
// reports:export on, asked in chunks of 200, four at a time.
import { checkActionsForEach, principalFromClaims, type TenantResource } from "@/lib/authz";
import type { TenantTx } from "@/lib/db/with-tenant";

export interface ExportableTenant extends TenantResource {
  slug: string;
  name: string;
}

const CHUNK = 200;
const PARALLEL = 4;

export async function exportableTenants(tx: TenantTx, opts: { kinds?: readonly string[]; ids?: readonly string[] } = {}): Promise<ExportableTenant[]> {
  const { rows } = await tx.client.query<ExportableTenant>(
    `select id, path::text as path, kind, status, slug, name from public.tenants
      where kind = any ($1::text[]) and ($2::uuid[] is null or id = any ($2::uuid[]))
      order by name, id`,
    [opts.kinds ?? ["customer", "site"], opts.ids ?? null],
  );
  if (rows.length === 0) return [];
  const principal = principalFromClaims(tx.claims);
  const chunks: ExportableTenant[][] = [];
  for (let i = 0; i < rows.length; i += CHUNK) chunks.push(rows.slice(i, i + CHUNK));
  const allowed = new Set<string>();
  for (let i = 0; i < chunks.length; i += PARALLEL) {
    const answers = await Promise.all(chunks.slice(i, i + PARALLEL).map((c) => checkActionsForEach(principal, ["reports:export"], c)));
    for (const m of answers) for (const [id, d] of m) if (d["reports:export"]) allowed.add(id);
  }
  return rows.filter((r) => allowed.has(r.id));
}

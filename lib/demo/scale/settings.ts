// Tenant settings of the scale data, so the console's drift report
// (lib/settings/drift.ts) and the configuration benchmark have something to
// show: each customer sets a quarter of a fixed list of keys (picked by a hash
// of slug and key, the same every run). Nothing is locked: a lock at the MSSP
// would bind its other customers too.
import type { ClientBase } from "pg";
import { INDUSTRIES } from "@/lib/settings/registry";

/** What a customer may set, with a value each (valid under lib/settings/registry.ts). */
export const VARIED_SETTINGS: Array<[string, unknown]> = [
  ["locale.time_zone", "Europe/Paris"],
  ["locale.language", "de-DE"],
  ["sla.high.ack_minutes", 30],
  ["sla.critical.resolve_minutes", 120],
  ["notifications.emails", ["soc@customer.example"]],
  ["session.lifetime_hours", 8],
  ["limits.users", 200],
  ["integrations.splunk_hec", false],
];

/**
 * Sets a quarter of VARIED_SETTINGS on each direct child of the MSSP (only
 * those whose slug starts with `slugPrefix`, when given). Keeps values that
 * are already set. Returns the rows added.
 */
export async function varySettings(client: ClientBase, opts: { msspId: string; slugPrefix?: string }): Promise<number> {
  const r = await client.query(
    `insert into public.tenant_settings (tenant_id, key, value)
     select t.id, v.value ->> 0, v.value -> 1
       from public.tenants t
      cross join jsonb_array_elements($2::jsonb) v
      where t.parent_id = $1 and ($3::text is null or left(t.slug, length($3)) = $3)
        and abs(hashtext(t.slug || (v.value ->> 0))) % 4 = 0
     on conflict do nothing`,
    [opts.msspId, JSON.stringify(VARIED_SETTINGS), opts.slugPrefix ?? null],
  );
  // Every customer an industry (profile.industry), picked by a hash of its slug: the comparison
  // and benchmark pages' industry peer groups (lib/analytics/peers.ts) then hold about a tenth each.
  const industries = await client.query(
    `insert into public.tenant_settings (tenant_id, key, value)
     select t.id, 'profile.industry', to_jsonb(($2::text[])[1 + abs(hashtext(t.slug)) % cardinality($2::text[])])
       from public.tenants t
      where t.parent_id = $1 and t.kind = 'customer' and ($3::text is null or left(t.slug, length($3)) = $3)
     on conflict do nothing`,
    [opts.msspId, INDUSTRIES.filter((i) => i.value !== "unspecified").map((i) => i.value), opts.slugPrefix ?? null],
  );
  return (r.rowCount ?? 0) + (industries.rowCount ?? 0);
}

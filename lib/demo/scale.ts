// `npm run db:seed -- --tenants 1000`: many customers under the demo MSSP,
// for looking at the console (customers, configuration drift, keys) at the
// scale an MSSP runs, and for measuring by hand. Set-based SQL, one
// transaction, idempotent (customers are `scale-0001` …; existing ones are
// kept). Runs after the demo seed, as the owner (or service_role where the
// owner cannot bypass RLS, as seedDemo does).
//
// Shape: N customers under the demo MSSP; about 30% of them with 1–3 sites;
// every 25th customer's first site gets a sub-site (depth 4: MSSP → customer
// → site → sub-site). Tenant settings (lib/settings): each customer sets a
// quarter of a fixed list of keys, so the drift report has something to show;
// nothing is locked (a lock would bind the demo customers too). No users,
// alerts or credentials: the demo seed has those for its own tenants.
import type { ClientBase } from "pg";
import { bypassRowLevelSecurity } from "./seed";
import { DEMO_MSSP_SLUG } from "./tenants";

export interface ScaleSeedOptions {
  tenants: number;
  log?: (line: string) => void;
}

export interface ScaleSeedResult {
  customers: number;
  sites: number;
  settings: number;
}

/** What a scale customer may set (valid values under lib/settings/registry.ts). */
const VARIED: Array<[string, unknown]> = [
  ["locale.time_zone", "Europe/Paris"],
  ["locale.language", "de-DE"],
  ["sla.high.ack_minutes", 30],
  ["sla.critical.resolve_minutes", 120],
  ["notifications.emails", ["soc@customer.example"]],
  ["session.lifetime_hours", 8],
  ["limits.users", 200],
  ["integrations.splunk_hec", false],
];

export const MAX_SCALE_TENANTS = 20_000;

export async function seedScale(client: ClientBase, opts: ScaleSeedOptions): Promise<ScaleSeedResult> {
  const log = opts.log ?? (() => {});
  if (!Number.isInteger(opts.tenants) || opts.tenants < 1 || opts.tenants > MAX_SCALE_TENANTS) {
    throw new Error(`--tenants must be a whole number from 1 to ${MAX_SCALE_TENANTS}`);
  }
  const started = performance.now();
  await client.query("begin");
  try {
    await bypassRowLevelSecurity(client);
    const { rows: mssp } = await client.query<{ id: string }>("select id from public.tenants where slug = $1", [DEMO_MSSP_SLUG]);
    if (mssp.length === 0) throw new Error(`the demo MSSP "${DEMO_MSSP_SLUG}" is not there: run the demo seed first`);

    const customers = await client.query(
      `insert into public.tenants (parent_id, slug, name, kind)
       select $1, 'scale-' || lpad(g::text, 5, '0'), 'Scale customer ' || g, 'customer'
         from generate_series(1, $2::int) g
       on conflict (slug) do nothing`,
      [mssp[0].id, opts.tenants],
    );
    const sites = await client.query(
      `insert into public.tenants (parent_id, slug, name, kind)
       select c.id, c.slug || '-site-' || s, c.name || ' site ' || s, 'site'
         from public.tenants c
        cross join lateral generate_series(1, 1 + abs(hashtext(c.slug || '#sites')) % 3) s
        where c.parent_id = $1 and c.slug like 'scale-%' and abs(hashtext(c.slug)) % 100 < 30
       on conflict (slug) do nothing`,
      [mssp[0].id],
    );
    const deep = await client.query(
      `insert into public.tenants (parent_id, slug, name, kind)
       select s.id, s.slug || '-lab', s.name || ' lab', 'site'
         from public.tenants s
         join public.tenants c on c.id = s.parent_id
        where c.parent_id = $1 and c.slug like 'scale-%' and s.slug like '%-site-1'
          and substr(c.slug, 7)::int % 25 = 0
       on conflict (slug) do nothing`,
      [mssp[0].id],
    );
    const settings = await client.query(
      `insert into public.tenant_settings (tenant_id, key, value)
       select t.id, v.value ->> 0, v.value -> 1
         from public.tenants t
        cross join jsonb_array_elements($2::jsonb) v
        where t.parent_id = $1 and t.slug like 'scale-%' and abs(hashtext(t.slug || (v.value ->> 0))) % 4 = 0
       on conflict do nothing`,
      [mssp[0].id, JSON.stringify(VARIED)],
    );
    await client.query("commit");
    const result = { customers: customers.rowCount ?? 0, sites: (sites.rowCount ?? 0) + (deep.rowCount ?? 0), settings: settings.rowCount ?? 0 };
    log(
      `scale seed: ${result.customers} customers, ${result.sites} sites (${deep.rowCount ?? 0} at depth 4), ` +
        `${result.settings} setting values added under ${DEMO_MSSP_SLUG} in ${Math.round(performance.now() - started)} ms`,
    );
    return result;
  } catch (error) {
    await client.query("rollback");
    throw error;
  }
}

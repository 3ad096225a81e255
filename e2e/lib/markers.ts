// Distinctive strings planted in tenants' data, as the database owner, so a
// response body can be searched for data it must not carry: an alert in Acme,
// an alert in Globex, and a second MSSP ("rival") with a customer and an
// alert, which nobody in the demo may see. Plus a finished job in Acme and in
// Globex, for the job status route's own/foreign ids. Removed again by
// cleanup() (the rival tenants stay: invisible to every demo user, and a
// tenant row cannot be deleted once it has keys and an audit trail).
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import pg from "pg";

export interface RunInfo {
  databaseUrl: string;
  postgresLog: string | null;
  pgDump: string | null;
  appLog: string;
  nextLog: string;
}

export function runInfo(): RunInfo {
  return JSON.parse(readFileSync(path.join(process.cwd(), ".data", "e2e", "run.json"), "utf8"));
}

export type MarkerTenant = "acme" | "globex" | "rival";

export interface Planted {
  /** marker string → the tenant whose data it is. */
  markers: Map<string, MarkerTenant>;
  byTenant: Record<MarkerTenant, string[]>;
  rivalMssp: { slug: string; id: string };
  rivalCustomer: { slug: string; id: string };
  ids: Record<"acme" | "globex", string>;
  jobs: Record<"acme" | "globex" | "rival", string>;
  /** The planted alert of each tenant (for the alert detail pages). */
  alerts: Record<MarkerTenant, string>;
  cleanup(): Promise<void>;
}

const tag = () => randomBytes(6).toString("hex");

export async function plantMarkers(): Promise<Planted> {
  const client = new pg.Client({ connectionString: runInfo().databaseUrl });
  await client.connect();
  const t = tag();
  const byTenant: Record<MarkerTenant, string[]> = {
    acme: [`MKACME${t}alert`],
    globex: [`MKGLOBEX${t}alert`, `mkglobex${t}host`],
    rival: [`MKRIVAL${t}mssp`, `MKRIVAL${t}customer`, `MKRIVAL${t}alert`],
  };
  try {
    await client.query("begin");
    const id = async (slug: string) => (await client.query<{ id: string }>(`select id from public.tenants where slug = $1`, [slug])).rows[0].id;
    const ids = { acme: await id("acme"), globex: await id("globex") };
    const rivalSlug = `rival-${t.slice(0, 6)}`;
    const mssp = await client.query<{ id: string }>(
      `insert into public.tenants (slug, name, kind, parent_id) values ($1, $2, 'mssp', null) returning id`,
      [rivalSlug, byTenant.rival[0]],
    );
    const customer = await client.query<{ id: string }>(
      `insert into public.tenants (slug, name, kind, parent_id) values ($1, $2, 'customer', $3) returning id`,
      [`${rivalSlug}-co`, byTenant.rival[1], mssp.rows[0].id],
    );
    const alert = `insert into public.alerts (tenant_id, title, description, severity, source, hostname, detected_at)
                   values ($1, $2, $3, 'critical', 'attack-matrix', $4, now() + interval '1 hour') returning id`;
    const alertIds = {
      acme: (await client.query(alert, [ids.acme, byTenant.acme[0], "planted by e2e/attack-matrix.spec.ts", "acme-planted"])).rows[0].id,
      globex: (await client.query(alert, [ids.globex, byTenant.globex[0], "planted by e2e/attack-matrix.spec.ts", byTenant.globex[1]])).rows[0].id,
      rival: (await client.query(alert, [customer.rows[0].id, byTenant.rival[2], "planted by e2e/attack-matrix.spec.ts", "rival-planted"])).rows[0].id,
    };
    const job = `insert into public.jobs (tenant_id, kind, payload, status, progress_done, progress_total, finished_at)
                 values ($1, 'matrix.probe', '{}', 'succeeded', 1, 1, now()) returning id`;
    const jobs = {
      acme: (await client.query(job, [ids.acme])).rows[0].id,
      globex: (await client.query(job, [ids.globex])).rows[0].id,
      rival: (await client.query(job, [customer.rows[0].id])).rows[0].id,
    };
    await client.query("commit");
    const markers = new Map<string, MarkerTenant>();
    for (const [tenant, list] of Object.entries(byTenant) as [MarkerTenant, string[]][]) for (const m of list) markers.set(m, tenant);
    return {
      markers,
      byTenant,
      rivalMssp: { slug: rivalSlug, id: mssp.rows[0].id },
      rivalCustomer: { slug: `${rivalSlug}-co`, id: customer.rows[0].id },
      ids,
      jobs,
      alerts: alertIds,
      cleanup: async () => {
        await client.query(`delete from public.alerts where source = 'attack-matrix'`);
        await client.query(`delete from public.jobs where id = any ($1::uuid[])`, [Object.values(jobs)]);
        await client.end();
      },
    };
  } catch (error) {
    await client.query("rollback").catch(() => {});
    await client.end();
    throw error;
  }
}

/** Markers in `body` whose tenant is not in `allowed`. Case-insensitive (a hostname may be lower-cased on the way). */
export function foreignMarkers(body: string, planted: Planted, allowed: Set<MarkerTenant>): string[] {
  const lower = body.toLowerCase();
  return [...planted.markers].filter(([m, tenant]) => !allowed.has(tenant) && lower.includes(m.toLowerCase())).map(([m]) => m);
}

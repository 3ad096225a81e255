// Bulk data for the RLS benchmark, generated inside Postgres with set-based
// SQL (generate_series, insert ... select): nothing is looped over from node.
// Runs as the database owner (a superuser on the embedded server, so RLS does
// not apply while loading). Deterministic apart from the generated uuids: the
// tenant tree, the skew and every row's attributes come from md5/hashtext of
// stable names, and random() is seeded.
//
// Shape (defaults):
//   2 MSSPs; the first has 1,000 customers, ~30% of them with 1-3 sites; the
//   second a small book of 40 customers (so the operator's scope is a real
//   subset of the table, not all of it).
//   Alerts and assets spread over every tenant with a Zipf-like skew (a few
//   huge customers, a long tail of small ones); MSSP roots get a sliver.
//   ~2 users per customer plus MSSP staff, so the membership lookups the
//   policy helpers do run against a realistic table.
import type pg from "pg";

export interface GenerateOptions {
  alerts: number;
  assets: number;
  customers: number;
  log: (line: string) => void;
}

export interface BenchUsers {
  msspAdmin: { id: string; email: string };
  customerAdmin: { id: string; email: string };
  siteAnalyst: { id: string; email: string };
}

export interface BenchData {
  tenants: number;
  sites: number;
  alerts: number;
  assets: number;
  userCount: number;
  memberships: number;
  msspId: string;
  /** The mid-size customer (with sites) whose admin the benchmark signs in as. */
  customer: { id: string; slug: string; alerts: number; tenants: number };
  /** The site (of that customer) whose analyst the benchmark signs in as. */
  site: { id: string; slug: string; alerts: number };
  users: BenchUsers;
  /** Seconds spent per phase, for the setup report. */
  phases: Array<[string, number]>;
}

export const MSSP_SLUG = "bench-mssp";
const OTHER_MSSP_SLUG = "bench-mssp-other";
const OTHER_MSSP_CUSTOMERS = 40;

// Skew: tenant weight = rank^-ZIPF over a fixed pseudo-random permutation.
const ZIPF = 0.7;

async function timed(phases: Array<[string, number]>, log: (l: string) => void, label: string, fn: () => Promise<unknown>) {
  const t0 = performance.now();
  await fn();
  const s = (performance.now() - t0) / 1000;
  phases.push([label, s]);
  log(`  ${label.padEnd(34)} ${s.toFixed(1)} s`);
}

export async function generateBenchData(client: pg.Client, opts: GenerateOptions): Promise<BenchData> {
  const { log } = opts;
  const phases: Array<[string, number]> = [];
  const q = (text: string, values?: unknown[]) => client.query(text, values);

  await q("select setseed(0.20261123)");

  await timed(phases, log, "tenants (trigger-computed paths)", async () => {
    await q(
      `insert into public.tenants (parent_id, slug, name, kind)
       values (null, $1, 'Bench MSSP', 'mssp'), (null, $2, 'Other MSSP', 'mssp')`,
      [MSSP_SLUG, OTHER_MSSP_SLUG],
    );
    // Customers in one statement each: the path trigger reads the parent's
    // path, which is already committed above.
    await q(
      `insert into public.tenants (parent_id, slug, name, kind)
       select m.id, 'cust-' || lpad(g::text, 4, '0'), 'Customer ' || g, 'customer'
         from public.tenants m, generate_series(1, $2::int) g
        where m.slug = $1`,
      [MSSP_SLUG, opts.customers],
    );
    await q(
      `insert into public.tenants (parent_id, slug, name, kind)
       select m.id, 'other-cust-' || lpad(g::text, 3, '0'), 'Other customer ' || g, 'customer'
         from public.tenants m, generate_series(1, $2::int) g
        where m.slug = $1`,
      [OTHER_MSSP_SLUG, OTHER_MSSP_CUSTOMERS],
    );
    // ~30% of customers get 1-3 sites.
    await q(
      `insert into public.tenants (parent_id, slug, name, kind)
       select c.id, c.slug || '-site-' || s, c.name || ' site ' || s, 'site'
         from public.tenants c
        cross join lateral generate_series(1, 1 + abs(hashtext(c.slug || '#sites')) % 3) s
        where c.kind = 'customer' and abs(hashtext(c.slug)) % 100 < 30`,
    );
  });

  // How many alerts and assets each tenant gets: a pseudo-random rank per
  // tenant (md5 of the slug), weight rank^-ZIPF, MSSP roots scaled down.
  await q(`drop table if exists bench_alloc`);
  await q(
    `create temp table bench_alloc as
     with ranked as (
       select id, slug, kind, row_number() over (order by md5(slug)) as rnk from public.tenants
     ), weighted as (
       select id, slug, kind,
              (case when kind = 'mssp' then 0.01 else 1 end) * power(rnk, -$3::float8) as w
         from ranked
     )
     select id, slug, kind,
            round($1::float8 * w / sum(w) over ())::int as n_alerts,
            greatest(1, round($2::float8 * sqrt(w) / sum(sqrt(w)) over ()))::int as n_assets
       from weighted`,
    [opts.alerts, opts.assets, ZIPF],
  );

  await timed(phases, log, "assets", async () => {
    await q(
      `insert into public.assets
         (tenant_id, id, hostname, ip_address, os, kind, criticality, owner_email, last_seen_at, created_at)
       select a.id,
              md5(a.id::text || ':' || k)::uuid,
              'h' || lpad(k::text, 5, '0') || '.' || a.slug,
              ('10.' || (k / 65536) % 256 || '.' || (k / 256) % 256 || '.' || k % 256)::inet,
              (array['Windows 11', 'Windows Server 2022', 'Ubuntu 24.04', 'macOS 15', 'RHEL 9'])[1 + k % 5],
              (array['workstation', 'server', 'network', 'cloud', 'mobile'])[1 + (k * 7) % 5],
              (array['critical', 'high', 'medium', 'medium', 'low', 'low'])[1 + (k * 13) % 6],
              case when k % 3 = 0 then 'owner' || k || '@' || a.slug || '.example' end,
              now() - make_interval(mins => (k * 37) % 20000),
              now() - interval '400 days'
         from bench_alloc a
        cross join lateral generate_series(1, a.n_assets) k`,
    );
  });

  // The alerts table keeps all its constraints and stays logged. Its three
  // secondary indexes are dropped for the load and rebuilt after (a sorted
  // build is far cheaper than 1M random inserts into each), with exactly
  // the definitions the migrations gave them.
  const { rows: secondary } = await q(
    `select indexname, indexdef from pg_indexes
      where schemaname = 'public' and tablename = 'alerts'
        and indexname not in (select conname from pg_constraint where conrelid = 'public.alerts'::regclass)`,
  );

  await timed(phases, log, `alerts (${opts.alerts.toLocaleString("en-US")}, one statement)`, async () => {
    for (const ix of secondary) await q(`drop index public.${quoteIdent(ix.indexname)}`);
    await q(
      `insert into public.alerts
         (tenant_id, title, description, severity, status, source, rule_name, asset_id, hostname,
          source_ip, detected_at, created_at, updated_at, resolved_at)
       select tenant_id, title, description, severity,
              status, source, rule_name,
              case when asset_k is not null then md5(tenant_id::text || ':' || asset_k)::uuid end,
              case when asset_k is not null then 'h' || lpad(asset_k::text, 5, '0') || '.' || slug end,
              ('198.51.100.' || (g % 254 + 1))::inet,
              detected_at, detected_at, detected_at,
              case when status in ('resolved', 'false_positive') then detected_at + interval '3 hours' end
         from (
           select a.id as tenant_id, a.slug, g,
                  (array['Suspicious PowerShell execution', 'Impossible travel sign-in',
                         'Malware quarantined', 'Brute-force attempt on VPN', 'New admin account created',
                         'Outbound connection to known C2', 'Credential dumping tool detected',
                         'Unusual S3 bucket policy change', 'Phishing link clicked',
                         'Lateral movement via SMB'])[1 + abs(hashtext(a.slug || g)) % 10] as title,
                  'Generated by the RLS benchmark.' as description,
                  case when r_sev < 0.03 then 'critical' when r_sev < 0.15 then 'high'
                       when r_sev < 0.40 then 'medium' when r_sev < 0.70 then 'low' else 'info' end as severity,
                  -- Recent alerts are mostly open, older ones mostly closed.
                  case when age_days < 2 then (array['new', 'new', 'in_progress', 'resolved'])[1 + g % 4]
                       when r_open < 0.06 then (array['new', 'in_progress'])[1 + g % 2]
                       else (array['resolved', 'resolved', 'resolved', 'false_positive'])[1 + g % 4] end as status,
                  (array['crowdstrike', 'sentinelone', 'defender', 'splunk', 'okta', 'aws-guardduty'])[1 + g % 6] as source,
                  'rule-' || (g % 97) as rule_name,
                  case when r_asset < 0.8 then 1 + (g * 31) % a.n_assets end as asset_k,
                  now() - make_interval(secs => age_days * 86400) as detected_at
             from bench_alloc a
            cross join lateral generate_series(1, a.n_alerts) g
            cross join lateral (
              -- Volatile, and referencing g, so it is evaluated per row.
              select random() + g * 0 as r_sev, random() + g * 0 as r_open, random() + g * 0 as r_asset,
                     -- Activity rises towards now: age = 90 days * u^2.
                     90 * power(random() + g * 0, 2) as age_days
            ) r
         ) s`,
    );
  });

  await timed(phases, log, "alerts: rebuild secondary indexes", async () => {
    for (const ix of secondary) await q(ix.indexdef);
  });

  const users = await timed2(phases, log, "users and memberships", () => createUsers(client));
  await q(`drop table if exists bench_alloc`);

  await timed(phases, log, "vacuum (analyze)", async () => {
    await q(`vacuum (analyze) public.tenants, public.users, public.memberships, public.assets, public.alerts`);
  });

  const { rows: [counts] } = await q(
    `select (select count(*) from public.tenants)::int as tenants,
            (select count(*) from public.tenants where kind = 'site')::int as sites,
            (select count(*) from public.alerts)::int as alerts,
            (select count(*) from public.assets)::int as assets,
            (select count(*) from public.users)::int as users,
            (select count(*) from public.memberships)::int as memberships,
            (select id from public.tenants where slug = $1) as mssp_id`,
    [MSSP_SLUG],
  );

  return {
    tenants: counts.tenants,
    sites: counts.sites,
    alerts: counts.alerts,
    assets: counts.assets,
    userCount: counts.users,
    memberships: counts.memberships,
    msspId: counts.mssp_id,
    customer: users.customer,
    site: users.site,
    users: users.users,
    phases,
  };
}

async function timed2<T>(phases: Array<[string, number]>, log: (l: string) => void, label: string, fn: () => Promise<T>): Promise<T> {
  let out!: T;
  await timed(phases, log, label, async () => {
    out = await fn();
  });
  return out;
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

async function createUsers(client: pg.Client) {
  const q = (text: string, values?: unknown[]) => client.query(text, values);

  // The benchmark's customer: the median (by alerts in its subtree) of the
  // first MSSP's customers that have sites and at least one new high alert
  // (scenario 2 filters on those; with a small BENCH_ALERTS the plain median
  // may have none, at the default 1,000,000 nearly every customer has some);
  // its site: the busiest one.
  const { rows: [customer] } = await q(
    `with c as (
       select c.id, c.slug, count(distinct t.id)::int as tenants, count(a.*)::int as alerts,
              count(a.*) filter (where a.severity = 'high' and a.status = 'new')::int as high_new
         from public.tenants c
         join public.tenants m on m.id = c.parent_id and m.slug = $1
         join public.tenants t on t.path operator(extensions.<@) c.path
         left join public.alerts a on a.tenant_id = t.id
        where c.kind = 'customer'
          and exists (select 1 from public.tenants s where s.parent_id = c.id)
        group by c.id, c.slug
     ),
     usable as (select * from c where high_new > 0)
     select * from usable order by alerts, slug offset (select count(*) / 2 from usable) limit 1`,
    [MSSP_SLUG],
  );
  const { rows: [site] } = await q(
    `select s.id, s.slug, (select count(*) from public.alerts a where a.tenant_id = s.id)::int as alerts
       from public.tenants s where s.parent_id = $1 order by alerts desc, slug limit 1`,
    [customer.id],
  );

  // Named users.
  const { rows: named } = await q(
    `insert into public.users (email, name) values
       ('mssp-admin@bench.test', 'Bench MSSP admin'),
       ('customer-admin@bench.test', 'Bench customer admin'),
       ('site-analyst@bench.test', 'Bench site analyst')
     returning id, email`,
  );
  const byEmail = new Map(named.map((r) => [r.email as string, r.id as string]));
  const msspAdmin = { id: byEmail.get("mssp-admin@bench.test")!, email: "mssp-admin@bench.test" };
  const customerAdmin = { id: byEmail.get("customer-admin@bench.test")!, email: "customer-admin@bench.test" };
  const siteAnalyst = { id: byEmail.get("site-analyst@bench.test")!, email: "site-analyst@bench.test" };
  await q(
    `insert into public.memberships (tenant_id, user_id, role) values
       ((select id from public.tenants where slug = $1), $2, 'mssp_admin'),
       ($3, $4, 'tenant_admin'),
       ($5, $6, 'tenant_analyst')`,
    [MSSP_SLUG, msspAdmin.id, customer.id, customerAdmin.id, site.id, siteAnalyst.id],
  );

  // Background population: MSSP staff, and an admin and a viewer per customer.
  await q(
    `insert into public.users (email, name)
     select 'staff' || g || '@' || m.slug || '.test', 'Staff ' || g
       from public.tenants m, generate_series(1, 20) g where m.kind = 'mssp'`,
  );
  await q(
    `insert into public.memberships (tenant_id, user_id, role)
     select m.id, u.id, case when g = 1 then 'mssp_admin' else 'mssp_analyst' end
       from public.tenants m
      cross join generate_series(1, 20) g
       join public.users u on u.email = 'staff' || g || '@' || m.slug || '.test'
      where m.kind = 'mssp'`,
  );
  await q(
    `insert into public.users (email, name)
     select r || '@' || c.slug || '.test', c.name || ' ' || r
       from public.tenants c, unnest(array['admin', 'viewer']) r where c.kind = 'customer'`,
  );
  await q(
    `insert into public.memberships (tenant_id, user_id, role)
     select c.id, u.id, case when r = 'admin' then 'tenant_admin' else 'tenant_viewer' end
       from public.tenants c
      cross join unnest(array['admin', 'viewer']) r
       join public.users u on u.email = r || '@' || c.slug || '.test'
      where c.kind = 'customer'`,
  );

  return {
    customer: { id: customer.id as string, slug: customer.slug as string, alerts: customer.alerts as number, tenants: customer.tenants as number },
    site: { id: site.id as string, slug: site.slug as string, alerts: site.alerts as number },
    users: { msspAdmin, customerAdmin, siteAnalyst },
  };
}

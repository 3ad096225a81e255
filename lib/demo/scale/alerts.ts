// Alerts and assets of the scale data, generated inside Postgres in a few
// statements (generate_series, insert … select): nothing is looped over from
// node. Used by `npm run db:seed -- --alerts N` (lib/demo/scale/index.ts)
// and by `npm run bench` (scripts/bench/generate.ts, scripts/bench/lifecycle.ts).
//
// Skew: every tenant in the subtrees of `roots` gets a weight rank^-ZIPF over
// a fixed pseudo-random permutation (md5 of the slug), so a few customers are
// huge and most are small, as in a real MSSP's book; MSSP roots get a
// hundredth of their share. Alerts follow the weight, assets its square root
// (at least one each). Row attributes come from hashes and the seeded
// random(): the same counts every run.
import type { ClientBase } from "pg";

export interface AlertsOptions {
  /** Tenants whose subtrees get the rows. */
  roots: string[];
  alerts: number;
  assets: number;
  /** Skip tenants that already hold alerts (a second db:seed adds nothing). */
  onlyEmpty?: boolean;
  /** What each alert's description says. */
  description?: string;
  /** Drop the alerts' secondary indexes for the load and rebuild them after
   *  (a sorted build is far cheaper than millions of random inserts into
   *  each). Only when the load is at least the table's current size, and
   *  for the table's owner; default true. */
  rebuildIndexes?: boolean;
  /** setseed() value for the row attributes. */
  seed?: number;
  log?: (line: string) => void;
}

export interface AlertsResult {
  alerts: number;
  assets: number;
  /** Seconds per phase, for reports. */
  phases: Array<[string, number]>;
}

const ZIPF = 0.7;

/** Runs one phase of a load, records its seconds and logs a line. */
export async function timePhase<T>(phases: Array<[string, number]>, log: (l: string) => void, label: string, fn: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  const out = await fn();
  const s = (performance.now() - t0) / 1000;
  phases.push([label, s]);
  log(`  ${label.padEnd(34)} ${s.toFixed(1)} s`);
  return out;
}

/** Generates the rows; the caller decides the transaction and runs VACUUM (ANALYZE) after. */
export async function generateAlertsAndAssets(client: ClientBase, opts: AlertsOptions): Promise<AlertsResult> {
  const log = opts.log ?? (() => {});
  const result: AlertsResult = { alerts: 0, assets: 0, phases: [] };
  const q = (text: string, values?: unknown[]) => client.query(text, values);
  await q("select setseed($1)", [opts.seed ?? 0.20261123]);

  // How many rows each tenant gets.
  await q("drop table if exists pg_temp.scale_alloc");
  await q(
    `create temp table scale_alloc as
     with scope as (
       select t.id, t.slug, t.kind
         from public.tenants t
         join public.tenants r on t.path operator(extensions.<@) r.path
        where r.id = any($4::uuid[])
          and not ($5::boolean and exists (select 1 from public.alerts x where x.tenant_id = t.id))
     ), weighted as (
       select id, slug, kind,
              (case when kind = 'mssp' then 0.01 else 1 end) * power(row_number() over (order by md5(slug)), -$3::float8) as w
         from scope
     )
     select id, slug, kind,
            round($1::float8 * w / sum(w) over ())::int as n_alerts,
            greatest(1, round($2::float8 * sqrt(w) / sum(sqrt(w)) over ()))::int as n_assets
       from weighted`,
    [opts.alerts, opts.assets, ZIPF, opts.roots, opts.onlyEmpty ?? false],
  );

  const { rows: [planned] } = await q(
    `select count(*)::int as tenants, coalesce(sum(n_alerts), 0)::float8 as alerts,
            greatest((select reltuples from pg_catalog.pg_class where oid = 'public.alerts'::regclass), 0)::float8 as existing
       from scale_alloc`,
  );
  if (planned.tenants === 0) {
    log("  no tenant in scope without alerts: nothing to add");
    await q("drop table pg_temp.scale_alloc");
    return result;
  }

  await timePhase(result.phases, log, `assets (${opts.assets.toLocaleString("en-US")})`, async () => {
    const r = await q(
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
         from scale_alloc a
        cross join lateral generate_series(1, a.n_assets) k
       on conflict do nothing`,
    );
    result.assets = r.rowCount ?? 0;
    // The alerts' foreign-key checks on assets are planned from these
    // statistics: without them 200,000 checks took 30 s instead of under 1.
    await q("analyze public.assets");
  });

  const { rows: [own] } = await q(
    `select pg_catalog.pg_has_role(c.relowner, 'USAGE') as owner from pg_catalog.pg_class c where c.oid = 'public.alerts'::regclass`,
  );
  // Rebuilding pays when the load is at least as large as what is there already.
  const secondary =
    (opts.rebuildIndexes ?? true) && own.owner && planned.alerts >= planned.existing
      ? (
          await q(
            `select indexname, indexdef from pg_catalog.pg_indexes
              where schemaname = 'public' and tablename = 'alerts'
                and indexname not in (select conname from pg_catalog.pg_constraint where conrelid = 'public.alerts'::regclass)`,
          )
        ).rows
      : [];

  // Each closed alert's SLA breach flags, decided here set-wise against its tenant's targets (the
  // alerts' row trigger keeps flags the owner gives, and would read the targets row by row otherwise).
  await q("drop table if exists pg_temp.scale_sla");
  await q(
    own.owner
      ? "create temp table scale_sla as select * from analytics.sla_targets(array(select id from pg_temp.scale_alloc))"
      : "create temp table scale_sla (tenant_id uuid, severity text, ack_minutes int, resolve_minutes int)",
  );

  await timePhase(result.phases, log, `alerts (${opts.alerts.toLocaleString("en-US")}, one statement)`, async () => {
    for (const ix of secondary) await q(`drop index public.${quoteIdent(ix.indexname)}`);
    // The flags computed below stand (the trigger honours this for the owner only), for this statement.
    if (own.owner) await q("select set_config('analytics.breach_flags_given', 'on', false)");
    let r;
    try {
      r = await q(
        `insert into public.alerts
           (tenant_id, title, description, severity, status, source, rule_name, asset_id, hostname,
            source_ip, detected_at, created_at, updated_at, resolved_at, ack_breached, resolve_breached)
         select s.tenant_id, title, $1, s.severity,
                status, source, rule_name,
                case when asset_k is not null then md5(s.tenant_id::text || ':' || asset_k)::uuid end,
                case when asset_k is not null then 'h' || lpad(asset_k::text, 5, '0') || '.' || slug end,
                ('198.51.100.' || (g % 254 + 1))::inet,
                detected_at, detected_at, detected_at,
                case when status in ('resolved', 'false_positive') then detected_at + interval '3 hours' end,
                -- Closed 3 hours after detection, acknowledged by the close.
                case when status in ('resolved', 'false_positive') then s.severity <> 'info' and interval '3 hours' > make_interval(mins => sla.ack_minutes) end,
                case when status in ('resolved', 'false_positive') then s.severity <> 'info' and interval '3 hours' > make_interval(mins => sla.resolve_minutes) end
           from (
             select a.id as tenant_id, a.slug, g,
                    (array['Suspicious PowerShell execution', 'Impossible travel sign-in',
                           'Malware quarantined', 'Brute-force attempt on VPN', 'New admin account created',
                           'Outbound connection to known C2', 'Credential dumping tool detected',
                           'Unusual S3 bucket policy change', 'Phishing link clicked',
                           'Lateral movement via SMB'])[1 + abs(hashtext(a.slug || g)) % 10] as title,
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
               from scale_alloc a
              cross join lateral generate_series(1, a.n_alerts) g
              cross join lateral (
                -- Volatile, and referencing g, so it is evaluated per row.
                select random() + g * 0 as r_sev, random() + g * 0 as r_open, random() + g * 0 as r_asset,
                       -- Activity rises towards now: age = 90 days * u^2.
                       90 * power(random() + g * 0, 2) as age_days
              ) r
           ) s
           left join pg_temp.scale_sla sla on sla.tenant_id = s.tenant_id and sla.severity = s.severity`,
        [opts.description ?? "Generated scale data."],
      );
    } finally {
      if (own.owner) await q("select set_config('analytics.breach_flags_given', '', false)");
    }
    result.alerts = r.rowCount ?? 0;
  });

  if (secondary.length > 0) {
    await timePhase(result.phases, log, "alerts: rebuild secondary indexes", async () => {
      for (const ix of secondary) await q(ix.indexdef);
    });
  }
  await q("drop table if exists pg_temp.scale_alloc");
  await q("drop table if exists pg_temp.scale_sla");
  return result;
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

// The measurements behind the signals, for many tenants at once: one
// set-based statement per source, whatever the number of tenants (no query
// per tenant per signal). Runs in the evaluation's service-role transaction
// (purpose health.evaluate): it crosses tenants by design. `now` is passed
// in, so a test (or a re-run) measures at the time it says.
//
// Where each figure comes from (docs/health.md):
//   collectors      public.collectors.last_heartbeat_at (the collector's POST /collectors/heartbeat)
//   last alert      the newest public.alerts.detected_at, however old (index alerts_tenant_detected)
//   credentials     public.credentials.expires_at, and the latest credential.test-result audit row
//                   of each credential within 30 days (failure = the last test failed)
//   failed jobs     public.jobs with status failed, finished in the last hour
//   API requests    usage.api_request_counts (this hour's minutes not yet rolled) + api_requests usage events
//   API refusals    'denied' audit rows of action api.request (the gateway's refusals, 4xx)
//   quotas          the latest daily usage rollup of assets and seats (within QUOTA_READING_DAYS); the API's ingestion
//                   quota bucket (items within the rolling 24 hours, lib/api/gateway/limits.ts)
//   sign-in failures audit rows auth:sign-in-failed and auth:sign-in-locked
//   denied attempts other 'denied' audit rows (PDP refusals, cross-tenant attempts), not
//                   sign-in lockouts nor the API's capacity refusals
import type { Db } from "@/lib/db/with-tenant";
import type { EffectiveConfig } from "@/lib/settings";
import type { Measurements } from "./signals";
import { ingestQuotaUsed } from "@/lib/api/gateway/limits";
import { INGEST_QUOTA, QUOTA_LIMITS } from "./thresholds";

const HOUR_MS = 3_600_000;
/** A snapshot older than this is no current level (the nightly snapshots stopped): the quota reads 0 used. */
const QUOTA_READING_DAYS = 31;

export const emptyMeasurements = (): Measurements => ({
  collectors: [],
  lastAlertAt: null,
  credentials: [],
  failedJobs: 0,
  apiRequests: 0,
  apiRefused: 0,
  apiRefusedAdmitted: 0,
  quotas: [],
  signInFailures: 0,
  denied: 0,
});

/** Measures every tenant of `tenantIds` as of `now`; `configs` gives each tenant's limits. */
export async function measure(db: Db, tenantIds: readonly string[], configs: Map<string, EffectiveConfig>, now: Date): Promise<Map<string, Measurements>> {
  const out = new Map<string, Measurements>(tenantIds.map((id) => [id, emptyMeasurements()]));
  if (tenantIds.length === 0) return out;
  const c = db.$client;
  const hourAgo = new Date(now.getTime() - HOUR_MS);
  const ids = [...tenantIds];

  // One after the other: they share the transaction's connection.
  const collectors = await c.query<{ tenant_id: string; name: string; last_heartbeat_at: Date }>(
      "select tenant_id, name, last_heartbeat_at from public.collectors where tenant_id = any ($1::uuid[]) order by tenant_id, name",
      [ids],
    );
  // One index probe per tenant (alerts_tenant_detected), not a scan of every alert. No lower bound: a
  // silence lasts as long as it lasts, and a window would turn a month's silence back into "ok".
  const alerts = await c.query<{ tenant_id: string; last: Date }>(
      `select t.id as tenant_id, a.detected_at as last
         from unnest($1::uuid[]) t(id)
         cross join lateral (select detected_at from public.alerts
                              where tenant_id = t.id and detected_at <= $2
                              order by detected_at desc limit 1) a`,
      [ids, now],
    );
  const credentials = await c.query<{ tenant_id: string; name: string; expires_at: Date | null; last_test_failed: boolean }>(
      `select cr.tenant_id, cr.name, cr.expires_at, coalesce(t.outcome = 'failure', false) as last_test_failed
         from public.credentials cr
         left join (select distinct on (tenant_id, target_id) tenant_id, target_id, outcome
                      from public.audit_log
                     where action = 'credential.test-result' and occurred_at > $2::timestamptz - interval '30 days' and occurred_at <= $2
                       and tenant_id = any ($1::uuid[])
                     order by tenant_id, target_id, occurred_at desc) t
           on t.tenant_id = cr.tenant_id and t.target_id = cr.id::text
        where cr.tenant_id = any ($1::uuid[])
        order by cr.tenant_id, cr.name`,
      [ids, now],
    );
  const jobs = await c.query<{ tenant_id: string; n: number }>(
      `select tenant_id, count(*)::int as n from public.jobs
        where status = 'failed' and finished_at > $2 and finished_at <= $3 and tenant_id = any ($1::uuid[])
        group by tenant_id`,
      [ids, hourAgo, now],
    );
  const api = await c.query<{ tenant_id: string; n: string }>(
      `select tenant_id, sum(n)::text as n from (
         select tenant_id, requests as n from usage.api_request_counts where minute > $2 and minute <= $3 and tenant_id = any ($1::uuid[])
         union all
         select tenant_id, quantity from public.usage_events
          where metric = 'api_requests' and occurred_at > $2 and occurred_at <= $3 and tenant_id = any ($1::uuid[])
       ) x group by tenant_id`,
      [ids, hourAgo, now],
    );
  // One pass over the last hour of the trail (index audit_log_time).
  const audit = await c.query<{ tenant_id: string; sign_in: number; api_refused: number; api_refused_admitted: number; denied: number }>(
      `select tenant_id,
              count(*) filter (where action in ('auth:sign-in-failed', 'auth:sign-in-locked'))::int as sign_in,
              -- A summary row (reason refusals_not_audited, lib/api/gateway/audit.ts) stands for the
              -- refusals past the audit budget it counts.
              coalesce(sum(case when details->>'reason' = 'refusals_not_audited' and details->>'count' ~ '^[0-9]{1,9}$'
                                then greatest((details->>'count')::int, 1) else 1 end)
                         filter (where action = 'api.request' and outcome = 'denied'), 0)::int as api_refused,
              -- Refused after the rate limits admitted it (lib/api/gateway): also in usage.api_request_counts.
              count(*) filter (where action = 'api.request' and outcome = 'denied' and details->>'admitted' = 'true')::int as api_refused_admitted,
              count(*) filter (where outcome = 'denied' and action not like 'auth:%'
                                 -- Capacity refusals (rate limits, the daily quota, the concurrency cap) are not access-control failures.
                                 and not (action = 'api.request' and (coalesce(details->>'reason', '') like 'rate\\_limited%'
                                                                      or details->>'reason' in ('daily_quota', 'concurrency'))))::int as denied
         from public.audit_log
        where occurred_at > $2 and occurred_at <= $3 and tenant_id = any ($1::uuid[])
        group by tenant_id`,
      [ids, hourAgo, now],
    );
  // The current level: the latest daily reading, not the month's peak (which the usage pages show):
  // a tenant back under its limit after deleting assets is no longer over it, whatever day 3 read.
  const usage = await c.query<{ tenant_id: string; metric: string; used: string }>(
      `select distinct on (tenant_id, metric) tenant_id, metric, quantity::text as used from public.usage_rollups
        where grain = 'day' and period_start > $2::timestamptz - make_interval(days => $4) and period_start <= $2
          and metric = any ($3::text[]) and tenant_id = any ($1::uuid[])
        order by tenant_id, metric, period_start desc`,
      [ids, now, QUOTA_LIMITS.map((q) => q.metric), QUOTA_READING_DAYS],
    );

  for (const r of collectors.rows) out.get(r.tenant_id)?.collectors.push({ name: r.name, lastHeartbeatAt: new Date(r.last_heartbeat_at) });
  for (const r of alerts.rows) out.get(r.tenant_id)!.lastAlertAt = new Date(r.last);
  for (const r of credentials.rows)
    out.get(r.tenant_id)?.credentials.push({ name: r.name, expiresAt: r.expires_at ? new Date(r.expires_at) : null, lastTestFailed: r.last_test_failed });
  for (const r of jobs.rows) out.get(r.tenant_id)!.failedJobs = r.n;
  for (const r of api.rows) out.get(r.tenant_id)!.apiRequests = Number(r.n);
  for (const r of audit.rows) {
    const m = out.get(r.tenant_id)!;
    m.signInFailures = r.sign_in;
    m.apiRefused = r.api_refused;
    m.apiRefusedAdmitted = r.api_refused_admitted;
    m.denied = r.denied;
  }
  const used = new Map(usage.rows.map((r) => [`${r.tenant_id}:${r.metric}`, Number(r.used)]));
  const perDay = new Map<string, number>();
  for (const id of ids) {
    const config = configs.get(id);
    if (config) perDay.set(id, config.value<number>(INGEST_QUOTA.key));
  }
  const ingested = await ingestQuotaUsed(db, perDay, now);
  for (const id of ids) {
    const config = configs.get(id);
    if (!config) continue;
    out.get(id)!.quotas = [
      ...QUOTA_LIMITS.map((q) => ({ label: q.label, used: used.get(`${id}:${q.metric}`) ?? 0, limit: config.value<number>(q.key) })),
      { label: INGEST_QUOTA.label, used: ingested.get(id) ?? 0, limit: perDay.get(id)! },
    ];
  }
  return out;
}

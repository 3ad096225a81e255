// Dry run: the tenant's rules (own and inherited) against the alerts detected
// in the last 7 days that the caller can see in the tenant and below, without
// changing anything: per rule, how many alerts it would have matched, a few
// of them, and what it would have done. Reads under the caller's RLS only.
import type { TenantTx } from "@/lib/db/with-tenant";
import { readableAlertTenants } from "@/lib/alerts/access";
import { ROLLUP_COUNT_MAX_TENANTS } from "@/lib/alerts/list-count";
import { describeConditions, ruleMatches } from "./language";
import { factsOf } from "./engine";
import { rulesFor, type Rule } from "./store";

export const DRY_RUN_DAYS = 7;
export const DRY_RUN_MAX_ALERTS = 5_000;
const SAMPLES = 5;

export interface DryRunSample {
  tenantId: string;
  id: string;
  title: string;
  severity: string;
  detectedAt: Date;
}

export interface DryRunRule {
  rule: Pick<Rule, "id" | "name" | "version" | "enabled" | "inherited" | "tenantName">;
  conditions: string;
  matched: number;
  wouldDo: string[];
  samples: DryRunSample[];
}

export interface DryRun {
  since: Date;
  alertsConsidered: number;
  truncated: boolean;
  rules: DryRunRule[];
}

export async function dryRun(tx: TenantTx, tenantId: string, now = new Date(), names: { people: Map<string, string>; channels: Map<string, string>; groups?: Map<string, string> } = { people: new Map(), channels: new Map() }): Promise<DryRun> {
  const since = new Date(now.getTime() - DRY_RUN_DAYS * 86_400_000);
  // Only alerts the caller may read (the PDP's alerts:read per tenant, as the alert list): the samples name them.
  const rows = await recentAlerts(tx, tenantId, since, now, DRY_RUN_MAX_ALERTS + 1, undefined, await readableAlertTenants(tx));
  const truncated = rows.length > DRY_RUN_MAX_ALERTS;
  const alerts = rows.slice(0, DRY_RUN_MAX_ALERTS);
  const rules = (await rulesFor(tx, tenantId)).filter((r) => r.definition !== null);
  const person = (id: string) => names.people.get(id) ?? "a member";
  const channel = (id: string) => names.channels.get(id) ?? "a channel";
  const group = (id: string) => `assign to group ${names.groups?.get(id) ?? "(a group that no longer exists)"}`;
  return {
    since,
    alertsConsidered: alerts.length,
    truncated,
    rules: rules.map((r) => {
      const d = r.definition!;
      const hits = r.enabled ? alerts.filter((a) => ruleMatches(d, factsOf(a))) : [];
      const wouldDo = [
        ...(d.actions.assignTo ? [`assign to ${person(d.actions.assignTo)}`] : []),
        ...(d.actions.assignGroup ? [group(d.actions.assignGroup)] : []),
        ...d.actions.notify.map((c) => `notify ${channel(c)}`),
        ...(d.actions.notifyDefaults ? ["notify the default recipients"] : []),
        ...(d.escalation
          ? [`after ${d.escalation.afterMinutes} min unacknowledged: ${[d.escalation.assignTo ? `assign to ${person(d.escalation.assignTo)}` : "", d.escalation.assignGroup ? group(d.escalation.assignGroup) : "", ...d.escalation.notify.map((c) => `notify ${channel(c)}`), d.escalation.notifyDefaults ? "notify the default recipients" : ""].filter(Boolean).join(", ")}`]
          : []),
      ];
      return {
        rule: { id: r.id, name: r.name, version: r.version, enabled: r.enabled, inherited: r.inherited, tenantName: r.tenantName },
        conditions: describeConditions(d),
        matched: hits.length,
        wouldDo: r.enabled ? wouldDo : ["nothing: the rule is disabled"],
        samples: hits.slice(0, SAMPLES).map((a) => ({ tenantId: a.tenant_id, id: a.id, title: a.title, severity: a.severity, detectedAt: new Date(a.detected_at) })),
      };
    }),
  };
}

/** The columns a rule's conditions read (lib/rules/engine.ts factsOf), and the sample's. */
const COLUMNS = "a.tenant_id, a.id, a.title, a.severity, a.source, a.hostname, a.rule_name, a.detected_at, a.asset_id";

/**
 * The newest `limit` alerts detected in [since, now] in the tenant and below that the caller can see.
 *
 * Why not one statement (measured at 2M alerts, `npm run bench -- --only=pages`): joining the subtree
 * to the alerts took 1.8 s for the customer with the most alerts (every alert of its 7 days read and
 * sorted, and each one's asset found by a walk of another index) and 5.6 s on the MSSP's own host
 * (560,000 alerts in 7 days). Through RLS the planner cannot size the policy's tenant array, so it
 * reads whole tenants rather than walk the time index and stop. So, by what the subtree is:
 * - past 32 tenants and half of the deployment's (the MSSP's own host): one walk of every alert's
 *   time index, stopping at `limit` (workflows.newest_alerts, migration 20261201026700);
 * - otherwise (a customer and its sites): each tenant's newest alerts from its own time index
 *   (alerts_tenant_detected), as the alert list reads them (lib/alerts/list-by-tenant.ts), the union
 *   cut to `limit`: at most the subtree's alerts of the 7 days are read, never other tenants'.
 * The asset's criticality is looked up for the kept rows only, by id (assets_id).
 */
export async function recentAlerts(
  tx: TenantTx,
  rootId: string,
  since: Date,
  now: Date,
  limit: number,
  /** Which read; by default chosen as above (tests/workflows-dry-run.test.ts holds both to one answer). */
  plan?: "walk" | "by-tenant",
  /** The tenants whose alerts the caller may read (lib/alerts/access.ts); absent: every one RLS shows. */
  readable?: ReadonlySet<string>,
) {
  // The subtree's tenants the caller can see (RLS), and about how many tenants the deployment has (the
  // planner's statistics, -1 before the first analyze): the walk is short only when the subtree holds
  // most of every alert; a customer's admin sees only its own subtree, however small its share.
  const { rows: tenants } = await tx.client.query<{ id: string; deployment: number }>(
    `select t.id, (select c.reltuples::int from pg_catalog.pg_class c where c.oid = 'public.tenants'::regclass) as deployment
       from public.tenants t join public.tenants root on root.id = $1 and t.path operator(extensions.<@) root.path`,
    [rootId],
  );
  const ids = tenants.map((t) => t.id).filter((id) => !readable || readable.has(id));
  if (ids.length === 0) return [];
  const walk = plan ? plan === "walk" : ids.length > ROLLUP_COUNT_MAX_TENANTS && tenants[0].deployment > 0 && ids.length * 2 >= tenants[0].deployment;
  const newest = walk
    ? `select * from workflows.newest_alerts($1::uuid[], $2, $3, $4)`
    : `select a.* from unnest($1::uuid[]) t(id)
         cross join lateral (
           select ${COLUMNS} from public.alerts a
            where a.tenant_id = t.id and a.detected_at >= $2 and a.detected_at <= $3
            order by a.detected_at desc, a.id desc
            limit $4) a
        order by a.detected_at desc, a.id desc
        limit $4`;
  const { rows } = await tx.client.query(
    `select r.tenant_id, r.id, r.title, r.severity, r.source, r.hostname, r.rule_name, r.detected_at,
            (select s.criticality from public.assets s where s.tenant_id = r.tenant_id and s.id = r.asset_id) as asset_criticality
       from (${newest}) r
      order by r.detected_at desc, r.id desc`,
    [ids, since, now, limit],
  );
  return rows;
}

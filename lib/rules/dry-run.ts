// Dry run: the tenant's rules (own and inherited) against the alerts of the
// last 7 days that the caller can see in the tenant and below, without
// changing anything: per rule, how many alerts it would have matched, a few
// of them, and what it would have done. Reads under the caller's RLS only.
import type { TenantTx } from "@/lib/db/with-tenant";
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
  const { rows } = await tx.client.query(
    `select a.tenant_id, a.id, a.title, a.severity, a.source, a.hostname, a.rule_name, a.detected_at, s.criticality as asset_criticality
       from public.alerts a
       join public.tenants t on t.id = a.tenant_id
       join public.tenants root on root.id = $1 and root.path operator(extensions.@>) t.path
       left join public.assets s on s.tenant_id = a.tenant_id and s.id = a.asset_id
      where a.created_at >= $2 and a.created_at <= $3
      order by a.created_at desc
      limit $4`,
    [tenantId, since, now, DRY_RUN_MAX_ALERTS + 1],
  );
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

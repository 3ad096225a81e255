// One alert for its detail page: the alert, what the caller may do with it
// (the PDP: alerts:read to see it at all, alerts:triage for the controls),
// who it can be assigned to, its SLA clocks, its timeline and, for an alert
// that came through the API with one, its raw event (opened here only).
import { namedStatement } from "@/lib/db/prepared";
import type { AlertStatus, Severity } from "@/drizzle/schema";
import { AuthorizationError, permissions } from "@/lib/authz";
import type { TenantTx } from "@/lib/db/with-tenant";
import { slaClocks, type SlaClocks, type SlaTargets } from "./sla";
import { slaTargetsFor } from "./sla-targets";
import { TRANSITIONS } from "./workflow";
import { featureEnabled } from "@/lib/settings/enforce";
import { loadRawEventView, type RawEventView } from "@/lib/ingest/raw";
import { groupsFor, type UsableGroup } from "@/lib/groups/store";
import { viewerTimeZone } from "@/lib/locale/viewer-zone";
import { UNKNOWN_PERSON } from "@/lib/people/standing";
import { unseenPeopleLabels } from "./people";

export interface AlertDetail {
  tenantId: string;
  tenantSlug: string;
  tenantName: string;
  id: string;
  title: string;
  description: string;
  severity: Severity;
  status: AlertStatus;
  source: string;
  ruleName: string | null;
  hostname: string | null;
  sourceIp: string | null;
  assignedTo: string | null;
  assigneeName: string | null;
  /** The alert's group (lib/groups): of its tenant or an ancestor. */
  assignedGroup: { tenantId: string; id: string; name: string } | null;
  closeReason: string | null;
  detectedAt: Date;
  createdAt: Date;
  updatedAt: Date;
  acknowledgedAt: Date | null;
  resolvedAt: Date | null;
  /** The SLA clocks' stored verdicts (lib/alerts/sla.ts SlaAlertTimes). */
  ackBreached: boolean | null;
  resolveBreached: boolean | null;
}

export interface TimelineEntry {
  id: string;
  kind: "created" | "status" | "assignment" | "comment" | "group";
  at: Date;
  actorName: string | null;
  fromStatus?: AlertStatus | null;
  toStatus?: AlertStatus | null;
  fromAssignee?: string | null;
  toAssignee?: string | null;
  body?: string | null;
  /** A group entry: whether it gave the alert a group (body: its name) or took it away (body: the old one's). */
  groupSet?: boolean;
}

export interface Assignee {
  id: string;
  name: string;
  email: string;
}

export interface AlertDetailPage {
  alert: AlertDetail;
  canTriage: boolean;
  nextStatuses: readonly AlertStatus[];
  assignees: Assignee[];
  /** Groups the alert may be given (its tenant's own and inherited), when the caller may triage. */
  groups: UsableGroup[];
  /** Members of those groups the caller can see, by group id (inherited groups' members may be hidden). */
  groupMembers: Record<string, string[]>;
  targets: SlaTargets;
  sla: SlaClocks | null;
  timeline: TimelineEntry[];
  /** The vendor's payload of an API-ingested alert, opened here only (after the PDP allowed alerts:read); null when there is none. */
  rawEvent: RawEventView | null;
  /** The zone the page's times are shown in: the host tenant's locale.time_zone (the MSSP's on the console). */
  timeZone: string;
}

/**
 * Names a person in the caller's view; someone the caller cannot see by name
 * reads as what they are at the alert's tenant (`unseen`, lib/alerts/people.ts).
 */
function personName(name: string | null, email: string | null, id: string | null, tenantId: string, unseen: Map<string, string>): string | null {
  if (!id) return null;
  return name || email || unseen.get(`${tenantId}:${id}`) || UNKNOWN_PERSON;
}

/** The detail page's alert row by id ($1); RLS decides whether it exists for the caller (the alerts policy is the visible tenant set; exported for scripts/bench). */
export const ALERT_DETAIL_SQL = `select a.tenant_id, t.slug as tenant_slug, t.name as tenant_name, a.id, a.title, a.description, a.severity, a.status,
            a.source, a.rule_name, a.hostname, host(a.source_ip) as source_ip, a.assigned_to, u.name as assignee_name,
            u.email as assignee_email, a.assigned_group_tenant_id, a.assigned_group_id, a.close_reason, a.detected_at, a.created_at, a.updated_at, a.acknowledged_at, a.resolved_at,
            a.ack_breached, a.resolve_breached
       from public.alerts a
       join public.tenants t on t.id = a.tenant_id
       left join public.users u on u.id = a.assigned_to
      where a.id = $1
      limit 1`;

/**
 * null when the alert does not exist for the caller (unknown, another
 * tenant's, or hidden by RLS): the page answers 404 alike. Throws
 * AuthorizationError when the PDP denies alerts:read on its tenant (403).
 */
export async function loadAlertDetail(tx: TenantTx, alertId: string, now: Date, hostTenantId: string | null = null): Promise<AlertDetailPage | null> {
  // The id alone names the alert on the page's URL; the tenant comes from the row RLS shows.
  const { rows } = await tx.client.query(
    ALERT_DETAIL_SQL,
    [alertId],
  );
  const r = rows[0];
  if (!r) return null;
  const can = await permissions(tx, ["alerts:read", "alerts:triage"], r.tenant_id);
  if (!can["alerts:read"]) throw new AuthorizationError("alerts:read", r.tenant_id);
  // No triage controls where the tenant has not bought triage (features.alert_triage); the actions refuse too.
  const canTriage = can["alerts:triage"] && (await featureEnabled(tx, r.tenant_id, "features.alert_triage"));

  const unseenAssignee = r.assigned_to && !r.assignee_name && !r.assignee_email ? await unseenPeopleLabels(tx.client, [{ tenantId: r.tenant_id, id: r.id }]) : new Map<string, string>();
  const alert: AlertDetail = {
    tenantId: r.tenant_id,
    tenantSlug: r.tenant_slug,
    tenantName: r.tenant_name,
    id: r.id,
    title: r.title,
    description: r.description,
    severity: r.severity,
    status: r.status,
    source: r.source,
    ruleName: r.rule_name,
    hostname: r.hostname,
    sourceIp: r.source_ip,
    assignedTo: r.assigned_to,
    assigneeName: personName(r.assignee_name, r.assignee_email, r.assigned_to, r.tenant_id, unseenAssignee),
    assignedGroup: null,
    closeReason: r.close_reason,
    detectedAt: r.detected_at,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    acknowledgedAt: r.acknowledged_at,
    resolvedAt: r.resolved_at,
    ackBreached: r.ack_breached,
    resolveBreached: r.resolve_breached,
  };
  const targets = await slaTargetsFor(tx, alert.tenantId);
  // The alert's group is of its tenant or an ancestor: among the usable groups, which name it for the caller too.
  const groups = await groupsFor(tx.client, alert.tenantId);
  const current = groups.find((g) => g.tenantId === r.assigned_group_tenant_id && g.id === r.assigned_group_id);
  alert.assignedGroup = r.assigned_group_id ? { tenantId: r.assigned_group_tenant_id, id: r.assigned_group_id, name: current?.name ?? "a group" } : null;
  return {
    alert,
    canTriage,
    nextStatuses: canTriage ? TRANSITIONS[alert.status] : [],
    assignees: canTriage ? await assigneesFor(tx, alert.tenantId) : [],
    groups: canTriage ? groups : [],
    groupMembers: canTriage ? await visibleGroupMembers(tx, groups) : {},
    targets,
    sla: slaClocks(alert, targets, now),
    timeline: await timelineOf(tx, alert),
    rawEvent: await loadRawEventView(tx.client, alert.tenantId, alert.id, tx.db),
    // The layout read the host's settings in this render transaction already (lib/settings/resolve.ts memo).
    timeZone: await viewerTimeZone(tx, hostTenantId),
  };
}

/** assigneesFor's statement, $1 the alert's tenant (exported for scripts/bench). */
export const ASSIGNEES_SQL = `select distinct u.id, u.name, u.email
       from public.memberships m
       join public.tenants a on a.id = m.tenant_id
       join public.tenants t on t.id = $1
       join public.users u on u.id = m.user_id
      where m.role in ('mssp_admin', 'mssp_analyst', 'tenant_admin', 'tenant_analyst')
        and a.path operator(extensions.@>) t.path
      order by u.name, u.email`;

// Named: each pooled connection parses and plans it once (lib/db/prepared.ts).
export const ASSIGNEES_STATEMENT_NAME = "alerts.assignees";
const ASSIGNEES_STATEMENT = namedStatement(ASSIGNEES_STATEMENT_NAME, ASSIGNEES_SQL);

/**
 * Who the caller can pick as assignee: analysts and admins of the alert's
 * tenant or an ancestor, among the people RLS lets the caller see (a tenant's
 * own people don't see the MSSP's staff; the database accepts them all the same).
 */
export async function assigneesFor(tx: TenantTx, tenantId: string): Promise<Assignee[]> {
  const { rows } = await tx.client.query<Assignee>(ASSIGNEES_STATEMENT([tenantId]));
  return rows;
}

/** Members of `groups` the caller can see under RLS, by group id. */
async function visibleGroupMembers(tx: TenantTx, groups: UsableGroup[]): Promise<Record<string, string[]>> {
  if (groups.length === 0) return {};
  const { rows } = await tx.client.query<{ group_id: string; user_id: string }>(
    `select group_id, user_id from public.assignee_group_members
      where (tenant_id, group_id) in (select * from unnest($1::uuid[], $2::uuid[]))`,
    [groups.map((g) => g.tenantId), groups.map((g) => g.id)],
  );
  const out: Record<string, string[]> = {};
  for (const r of rows) (out[r.group_id] ??= []).push(r.user_id);
  return out;
}

/** The timeline's statement: $1 the alert's tenant, $2 the alert (exported for scripts/bench). */
export const TIMELINE_SQL = `select e.id, e.kind, e.created_at, e.from_status, e.to_status, e.body, e.to_group,
            coalesce(nullif(actor.name, ''), actor.email) as actor_name, e.actor_id,
            e.from_assignee, coalesce(nullif(fa.name, ''), fa.email) as from_name,
            e.to_assignee, coalesce(nullif(ta.name, ''), ta.email) as to_name
       from public.alert_events e
       left join public.users actor on actor.id = e.actor_id
       left join public.users fa on fa.id = e.from_assignee
       left join public.users ta on ta.id = e.to_assignee
      where e.tenant_id = $1 and e.alert_id = $2
      order by e.created_at, e.id`;

export async function timelineOf(tx: TenantTx, alert: Pick<AlertDetail, "tenantId" | "id" | "createdAt">): Promise<TimelineEntry[]> {
  const { rows } = await tx.client.query(
    TIMELINE_SQL,
    [alert.tenantId, alert.id],
  );
  const created: TimelineEntry = { id: `${alert.id}:created`, kind: "created", at: alert.createdAt, actorName: null };
  const someoneUnseen = rows.some((e) => (e.actor_id && !e.actor_name) || (e.from_assignee && !e.from_name) || (e.to_assignee && !e.to_name));
  const unseen = someoneUnseen ? await unseenPeopleLabels(tx.client, [alert], true) : new Map<string, string>();
  const nameOf = (id: string | null, name: string | null) => (id ? (name ?? unseen.get(`${alert.tenantId}:${id}`) ?? UNKNOWN_PERSON) : null);
  return [
    created,
    ...rows.map((e) => ({
      id: e.id,
      kind: e.kind,
      at: e.created_at,
      actorName: nameOf(e.actor_id, e.actor_name),
      fromStatus: e.from_status,
      toStatus: e.to_status,
      fromAssignee: nameOf(e.from_assignee, e.from_name),
      toAssignee: nameOf(e.to_assignee, e.to_name),
      body: e.body,
      groupSet: e.kind === "group" ? e.to_group !== null : undefined,
    })),
  ];
}

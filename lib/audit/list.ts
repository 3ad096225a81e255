// The audit page's data: a paged list of audit events, newest first, filtered
// by kind (auth events or changes), action, outcome, actor email, date range
// and (within the caller's scope) tenant. RLS decides which rows exist (MSSP admins: their MSSP's subtree;
// tenant admins: their tenant and its sites; everyone else: none); the PDP
// decides, tenant by tenant, which of them the caller may read (audit:view: a
// tenant's own policy may deny it); the filters only narrow that.
import { and, count, desc, eq, gte, ilike, like, lt, notLike, sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import { AUDIT_OUTCOMES, auditLog, tenants, type AuditOutcome } from "@/drizzle/schema";
import { checkActionsForEach, principalFromClaims, type TenantResource } from "@/lib/authz";
import type { Db, TenantTx } from "@/lib/db/with-tenant";
import { applyTenantFilter, tenantFilterSchema, type TenantFilterState } from "@/lib/tenancy/tenant-filter";
import { dayRange, daySchema } from "@/lib/url/list-query";
import { actorLabel, keyActorRefs, resolveTargetNames, targetName, type TargetName } from "./targets";

export const AUDIT_PAGE_SIZE = 50;

/** Auth events (lib/auth/events.ts: sign-in, lockouts, MFA, sessions) are the actions starting with this. */
export const AUTH_EVENT_PREFIX = "auth:";
/** "auth": sign-in and session events only; "changes": everything else (changes and refused attempts). */
export const AUDIT_KINDS = ["auth", "changes"] as const;
export type AuditKind = (typeof AUDIT_KINDS)[number];

/** The PDP action that guards the audit pages (lib/authz/actions.ts). */
export const AUDIT_VIEW_ACTION = "audit:view" as const;

const filterSchema = z.object({
  kind: z.enum(AUDIT_KINDS),
  action: z.string().trim().regex(/^[a-z0-9][a-z0-9_.:-]{0,99}$/),
  outcome: z.enum(AUDIT_OUTCOMES),
  actor: z.string().trim().min(1).max(320),
  from: daySchema,
  to: daySchema,
  tenant: tenantFilterSchema,
  page: z.coerce.number().int().min(1).max(100_000),
});

export interface AuditFilters {
  kind?: AuditKind;
  /** Exact action, or a prefix: "team" matches "team:invite". */
  action?: string;
  outcome?: AuditOutcome;
  /** Part of the actor's email, case-insensitive. */
  actor?: string;
  /** Inclusive UTC days, YYYY-MM-DD. */
  from?: string;
  to?: string;
  tenant?: string;
  page: number;
}

const LABELS: Record<keyof Omit<AuditFilters, "page">, string> = {
  kind: "auth or changes",
  action: "an action name or its start (lowercase, like team:invite or team)",
  outcome: `one of ${AUDIT_OUTCOMES.join(", ")}`,
  actor: "an email or part of one",
  from: "a date (YYYY-MM-DD)",
  to: "a date (YYYY-MM-DD)",
  tenant: "a tenant",
};

/**
 * Reads filters from URL search params. A value that does not parse is
 * dropped and reported, so a mistyped link shows a clear note and the
 * unfiltered list instead of an error page.
 */
export function parseAuditFilters(params: Record<string, string | string[] | undefined>): {
  filters: AuditFilters;
  problems: string[];
} {
  const filters: AuditFilters = { page: 1 };
  const problems: string[] = [];
  for (const key of ["kind", "action", "outcome", "actor", "from", "to", "tenant", "page"] as const) {
    const raw = params[key];
    const value = (Array.isArray(raw) ? raw[0] : raw)?.trim();
    if (value === undefined || value === "") continue;
    const parsed = filterSchema.shape[key].safeParse(value);
    if (parsed.success) (filters as unknown as Record<string, unknown>)[key] = parsed.data;
    else problems.push(`Ignored ${key} "${value.slice(0, 40)}": not ${key === "page" ? "a page number" : LABELS[key]}.`);
  }
  if (filters.from && filters.to && filters.from > filters.to) {
    problems.push(`Ignored the date range: "from" (${filters.from}) is after "to" (${filters.to}).`);
    delete filters.from;
    delete filters.to;
  }
  return { filters, problems };
}

/** The audit list's URL (a query string) with some filters changed; the page goes back to 1 unless given. */
export function auditListHref(filters: AuditFilters, change: Partial<AuditFilters> = {}): string {
  const next: AuditFilters = { ...filters, page: 1, ...change };
  const params = new URLSearchParams();
  for (const key of ["kind", "action", "outcome", "actor", "from", "to", "tenant"] as const) {
    const v = next[key];
    if (v) params.set(key, v);
  }
  params.set("page", String(next.page));
  return `?${params}`;
}

export function hasAuditFilters(f: AuditFilters): boolean {
  return Boolean(f.kind || f.action || f.outcome || f.actor || f.from || f.to || f.tenant);
}

export interface AuditRow {
  tenantId: string;
  seq: number;
  tenantSlug: string;
  tenantName: string;
  occurredAt: Date;
  actorId: string | null;
  actorEmail: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  outcome: AuditOutcome;
  requestId: string | null;
  details: Record<string, unknown>;
  /** The target's name as the reader may see it (lib/audit/targets.ts), or null when the event has no target. */
  target: TargetName | null;
  /** Who acted, as the table shows it: an email, "API key <name>", "system" (lib/audit/targets.ts actorLabel). */
  actor: string;
}

export interface AuditPage {
  rows: AuditRow[];
  total: number;
  page: number;
  pageCount: number;
}

/** `%` and `_` in user input match themselves. */
function likeEscape(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/**
 * Who may not be found by their email: on a white-labelled host the
 * provider's staff show as `shownAs` ("Provider staff", lib/branding/mask.ts),
 * so the actor filter matches them by that label, never by the email it hides
 * (typing part of the MSSP's domain must not tell the MSSP's staff apart).
 */
export interface HiddenActors {
  ids: readonly string[];
  shownAs: string;
}

/**
 * `timeZone`: the zone the from/to days are days of (the page's, whose clock the rows' times are on).
 * `tenantIds`: when given, only these tenants' rows (the ones the PDP lets the caller read; RLS
 * still bounds them).
 */
export async function listAuditEvents(
  db: Db,
  filters: AuditFilters,
  pageSize = AUDIT_PAGE_SIZE,
  hidden?: HiddenActors,
  timeZone?: string,
  tenantIds?: readonly string[],
): Promise<AuditPage> {
  const where: SQL[] = [];
  if (tenantIds) where.push(sql`${auditLog.tenantId} = any(${sql.param([...tenantIds])}::uuid[])`);
  if (filters.kind === "auth") where.push(like(auditLog.action, `${AUTH_EVENT_PREFIX}%`));
  if (filters.kind === "changes") where.push(notLike(auditLog.action, `${AUTH_EVENT_PREFIX}%`));
  if (filters.action) where.push(like(auditLog.action, `${likeEscape(filters.action)}%`));
  if (filters.outcome) where.push(eq(auditLog.outcome, filters.outcome));
  if (filters.actor && hidden && hidden.ids.length > 0) {
    const ids = sql`array[${sql.join(hidden.ids.map((id) => sql`${id}`), sql`, `)}]::uuid[]`;
    const byLabel = hidden.shownAs.toLowerCase().includes(filters.actor.toLowerCase());
    where.push(
      byLabel
        ? sql`(${auditLog.actorId} = any(${ids}) or (${ilike(auditLog.actorEmail, `%${likeEscape(filters.actor)}%`)} and (${auditLog.actorId} is null or ${auditLog.actorId} <> all(${ids}))))`
        : sql`(${ilike(auditLog.actorEmail, `%${likeEscape(filters.actor)}%`)} and (${auditLog.actorId} is null or ${auditLog.actorId} <> all(${ids})))`,
    );
  } else if (filters.actor) where.push(ilike(auditLog.actorEmail, `%${likeEscape(filters.actor)}%`));
  const range = dayRange(filters.from, filters.to, timeZone);
  if (range.from) where.push(gte(auditLog.occurredAt, range.from));
  if (range.before) where.push(lt(auditLog.occurredAt, range.before));
  if (filters.tenant) where.push(eq(tenants.slug, filters.tenant));
  const condition = where.length ? and(...where) : undefined;

  const [{ total }] = await db
    .select({ total: count() })
    .from(auditLog)
    .innerJoin(tenants, eq(tenants.id, auditLog.tenantId))
    .where(condition);
  const pageCount = Math.max(1, Math.ceil(total / pageSize));
  const page = Math.min(filters.page, pageCount);

  const found = await db
    .select({
      tenantId: auditLog.tenantId,
      seq: auditLog.seq,
      tenantSlug: tenants.slug,
      tenantName: tenants.name,
      occurredAt: auditLog.occurredAt,
      actorId: auditLog.actorId,
      actorEmail: auditLog.actorEmail,
      action: auditLog.action,
      targetType: auditLog.targetType,
      targetId: auditLog.targetId,
      outcome: auditLog.outcome,
      requestId: auditLog.requestId,
      details: auditLog.details,
    })
    .from(auditLog)
    .innerJoin(tenants, eq(tenants.id, auditLog.tenantId))
    .where(condition)
    .orderBy(desc(auditLog.occurredAt), desc(auditLog.tenantId), desc(auditLog.seq))
    .limit(pageSize)
    .offset((page - 1) * pageSize);

  const names = await resolveTargetNames(db, [...found, ...keyActorRefs(found)]);
  const rows = found.map((r) => ({ ...r, target: targetName(r, names), actor: actorLabel(r, names) }));
  return { rows, total, page, pageCount };
}

/**
 * Whether the caller can see any audit event at all: holds mssp_admin or
 * tenant_admin on some tenant in scope (the same helper the RLS policy uses).
 * Lets the page say "audit events are for admins" instead of an empty list.
 */
export async function canViewAudit(db: Db): Promise<boolean> {
  const result = await db.execute(
    sql`select exists (select 1 from tenancy.tenant_ids_with_role('{mssp_admin,tenant_admin}')) as ok`,
  );
  return Boolean((result.rows[0] as { ok: boolean }).ok);
}

export interface AuditView extends TenantFilterState {
  /** False when the caller holds no admin role in scope (RLS would show nothing), or the PDP allows audit:view on none of its tenants. */
  allowed: boolean;
  /** Tenants the caller's admin roles reach but the PDP denies audit:view on: their rows are left out (and the page says how many). */
  hiddenTenants: number;
  events: AuditPage;
}

/** What an audit page shows the caller who may not see it: nothing. */
export const AUDIT_REFUSED: AuditView = {
  allowed: false,
  hiddenTenants: 0,
  tenants: [],
  tenantCount: 0,
  tenantFilter: null,
  events: { rows: [], total: 0, page: 1, pageCount: 1 },
};

type AuditableTenant = TenantResource & { slug: string; name: string };

/**
 * The tenants whose rows RLS shows the caller (the policy's own helper), split by the PDP's
 * audit:view on each: one question per 50 tenants (lib/authz batches), as the alert pages ask
 * alerts:read. Asking once for the page (the host, or the caller's first MSSP) let rows through
 * of a tenant whose own policy denies it, and judged a person with two MSSPs on the first alone.
 */
async function auditableTenants(tx: TenantTx): Promise<{ allowed: AuditableTenant[]; denied: AuditableTenant[] }> {
  const { rows } = await tx.client.query<AuditableTenant>(
    `select t.id, t.path::text as path, t.kind, t.status, t.slug, t.name
       from public.tenants t
      where t.id = any (array(select tenancy.tenant_ids_with_role('{mssp_admin,tenant_admin}')))
      order by t.path`,
  );
  if (rows.length === 0) return { allowed: [], denied: [] };
  const decisions = await checkActionsForEach(principalFromClaims(tx.claims), [AUDIT_VIEW_ACTION], rows);
  const may = (t: AuditableTenant) => decisions.get(t.id)?.[AUDIT_VIEW_ACTION] === true;
  return { allowed: rows.filter(may), denied: rows.filter((t) => !may(t)) };
}

/**
 * Everything an audit page renders, in the caller's transaction: the rows of the tenants RLS
 * shows and the PDP allows audit:view on. `hostTenantId`: on a tenant host, its tenant, which
 * must itself be allowed (the page is its trail); on the console, none. Throws PdpUnavailable
 * like every other check.
 */
export async function loadAuditView(
  tx: TenantTx,
  filters: AuditFilters,
  hidden?: HiddenActors,
  timeZone?: string,
  hostTenantId?: string | null,
): Promise<AuditView> {
  // No admin role in scope reads as no tenants here (the same set canViewAudit asks about).
  const { allowed, denied } = await auditableTenants(tx);
  if (allowed.length === 0 || (hostTenantId && !allowed.some((t) => t.id === hostTenantId))) return { ...AUDIT_REFUSED, hiddenTenants: denied.length };
  // The tenant filter's choices (by path): the allowed tenants only, so ?tenant= cannot name a denied one.
  const { listed, ...tenantPicker } = applyTenantFilter(
    filters,
    allowed.map((t) => ({ slug: t.slug, name: t.name })),
  );
  // With nothing denied the policy alone bounds the rows (the common case: the statement stays as it was).
  const only = denied.length > 0 ? allowed.map((t) => t.id) : undefined;
  return {
    allowed: true,
    hiddenTenants: denied.length,
    ...tenantPicker,
    events: await listAuditEvents(tx.db, listed, AUDIT_PAGE_SIZE, hidden, timeZone, only),
  };
}

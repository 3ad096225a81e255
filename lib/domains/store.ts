// Adding, listing, verifying and removing a tenant's custom domains. Writes
// run on the service role (purpose domains.manage) inside the action's
// transaction, after the PDP allowed domains:manage (lib/actions/domains):
// the uniqueness and look-alike checks must see every tenant's domains,
// which the authenticated role cannot list.
import { randomBytes } from "node:crypto";
import type { Db } from "@/lib/db/with-tenant";
import { settings } from "@/lib/config";
import { checkDomainRecords, makeResolver, type DnsCheck } from "./dns";
import { evictDomain } from "./resolve";
import { isRouted, nextState, type DomainStatus } from "./state";
import type { ParsedDomain } from "./validate";

export interface DomainRow {
  id: string;
  tenantId: string;
  domain: string;
  token: string;
  status: DomainStatus;
  createdAt: Date;
  verifiedAt: Date | null;
  lastCheckedAt: Date | null;
  lastCheck: string | null;
  missingSince: Date | null;
}

const COLUMNS = `d.id, d.tenant_id as "tenantId", d.domain, d.token, d.status, d.created_at as "createdAt", d.verified_at as "verifiedAt",
  d.last_checked_at as "lastCheckedAt", d.last_check as "lastCheck", d.missing_since as "missingSince"`;

export const MAX_DOMAINS_PER_TENANT = 20;

export type AddRefusal = "taken" | "own" | "look_alike" | "too_many";
export const ADD_MESSAGES: Record<AddRefusal, string> = {
  taken: "That domain is already in use by another portal. Nothing was added.",
  own: "This portal has that domain already.",
  look_alike: "That domain looks like one another portal uses (a look-alike or homograph). Nothing was added.",
  too_many: `A portal can have at most ${MAX_DOMAINS_PER_TENANT} custom domains. Remove one first.`,
};

/** The tenant's domains, read under RLS in the caller's tenant transaction. */
export async function listDomains(db: Db, tenantId: string): Promise<DomainRow[]> {
  const { rows } = await db.$client.query<DomainRow>(`select ${COLUMNS} from public.custom_domains d where d.tenant_id = $1 order by d.created_at`, [tenantId]);
  return rows;
}

export function newToken(): string {
  return randomBytes(24).toString("base64url");
}

/** Until commit, the only transaction deciding who may hold a domain name: an add, or a domain starting to route. */
async function lockDomainNames(db: Db): Promise<void> {
  await db.$client.query("select pg_advisory_xact_lock(hashtext('domains.add'))");
}

/** Service role: adds `parsed` to the tenant, pending verification. */
export async function addDomain(db: Db, tenantId: string, parsed: ParsedDomain, userId: string): Promise<{ ok: true; row: DomainRow } | { ok: false; reason: AddRefusal }> {
  const c = db.$client;
  // One add at a time across the portal: the look-alike check and the insert see the same set.
  await lockDomainNames(db);
  // Only what a portal has proved (a routed row) reserves a name: another tenant's unverified claim
  // does not (anyone could type anyone's domain), and the first to verify it routes it (applyCheck).
  const { rows: same } = await c.query<{ tenant_id: string; domain: string; routed: boolean }>(
    "select tenant_id, domain, status in ('verified', 'grace') as routed from public.custom_domains where domain = $1 or skeleton = $2",
    [parsed.ascii, parsed.skeleton],
  );
  if (same.some((r) => r.tenant_id === tenantId && r.domain === parsed.ascii)) return { ok: false, reason: "own" };
  const theirs = same.filter((r) => r.tenant_id !== tenantId && r.routed);
  if (theirs.some((r) => r.domain === parsed.ascii)) return { ok: false, reason: "taken" };
  if (theirs.length > 0) return { ok: false, reason: "look_alike" };
  const { rows: n } = await c.query<{ n: number }>("select count(*)::int as n from public.custom_domains where tenant_id = $1", [tenantId]);
  if (n[0].n >= MAX_DOMAINS_PER_TENANT) return { ok: false, reason: "too_many" };
  const { rows } = await c.query<DomainRow>(
    `insert into public.custom_domains as d (tenant_id, domain, skeleton, token, created_by) values ($1, $2, $3, $4, $5) returning ${COLUMNS}`,
    [tenantId, parsed.ascii, parsed.skeleton, newToken(), userId],
  );
  return { ok: true, row: rows[0] };
}

/** Service role: removes a domain of the tenant (and stops routing it everywhere at commit). */
export async function removeDomain(db: Db, tenantId: string, id: string): Promise<string | null> {
  const { rows } = await db.$client.query<{ domain: string; slug: string }>(
    `delete from public.custom_domains d using public.tenants t where d.tenant_id = $1 and d.id = $2 and t.id = d.tenant_id returning d.domain, t.slug`,
    [tenantId, id],
  );
  if (!rows[0]) return null;
  await evictDomain(db.$client, rows[0].slug);
  return rows[0].domain;
}

/** Service role: checks one domain's records now and applies the result. */
export async function verifyDomain(db: Db, tenantId: string, id: string, opts: { now?: Date; check?: (domain: string, token: string) => Promise<DnsCheck> } = {}): Promise<{ row: DomainRow; check: DnsCheck } | null> {
  const { rows } = await db.$client.query<DomainRow>(`select ${COLUMNS} from public.custom_domains d where d.tenant_id = $1 and d.id = $2 for update`, [tenantId, id]);
  const row = rows[0];
  if (!row) return null;
  const check = await (opts.check ?? ((d, t) => checkDomainRecords(d, t)))(row.domain, row.token);
  return { row: await applyCheck(db, row, check, opts.now ?? new Date()), check };
}

/** Service role: writes the state `check` leads to; evicts the caches when routing changes. */
export async function applyCheck(db: Db, row: DomainRow, check: DnsCheck, now: Date): Promise<DomainRow> {
  let next = nextState({ status: row.status, verifiedAt: row.verifiedAt, missingSince: row.missingSince }, check.outcome, now, settings().CUSTOM_DOMAIN_GRACE_HOURS);
  let lastCheck = check.outcome === "ok" && !check.cnameOk ? "cname_missing" : check.outcome;
  if (isRouted(next.status) && !isRouted(row.status) && (await routedElsewhere(db, row))) {
    // Another portal proved it (or a look-alike) first: this one waits, saying so, and routes nothing.
    next = { status: row.status, verifiedAt: row.verifiedAt, missingSince: row.missingSince };
    lastCheck = "taken";
  }
  const { rows } = await db.$client.query<DomainRow>(
    `update public.custom_domains d set status = $3, verified_at = $4, missing_since = $5, last_checked_at = $6, last_check = $7
      where d.tenant_id = $1 and d.id = $2 returning ${COLUMNS}`,
    [row.tenantId, row.id, next.status, next.verifiedAt, next.missingSince, now, lastCheck],
  );
  if (isRouted(row.status) !== isRouted(next.status)) {
    const { rows: t } = await db.$client.query<{ slug: string }>("select slug from public.tenants where id = $1", [row.tenantId]);
    await evictDomain(db.$client, t[0].slug);
  }
  return rows[0];
}

/**
 * Whether another tenant routes this domain or a look-alike of it. Under the lock adds take, so two
 * portals proving look-alikes at once cannot both start routing (the unique index covers exact names).
 */
async function routedElsewhere(db: Db, row: DomainRow): Promise<boolean> {
  await lockDomainNames(db);
  const { rows } = await db.$client.query<{ taken: boolean }>(
    `select exists (select 1 from public.custom_domains o join public.custom_domains me on me.tenant_id = $1 and me.id = $2
                     where o.tenant_id <> me.tenant_id and o.status in ('verified', 'grace')
                       and (o.domain = me.domain or o.skeleton = me.skeleton)) as taken`,
    [row.tenantId, row.id],
  );
  return rows[0].taken;
}

/** The scheduled re-check: every domain that is not pending-and-stale, one resolver for the run. */
export async function recheckAll(db: Db, opts: { now?: Date; resolverAddress?: string } = {}): Promise<Record<DomainStatus, number>> {
  const resolver = makeResolver(opts.resolverAddress);
  const { rows } = await db.$client.query<DomainRow>(
    // Pending domains are checked for a week after they were added; after that only on request.
    `select ${COLUMNS} from public.custom_domains d where d.status <> 'pending' or d.created_at > now() - interval '7 days' order by d.domain for update skip locked`,
  );
  const counts: Record<DomainStatus, number> = { pending: 0, verified: 0, grace: 0, unrouted: 0 };
  for (const row of rows) {
    const check = await checkDomainRecords(row.domain, row.token, resolver);
    const next = await applyCheck(db, row, check, opts.now ?? new Date());
    counts[next.status]++;
  }
  return counts;
}

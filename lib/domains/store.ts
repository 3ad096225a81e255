// Adding, listing, verifying and removing a tenant's custom domains. Writes
// run on the service role (purpose domains.manage) inside the action's
// transaction, after the PDP allowed domains:manage (lib/actions/domains):
// the uniqueness and look-alike checks must see every tenant's domains,
// which the authenticated role cannot list.
//
// Look-alikes (lib/domains/skeleton.ts): a name that looks like one another
// tenant routes (blgcorp.com beside bigcorp.com) routes only with the MSSP's
// approval, whichever of the two proved its name first: the tenant's admin
// cannot add it, and one added before the other started routing is held at
// verification ("look_alike"). Its MSSP's staff who may manage domains on the
// MSSP approve it by adding it for the tenant (a new entry, or the tenant's
// held one, keeping its TXT value); an approved entry then routes on a valid
// TXT record like any other. An exact name another tenant routes stays theirs.
import { randomBytes } from "node:crypto";
import type { Db } from "@/lib/db/with-tenant";
import { settings } from "@/lib/config";
import { checkDomainRecords, type DnsCheck } from "./dns";
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
  /** When the MSSP approved it as a look-alike of a domain another tenant routes; null: not approved. */
  lookAlikeApprovedAt: Date | null;
}

const COLUMNS = `d.id, d.tenant_id as "tenantId", d.domain, d.token, d.status, d.created_at as "createdAt", d.verified_at as "verifiedAt",
  d.last_checked_at as "lastCheckedAt", d.last_check as "lastCheck", d.missing_since as "missingSince", d.lookalike_approved_at as "lookAlikeApprovedAt"`;

export const MAX_DOMAINS_PER_TENANT = 20;

export type AddRefusal = "taken" | "own" | "look_alike" | "too_many";
export const ADD_MESSAGES: Record<AddRefusal, string> = {
  taken: "That domain is already in use by another portal. Nothing was added.",
  own: "This portal has that domain already.",
  look_alike: "That domain looks like one another portal serves (a look-alike or homograph), so only your provider can add it: ask your MSSP to add it for you from their console. Nothing was added.",
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

/**
 * Service role: adds `parsed` to the tenant, pending verification. `mayApproveLookAlike`: the caller
 * may approve a look-alike (domains:manage on the tenant's MSSP, lib/domains/lookalike.ts): one is
 * then added approved, or the tenant's existing unapproved entry of that name is approved
 * (`approved`: "added" or "existing"); without it a look-alike is refused.
 */
export async function addDomain(
  db: Db,
  tenantId: string,
  parsed: ParsedDomain,
  userId: string,
  opts: { mayApproveLookAlike?: boolean } = {},
): Promise<{ ok: true; row: DomainRow; approved: "added" | "existing" | null } | { ok: false; reason: AddRefusal }> {
  const c = db.$client;
  // One add at a time across the portal: the look-alike check and the insert see the same set.
  await lockDomainNames(db);
  // Only what a portal has proved (a routed row) reserves a name: another tenant's unverified claim
  // does not (anyone could type anyone's domain), and the first to verify it routes it (applyCheck).
  const { rows: same } = await c.query<{ id: string; tenant_id: string; domain: string; routed: boolean; approved: boolean }>(
    `select id, tenant_id, domain, status in ('verified', 'grace') as routed, lookalike_approved_at is not null as approved
       from public.custom_domains where domain = $1 or skeleton = $2`,
    [parsed.ascii, parsed.skeleton],
  );
  const mine = same.find((r) => r.tenant_id === tenantId && r.domain === parsed.ascii);
  const theirs = same.filter((r) => r.tenant_id !== tenantId && r.routed);
  const lookAlike = theirs.length > 0 && !theirs.some((r) => r.domain === parsed.ascii);
  if (mine) {
    if (!lookAlike || mine.approved || !opts.mayApproveLookAlike) return { ok: false, reason: "own" };
    const { rows } = await c.query<DomainRow>(
      `update public.custom_domains d set lookalike_approved_by = $3, lookalike_approved_at = now() where d.tenant_id = $1 and d.id = $2 returning ${COLUMNS}`,
      [tenantId, mine.id, userId],
    );
    return { ok: true, row: rows[0], approved: "existing" };
  }
  if (theirs.some((r) => r.domain === parsed.ascii)) return { ok: false, reason: "taken" };
  if (lookAlike && !opts.mayApproveLookAlike) return { ok: false, reason: "look_alike" };
  const { rows: n } = await c.query<{ n: number }>("select count(*)::int as n from public.custom_domains where tenant_id = $1", [tenantId]);
  if (n[0].n >= MAX_DOMAINS_PER_TENANT) return { ok: false, reason: "too_many" };
  const approval = lookAlike ? [userId, new Date()] : [null, null];
  const { rows } = await c.query<DomainRow>(
    `insert into public.custom_domains as d (tenant_id, domain, skeleton, token, created_by, lookalike_approved_by, lookalike_approved_at)
     values ($1, $2, $3, $4, $5, $6, $7) returning ${COLUMNS}`,
    [tenantId, parsed.ascii, parsed.skeleton, newToken(), userId, ...approval],
  );
  return { ok: true, row: rows[0], approved: lookAlike ? "added" : null };
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
  const elsewhere = isRouted(next.status) && !isRouted(row.status) ? await routedElsewhere(db, row) : null;
  if (elsewhere) {
    // Another portal proved it first, or serves a look-alike of an entry the MSSP has not approved:
    // this one waits, saying so, and routes nothing.
    next = { status: row.status, verifiedAt: row.verifiedAt, missingSince: row.missingSince };
    lastCheck = elsewhere === "exact" ? "taken" : "look_alike";
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
 * Whether another tenant routes this domain ("exact") or, unless the MSSP approved this entry, a
 * look-alike of it ("look_alike"); null: neither. Under the lock adds take, so two portals proving
 * look-alikes at once cannot both start routing (the unique index covers exact names).
 */
async function routedElsewhere(db: Db, row: DomainRow): Promise<"exact" | "look_alike" | null> {
  await lockDomainNames(db);
  const { rows } = await db.$client.query<{ exact: boolean; look_alike: boolean }>(
    `select bool_or(o.domain = me.domain) as exact, bool_or(me.lookalike_approved_at is null) as look_alike
       from public.custom_domains o join public.custom_domains me on me.tenant_id = $1 and me.id = $2
      where o.tenant_id <> me.tenant_id and o.status in ('verified', 'grace')
        and (o.domain = me.domain or o.skeleton = me.skeleton)`,
    [row.tenantId, row.id],
  );
  return rows[0].exact ? "exact" : rows[0].look_alike ? "look_alike" : null;
}

/** The domains the scheduled re-check looks at: every one but a pending one added over a week ago (that one only on request). */
const DUE = "(d.status <> 'pending' or d.created_at > now() - interval '7 days')";

export interface DueDomain {
  id: string;
  tenantId: string;
  domain: string;
  token: string;
}

/** Service role: the domains the scheduled re-check looks at, read without a lock (their records are looked up outside any transaction). */
export async function dueDomains(db: Db): Promise<DueDomain[]> {
  const { rows } = await db.$client.query<DueDomain>(`select d.id, d.tenant_id as "tenantId", d.domain, d.token from public.custom_domains d where ${DUE} order by d.domain`);
  return rows;
}

/**
 * Service role, in a short transaction of the caller's: applies a look-up made outside any
 * transaction to one domain, if the row is still there with the same token, still due, not locked by
 * a Verify or Remove running now (skip locked) and not checked since `lookedUpAt` (a fresher result
 * stands). Null: skipped.
 */
export async function applyRecheck(db: Db, due: DueDomain, check: DnsCheck, now: Date, lookedUpAt: Date): Promise<DomainRow | null> {
  const { rows } = await db.$client.query<DomainRow>(
    `select ${COLUMNS} from public.custom_domains d
      where d.tenant_id = $1 and d.id = $2 and d.token = $3 and ${DUE} and (d.last_checked_at is null or d.last_checked_at <= $4)
      for update skip locked`,
    [due.tenantId, due.id, due.token, lookedUpAt],
  );
  return rows[0] ? applyCheck(db, rows[0], check, now) : null;
}

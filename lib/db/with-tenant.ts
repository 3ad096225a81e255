// The one way in to tenant data (DESIGN.md, rule 1).
//
// withTenant runs `fn` in a single transaction that (in one round trip):
//   1. builds the caller's claims with public.custom_access_token_hook,
//   2. stores them with set_config('request.jwt.claims', ..., is_local => true),
//   3. SET LOCAL ROLE authenticated, so every statement in `fn` is under RLS,
//   4. computes the caller's visible tenants once (tenancy.visible_tenant_ids
//      keeps them for the transaction; migration 20261201023600).
// Both settings are transaction-local: COMMIT or ROLLBACK clears them, so a
// pooled connection never carries one caller's claims into the next use.
import { whileHolding } from "./held-connection";
import { drizzle, type NodePgDatabase } from "drizzle-orm/node-postgres";
import type pg from "pg";
import { schema } from "@/drizzle/schema";
import { accessTokenHookEvent, apiKeyTokenEvent, claimsSchema, type ApiKeyStatus, type Caller, type Claims } from "./claims";
import { getPool } from "./pool";
import { log, withLogContext } from "@/lib/log";
import { settings } from "@/lib/config";

export type Db = NodePgDatabase<typeof schema> & { $client: pg.PoolClient };

export interface TenantTx {
  db: Db;
  claims: Claims;
  /** The raw client, for SQL that drizzle cannot express. Still under RLS. */
  client: pg.PoolClient;
  /** How many tenants the caller can see (withTenant's opening counts them as it computes the set). */
  visibleTenantCount?: number;
  /** For an API key caller: how its check ended, and its tenant when the key exists (for the refusal's audit row). */
  apiKey?: { status: ApiKeyStatus; keyTenantId: string | null };
  /**
   * Runs `fn` once the transaction has committed, never if it rolls back: for
   * effects outside the database that must count only what was kept (metrics).
   * Errors in `fn` are logged, not thrown: the work is already committed.
   */
  afterCommit: (fn: () => void) => void;
}

// auth.jwt() and auth.uid() (Supabase's definitions and our compat ones) read
// the legacy per-claim settings first; blank them for this transaction so a
// stale session-level value on a pooled connection cannot stand in for the
// caller's claims. `event` is an escaped literal (see openingSql).
const buildClaimsSql = (event: string) => `
  select set_config('request.jwt.claims',
           (public.custom_access_token_hook(${event}::jsonb) -> 'claims')::text,
           true) as claims,
         set_config('request.jwt.claim', '', true),
         set_config('request.jwt.claim.sub', '', true),
         set_config('request.jwt.claim.role', '', true)`;

// The same for an API key: public.api_key_access_token checks the key (hash,
// expiry, revocation, tenant state) and builds its claims in this transaction.
const buildKeyClaimsSql = (event: string) => `
  with r as (select public.api_key_access_token(${event}::jsonb) as out)
  select set_config('request.jwt.claims', (r.out -> 'claims')::text, true) as claims,
         r.out ->> 'status' as status,
         r.out ->> 'key_tenant_id' as key_tenant_id,
         set_config('request.jwt.claim', '', true),
         set_config('request.jwt.claim.sub', '', true),
         set_config('request.jwt.claim.role', '', true)
    from r`;

/**
 * Every tenant transaction ends any statement that runs longer than this
 * (DB_STATEMENT_TIMEOUT_MS, default 30 s): one runaway query of one tenant
 * cannot hold a connection, and the locks it took, indefinitely. A caller
 * may lower it for its own transaction (the API gateway does).
 */
function statementTimeoutMs(): number {
  return settings().DB_STATEMENT_TIMEOUT_MS;
}

export async function withTenant<T>(caller: Caller, fn: (tx: TenantTx) => Promise<T>): Promise<T> {
  // Every line logged inside (lib/db, lib/vault … included) names the tenant.
  return withLogContext({ tenant_id: caller.activeTenantId ?? undefined }, () => tenantTransaction(caller, fn));
}

/**
 * The whole opening of a tenant transaction as ONE simple-protocol round trip
 * (begin; statement timeout; claims; role) instead of four: every page and
 * API call pays it, and on a busy host each round trip is most of a
 * millisecond (npm run bench, --only=config). A simple query cannot take
 * parameters, so the hook's event goes in as a literal escaped by the driver
 * (escapeLiteral doubles quotes and backslashes: the JSON stays one string
 * constant whatever a caller's email holds). If any statement fails, the
 * server skips the rest and inTransaction rolls back.
 */
function openingSql(client: pg.PoolClient, caller: Caller): string {
  const event = client.escapeLiteral(
    JSON.stringify(caller.apiKey ? apiKeyTokenEvent({ ...caller, apiKey: caller.apiKey }) : accessTokenHookEvent(caller)),
  );
  return [
    "begin",
    // SET LOCAL: ends with the transaction, like the claims and the role.
    `set local statement_timeout = ${statementTimeoutMs()}`,
    caller.apiKey ? buildKeyClaimsSql(event) : buildClaimsSql(event),
    "set local role authenticated",
    // The caller's visible tenants, computed once for the whole transaction
    // (migration 20261201023600 keeps them with the claims they were computed
    // for): every policy's InitPlan then reads them instead of recomputing them
    // per statement and table. In the same round trip as the rest. As the array the policies read
    // (migration 20261201027000): counting it costs nothing, unnesting an MSSP's 1,600 ids did.
    "select cardinality(tenancy.visible_ids()) as count",
  ].join(";\n");
}

/**
 * A person's claims alone (memberships, and the active tenant if one of them
 * covers it), from the same hook withTenant opens with, in one statement and no
 * transaction: for what only says who the caller is and where they may go (the
 * 403 page's links), never to read tenant data, which goes through withTenant.
 * A tenant transaction costs the hook plus the role and the visible set over two
 * round trips; every page pays this one (Next renders app/forbidden.tsx with each page).
 */
export async function callerClaims(caller: Caller): Promise<Claims> {
  if (caller.apiKey) throw new TypeError("callerClaims is for people; an API key's claims come with its check in withTenant");
  const { rows } = await getPool().query<{ claims: unknown }>(
    "select public.custom_access_token_hook($1::jsonb) -> 'claims' as claims",
    [JSON.stringify(accessTokenHookEvent(caller))],
  );
  return claimsSchema.parse(rows[0]?.claims);
}

type ClaimsRow = { claims: string; status?: string; key_tenant_id?: string | null };
type CountRow = { count: string };

/** For a TenantTx made over another transaction (a service-role one, a bench's owner side): no after-commit effects there. */
export function refuseAfterCommit(): never {
  throw new TypeError("afterCommit is only available in a withTenant transaction");
}

async function tenantTransaction<T>(caller: Caller, fn: (tx: TenantTx) => Promise<T>): Promise<T> {
  let opened: ClaimsRow | undefined;
  let visibleTenantCount = 0;
  const committed: (() => void)[] = [];
  const afterCommit = (f: () => void) => void committed.push(f);
  const result = await inTransaction(
    async (client) => {
      const claims = claimsSchema.parse(JSON.parse(opened!.claims));
      const apiKey: TenantTx["apiKey"] = caller.apiKey
        ? { status: opened!.status as NonNullable<TenantTx["apiKey"]>["status"], keyTenantId: opened!.key_tenant_id ?? null }
        : undefined;
      return fn({ db: drizzle(client, { schema }) as Db, claims, client, visibleTenantCount, afterCommit, ...(apiKey ? { apiKey } : {}) });
    },
    async (client) => {
      // A multi-statement simple query answers one result per statement: the claims are the third.
      const results = (await client.query(openingSql(client, caller))) as unknown as pg.QueryResult[];
      opened = results[2].rows[0] as ClaimsRow;
      visibleTenantCount = Number((results[4].rows[0] as CountRow).count);
    },
  );
  for (const f of committed) {
    try {
      f();
    } catch (error) {
      log.error({ event: "db.after-commit-failed", err: error }, "an after-commit effect failed; the transaction is committed");
    }
  }
  return result;
}

/**
 * Runs `fn` in a transaction on a pooled connection, committing on success
 * and rolling back on any error. A connection whose rollback fails is
 * destroyed rather than returned to the pool in an unknown state.
 */
export async function inTransaction<T>(
  fn: (client: pg.PoolClient) => Promise<T>,
  /** Starts the transaction (default: begin). withTenant's also sets the claims and role in the same round trip. */
  open: (client: pg.PoolClient) => Promise<unknown> = (client) => client.query("begin"),
): Promise<T> {
  const client = await getPool().connect();
  let destroy = false;
  try {
    await open(client);
    const result = await whileHolding(() => fn(client));
    await client.query("commit");
    return result;
  } catch (error) {
    try {
      await client.query("rollback");
    } catch {
      destroy = true;
    }
    throw error;
  } finally {
    client.release(destroy);
  }
}

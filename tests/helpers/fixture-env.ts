// The environment most integration files run in: the stock PDP (CERBOS_URL
// pointing at it), a fresh database with the shared fixtures, and both gone
// again after the file. Without it every such file declared the same `let db`
// / `let fx` / `let pdp`, the same before and after, and the same small
// lambdas over them (an owner query, withTenant as a fixture user, a person
// to sign in as).
//
// Call it at module level (or in a describe). A file's own set-up goes in
// env.before, not a plain `before`: at the top level node:test starts all
// `before` hooks together, so a plain one would race the database's creation.
// `after` hooks run one by one in registration order, so the database is
// dropped before a file's own `after`; anything that must end first (an owner
// connection, a server on the app pool) goes in `beforeDrop`.
import { after, before } from "node:test";
import type pg from "pg";
import type { TenantTx } from "@/lib/db/with-tenant";
import { ensureCerbos, type CerbosServer } from "@/scripts/lib/cerbos";
// Type only: actions.ts loads Next's modules, which some files must set up first.
import type { Person } from "./actions";
import { emailOf, insertFixtures, type Fixtures, type TenantSlug, type UserName } from "./fixtures";
import { as } from "./sql";
import { createTestDatabase, ownerQuery, type TestDatabase } from "./test-database";

export interface FixtureEnvOptions {
  /** Ends what the file opened on the database (an owner client, a server) before it is dropped. */
  beforeDrop?: () => unknown;
}

export interface FixtureEnv {
  /** The file's database; read it in a hook or a test, not at module level. */
  readonly db: TestDatabase;
  readonly fx: Fixtures;
  /** The stock PDP, which CERBOS_URL points at unless the file points it elsewhere. */
  readonly pdp: CerbosServer;
  /** One query as the owner (RLS does not apply); its rows. */
  owner<R extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, params?: unknown[]): Promise<R[]>;
  /** withTenant as a fixture user, with `active` as the active tenant (none when omitted); commits. */
  as<T>(user: UserName, fn: (tx: TenantTx) => Promise<T>, active?: TenantSlug): Promise<T>;
  /** A fixture user as sessionCookie, enrolMfa and inRequest take them. */
  person(user: UserName): Person;
  /** The file's own `before` hook, run once the environment is ready. */
  before(fn: () => Promise<unknown> | unknown): void;
}

/** Registers the before/after hooks that set the environment up and take it down; see the header. */
export function useFixtureEnv(opts: FixtureEnvOptions = {}): FixtureEnv {
  let db: TestDatabase | undefined;
  let fx: Fixtures | undefined;
  let pdp: CerbosServer | undefined;
  let settled: { ok: () => void; failed: (error: unknown) => void };
  const ready = new Promise<void>((ok, failed) => (settled = { ok, failed }));
  // A set-up failure is reported by the hook below; a file without env.before never awaits this.
  ready.catch(() => {});
  // A clear failure for a read before `before` ran, instead of "cannot read properties of undefined".
  const readied = <T>(value: T | undefined, name: string): T => {
    if (value === undefined) throw new Error(`fixture env: ${name} is read before its before hook ran`);
    return value;
  };

  before(async () => {
    try {
      pdp = await ensureCerbos({ quiet: true });
      process.env.CERBOS_URL = pdp.url;
      db = await createTestDatabase();
      fx = await insertFixtures(db.url);
      settled.ok();
    } catch (error) {
      settled.failed(error);
      throw error;
    }
  });
  after(async () => {
    await opts.beforeDrop?.();
    await db?.drop();
    await pdp?.stop();
  });

  const env: FixtureEnv = {
    get db() {
      return readied(db, "db");
    },
    get fx() {
      return readied(fx, "fx");
    },
    get pdp() {
      return readied(pdp, "pdp");
    },
    owner: (sql, params = []) => ownerQuery(env.db.url, sql, params),
    as: (user, fn, active) => as(env.fx, user, fn, active),
    person: (user) => ({ id: env.fx.users[user], email: emailOf(user), name: user }),
    before: (fn) =>
      before(async () => {
        await ready;
        await fn();
      }),
  };
  return env;
}

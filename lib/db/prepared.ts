// Named statements: the few a signed-in page sends on every request, which
// each pooled connection then parses and plans once instead of at every call.
//
// Why: an unnamed statement is parsed, rewritten and planned at each call, and
// through RLS the rewrite and the plan include every policy of every table it
// reads. For the alert list's assignee picker that was 0.41 ms of planning
// against 0.20 ms of running it (the load bench's per-statement figures,
// pg_stat_statements with planning tracked). A named statement is prepared
// once per connection; after five runs Postgres keeps a generic plan when it
// costs no more than the custom ones, so only statements whose best plan does
// not depend on their parameters' values belong here (a lookup by id, a
// caller's own rows), never a list whose plan depends on a tenant's size.
//
// RLS is unchanged: the policies are part of the plan and their helpers read
// the transaction's claims when the statement runs, not when it was planned,
// and Postgres plans again if the role differs (tests/prepared-statements.test.ts
// runs one on one connection for two tenants' callers in turn).
import type pg from "pg";

const texts = new Map<string, string>();

/**
 * A statement sent under `name` (unique in the process: the driver refuses a
 * name that a connection already prepared with another text).
 */
export function namedStatement(name: string, text: string): (values?: unknown[]) => pg.QueryConfig {
  const known = texts.get(name);
  if (known !== undefined && known !== text) throw new Error(`named statement ${name} is defined twice with different texts`);
  texts.set(name, text);
  return (values) => ({ name, text, values });
}

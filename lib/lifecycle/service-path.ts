// The lifecycle's one way past RLS: the named service-role path
// "lifecycle.workflow" (lib/db/service-role.ts). Used only after the PDP
// allowed the action (console), by an operator's command, or by a workflow
// that re-checked its creator's permission before it ran.
import { withServiceRole, withServiceRoleIn } from "@/lib/db/service-role";
import type { Db } from "@/lib/db/with-tenant";

export function withLifecycle<T>(fn: (db: Db) => Promise<T>): Promise<T> {
  return withServiceRole("lifecycle.workflow", fn);
}

/**
 * The same path on the connection a page's transaction already holds: asking the pool for a second
 * connection while holding one can starve it under load (lib/db/held-connection.ts).
 */
export function withLifecycleIn<T>(db: Db, fn: (db: Db) => Promise<T>): Promise<T> {
  return withServiceRoleIn("lifecycle.workflow", db, fn);
}

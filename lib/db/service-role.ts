// The named service-role path (DESIGN.md: "Service role ... used only by jobs
// that must cross tenants by design ... each in a named module"). Each caller
// names its purpose from the closed list below, so `grep withServiceRole` is
// the complete inventory of RLS-bypassing code.
import { drizzle } from "drizzle-orm/node-postgres";
import { schema } from "@/drizzle/schema";
import type { Db } from "./with-tenant";
import { inTransaction } from "./with-tenant";

export type ServicePurpose =
  /** Credential check before any user is known (lib/auth/credentials.ts). */
  | "auth.sign-in"
  /** Host -> tenant resolution for the proxy and the 404 page (lib/tenancy/resolve-host.ts). */
  | "tenancy.resolve-host"
  /** The second factor: TOTP secrets, recovery codes, code lockout, whether MFA is required (lib/auth/mfa.ts). */
  | "auth.mfa"
  /** Session records: created at sign-in, revoked at sign-out and on password, MFA and membership changes (lib/auth/sessions.ts). */
  | "auth.session"
  /** Auth events into the audit trail of each tenant the user is a member of, before or without a session (lib/auth/events.ts). */
  | "auth.events"
  /** Audit rows of denied attempts, written outside the refused transaction; and the chain verifier (lib/audit). */
  | "audit.record-denied"
  | "audit.verify"
  /** An invitation link opened before sign-in, and the account an invitee creates (lib/team/accept.ts). */
  | "team.invitation"
  /** Tenant keys: unwrap a DEK for the key cache, key status, KEK rotation, crypto-shredding (lib/vault/keys.ts). */
  | "vault.keys"
  /** Durable jobs: claim, heartbeat, finish; and the handlers that re-seal a tenant's credentials (lib/jobs). */
  | "jobs.worker"
  /** Tenant lifecycle workflows: provision, suspend, move, offboard and purge across the tree (lib/lifecycle). */
  | "lifecycle.workflow"
  /** Export, restore and import of one tenant's rows (lib/lifecycle/archive). */
  | "lifecycle.archive"
  /** Shared rate-limit buckets, counted before any user is known (lib/ratelimit). */
  | "ratelimit";

export async function withServiceRole<T>(purpose: ServicePurpose, fn: (db: Db) => Promise<T>): Promise<T> {
  return inTransaction(async (client) => {
    await client.query(
      "select set_config('request.jwt.claims', $1, true), set_config('application_name', $2, true)",
      [JSON.stringify({ role: "service_role" }), `service:${purpose}`],
    );
    await client.query("set local role service_role");
    return fn(drizzle(client, { schema }) as Db);
  });
}

// The portal logs in as portal_app (supabase/migrations/…0700_portal_app_role):
// no ownership, no table rights, only the right to switch to anon,
// authenticated or service_role and to call the access-token hook. The
// migration creates it NOLOGIN; the databases this repository runs itself
// (embedded dev, tests, e2e) give it a password here and hand the app a URL
// that logs in as it. Migrations, the demo seed and the operator commands
// keep the owner's URL.
import { createHash, createHmac, pbkdf2Sync, randomBytes } from "node:crypto";
import pg from "pg";
import { sqlState } from "@/lib/db/sql-state";

export const APP_ROLE = "portal_app";

/** `url` with its user and password replaced. */
export function urlAs(url: string, user: string, password: string): string {
  const u = new URL(url);
  u.username = encodeURIComponent(user);
  u.password = encodeURIComponent(password);
  return u.toString();
}

/**
 * The SCRAM-SHA-256 verifier Postgres stores for `password` (RFC 5802/7677,
 * the format of pg_authid.rolpassword). ALTER ROLE … PASSWORD accepts it in
 * place of the password, so the plaintext is never in the statement: a
 * server that logs every statement (the e2e one does) logs only this.
 */
export function scramVerifier(password: string, salt = randomBytes(16), iterations = 4096): string {
  const salted = pbkdf2Sync(password.normalize("NFKC"), salt, iterations, 32, "sha256");
  const clientKey = createHmac("sha256", salted).update("Client Key").digest();
  const storedKey = createHash("sha256").update(clientKey).digest();
  const serverKey = createHmac("sha256", salted).update("Server Key").digest();
  return `SCRAM-SHA-256$${iterations}:${salt.toString("base64")}$${storedKey.toString("base64")}:${serverKey.toString("base64")}`;
}

/**
 * Lets `role` (portal_app by default) log in with `password` (a fresh random
 * one by default) and returns the URL of `ownerUrl`'s database as that role. The database must
 * be migrated (the role is made by a migration). Roles belong to the cluster:
 * two processes doing this at once can collide ("tuple concurrently
 * updated", XX000), so that is retried.
 */
export async function enableAppLogin(ownerUrl: string, password = randomBytes(24).toString("base64url"), role = APP_ROLE): Promise<string> {
  const client = new pg.Client({ connectionString: ownerUrl });
  await client.connect();
  try {
    // ALTER ROLE takes no bind parameters: the verifier goes in as an escaped
    // literal, and the password itself never leaves this process.
    const statement = `alter role ${client.escapeIdentifier(role)} login password ${client.escapeLiteral(scramVerifier(password))}`;
    for (let attempt = 1; ; attempt++) {
      try {
        await client.query(statement);
        break;
      } catch (error) {
        if (sqlState(error) !== "XX000" || attempt >= 5) throw error;
        await new Promise((r) => setTimeout(r, 50 * attempt));
      }
    }
  } finally {
    await client.end();
  }
  return urlAs(ownerUrl, role, password);
}

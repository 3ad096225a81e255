// How every connection the portal opens to Postgres is configured: the app
// pool, the job engine's pool, the key-event listener, migrations and the job
// engine's install. The link carries unwrapped tenant data keys (query
// results of keyring.unwrap_dek) and every tenant's rows, so it can be made
// to refuse anything but TLS:
//
//   DATABASE_TLS unset         DATABASE_URL decides (sslmode=verify-full plus
//                              sslrootcert=<file> in the URL works as in libpq)
//   DATABASE_TLS=require       TLS or no connection; the certificate is not checked
//                              (stops passive reading, not an active man in the middle)
//   DATABASE_TLS=verify-full   TLS, the certificate must chain to
//                              DATABASE_TLS_CA_FILE (or the system CAs) and name the
//                              host in DATABASE_URL
//
// With DATABASE_TLS set, sslmode and friends are taken out of the URL (pg
// lets the URL override explicit options, so a stray sslmode=disable would
// otherwise win); lib/config refuses a URL whose sslmode allows plaintext.
import { readFileSync } from "node:fs";
import type { ConnectionOptions } from "node:tls";
import type pg from "pg";
import { settings, type Settings } from "@/lib/config";

const URL_TLS_PARAMS = ["sslmode", "ssl", "sslrootcert", "sslcert", "sslkey", "sslpassword", "uselibpqcompat"];

/** Thrown when the database connection's TLS is not what DATABASE_TLS asks for. */
export class DatabaseTlsError extends Error {
  readonly code = "DB_TLS";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "DatabaseTlsError";
  }
}

/** The pg options for `url` under the TLS settings: spread into new pg.Client/pg.Pool options. */
export function pgConnectionConfig(url: string, s: Settings = settings()): { connectionString: string; ssl?: ConnectionOptions } {
  const mode = s.DATABASE_TLS;
  if (!mode) return { connectionString: url };
  const u = new URL(url);
  const rootCert = u.searchParams.get("sslrootcert");
  const clientCert = u.searchParams.get("sslcert");
  const clientKey = u.searchParams.get("sslkey");
  for (const p of URL_TLS_PARAMS) u.searchParams.delete(p);
  const caFile = s.DATABASE_TLS_CA_FILE ?? rootCert ?? undefined;
  const ssl: ConnectionOptions =
    mode === "verify-full"
      ? { rejectUnauthorized: true, ...(caFile ? { ca: readFile(caFile, s.DATABASE_TLS_CA_FILE ? "DATABASE_TLS_CA_FILE" : "sslrootcert") } : {}) }
      : { rejectUnauthorized: false };
  // A client certificate given in the URL still goes with the connection.
  if (clientCert) ssl.cert = readFile(clientCert, "sslcert");
  if (clientKey) ssl.key = readFile(clientKey, "sslkey");
  return { connectionString: u.toString(), ssl };
}

function readFile(file: string, what: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (error) {
    throw new DatabaseTlsError(`${what} ${file} cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, { cause: error });
  }
}

/** Where `url` points, for messages (never its password). */
function where(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || "5432"}`;
  } catch {
    return "the database";
  }
}

/**
 * A connection error that is about TLS, as a DatabaseTlsError saying what is
 * wrong and what to change; null for any other error.
 */
export function describeTlsError(error: unknown, url: string, s: Settings = settings()): DatabaseTlsError | null {
  if (!(error instanceof Error)) return null;
  if (error instanceof DatabaseTlsError) return error;
  const code = (error as NodeJS.ErrnoException).code ?? "";
  const at = where(url);
  const mode = s.DATABASE_TLS ?? "the sslmode in DATABASE_URL";
  if (/does not support SSL/i.test(error.message)) {
    return new DatabaseTlsError(
      `Postgres at ${at} does not offer TLS, and DATABASE_TLS=${mode} refuses to connect in plaintext (tenant data and unwrapped keys travel on this link): turn on ssl on the server`,
      { cause: error },
    );
  }
  if (code === "ERR_TLS_CERT_ALTNAME_INVALID") {
    return new DatabaseTlsError(`Postgres at ${at} presented a certificate for another host name (${mode}): connect by a name the certificate lists`, { cause: error });
  }
  if (
    ["SELF_SIGNED_CERT_IN_CHAIN", "DEPTH_ZERO_SELF_SIGNED_CERT", "UNABLE_TO_VERIFY_LEAF_SIGNATURE", "UNABLE_TO_GET_ISSUER_CERT_LOCALLY", "CERT_SIGNATURE_FAILURE", "CERT_UNTRUSTED"].includes(code)
  ) {
    return new DatabaseTlsError(
      `Postgres at ${at} presented a certificate that does not chain to ${s.DATABASE_TLS_CA_FILE ? `DATABASE_TLS_CA_FILE (${s.DATABASE_TLS_CA_FILE})` : "a trusted CA"} (${code})`,
      { cause: error },
    );
  }
  if (code === "CERT_HAS_EXPIRED" || code === "CERT_NOT_YET_VALID") {
    return new DatabaseTlsError(`Postgres at ${at} presented a certificate that is not valid now (${code})`, { cause: error });
  }
  return null;
}

/**
 * At server start, with DATABASE_TLS set: open one connection and check it
 * is encrypted. Rejects with a DatabaseTlsError when TLS is missing or
 * unverifiable; resolves otherwise (other connection errors are left to the
 * pool, which retries per request: a database still starting is not a
 * configuration error).
 */
export async function checkDatabaseTls(pgModule: typeof pg, url: string, s: Settings = settings()): Promise<"off" | "encrypted" | "unreachable"> {
  if (!s.DATABASE_TLS) return "off";
  const client = new pgModule.Client({ ...pgConnectionConfig(url, s), connectionTimeoutMillis: 10_000 });
  client.on("error", () => {});
  try {
    await client.connect();
  } catch (error) {
    const tls = describeTlsError(error, url, s);
    if (tls) throw tls;
    return "unreachable";
  }
  try {
    const { rows } = await client.query<{ ssl: boolean | null }>("select ssl from pg_stat_ssl where pid = pg_backend_pid()");
    if (rows[0]?.ssl !== true) throw new DatabaseTlsError(`The connection to ${where(url)} is not encrypted although DATABASE_TLS=${s.DATABASE_TLS}`);
    return "encrypted";
  } finally {
    await client.end().catch(() => {});
  }
}

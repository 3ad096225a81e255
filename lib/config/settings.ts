// Every setting the portal reads from its environment, in one zod schema:
// type, default, allowed range, and an error that names the variable and the
// value it got. A wrong value stops the server at start (instrumentation.ts,
// scripts/portal.ts) instead of quietly meaning something else later: before
// this, VAULT_KEY_CACHE_TTL_MS=abc became NaN and cached tenant keys never
// expired.
//
// Modules read typed values through settings(), never process.env. It parses
// once and reparses only when one of these variables changes (scripts and
// tests set DATABASE_URL or CERBOS_URL after start), so a value is never
// stale and the parse is not repeated per call.
//
// Adding a variable: one entry in SHAPE (with its doc line), one row in
// docs/deployment.md's table, and a case in tests/config.test.ts when it has a
// range. Next's own variables (NEXT_RUNTIME, NEXT_PHASE …) are not settings.
import { z } from "zod";
import { collectorDeploymentConfigFromEnv } from "@/lib/collector/deployment";
import { isolationConfigFromEnv } from "@/lib/lifecycle/isolation/config";

export type Env = Record<string, string | undefined>;

const show = (raw: string) => `'${raw.length > 80 ? `${raw.slice(0, 77)}...` : raw}'`;

/** An unset or blank variable is "not set": `FOO=` in a .env file means the default. */
const blank = (raw: string | undefined): raw is undefined => raw === undefined || raw.trim() === "";

/** A whole number in [min, max], `fallback` when unset. */
function whole(name: string, opts: { min: number; max?: number; fallback: number; unit?: string }) {
  const what = `${name} must be a whole number${opts.unit ? ` of ${opts.unit}` : ""} ≥ ${opts.min}${opts.max !== undefined ? ` and ≤ ${opts.max}` : ""}`;
  return z
    .string()
    .optional()
    .transform((raw, ctx) => {
      if (blank(raw)) return opts.fallback;
      const text = raw.trim();
      const n = Number(text);
      if (!/^\d+$/.test(text) || n < opts.min || (opts.max !== undefined && n > opts.max)) {
        ctx.addIssue({ code: "custom", message: `${what}, got ${show(raw)}` });
        return z.NEVER;
      }
      return n;
    });
}

/** Same as whole(), but unset stays undefined (the reader picks a default that depends on another setting). */
function wholeOrUnset(name: string, opts: { min: number; max?: number; unit?: string }) {
  return z
    .string()
    .optional()
    .transform((raw, ctx): number | undefined => {
      if (blank(raw)) return undefined;
      const parsed = whole(name, { ...opts, fallback: 0 }).safeParse(raw);
      if (!parsed.success) {
        for (const issue of parsed.error.issues) ctx.addIssue({ code: "custom", message: issue.message });
        return z.NEVER;
      }
      return parsed.data;
    });
}

/** One of `values` (case-insensitive), `fallback` when unset. */
function oneOf<const T extends readonly string[]>(name: string, values: T, fallback: T[number] | undefined, hint = "") {
  return z
    .string()
    .optional()
    .transform((raw, ctx): T[number] | undefined => {
      if (blank(raw)) return fallback;
      const v = raw.trim().toLowerCase();
      if (!(values as readonly string[]).includes(v)) {
        ctx.addIssue({ code: "custom", message: `${name} must be one of ${values.join(", ")}${hint}, got ${show(raw)}` });
        return z.NEVER;
      }
      return v as T[number];
    });
}

/** Free text, trimmed; undefined when unset. */
const text = () =>
  z
    .string()
    .optional()
    .transform((raw) => (blank(raw) ? undefined : raw.trim()));

/** A flag: "1"/"true"/"yes"/"on" or "0"/"false"/"no"/"off". */
function flag(name: string, fallback: boolean) {
  return z
    .string()
    .optional()
    .transform((raw, ctx) => {
      if (blank(raw)) return fallback;
      const v = raw.trim().toLowerCase();
      if (["1", "true", "yes", "on"].includes(v)) return true;
      if (["0", "false", "no", "off"].includes(v)) return false;
      ctx.addIssue({ code: "custom", message: `${name} must be 1 or 0, got ${show(raw)}` });
      return z.NEVER;
    });
}

/** An absolute URL with one of the given protocols; undefined when unset. */
function url(name: string, protocols: string[], example: string) {
  return z
    .string()
    .optional()
    .transform((raw, ctx) => {
      if (blank(raw)) return undefined;
      let u: URL;
      try {
        u = new URL(raw.trim());
      } catch {
        ctx.addIssue({ code: "custom", message: `${name} must be a URL such as ${example}, got ${redactedUrl(raw)}` });
        return z.NEVER;
      }
      if (!protocols.includes(u.protocol)) {
        ctx.addIssue({ code: "custom", message: `${name} must start with ${protocols.map((p) => `${p}//`).join(" or ")}, got ${redactedUrl(raw)}` });
        return z.NEVER;
      }
      return raw.trim();
    });
}

/** A URL for an error message: never its password. */
function redactedUrl(raw: string): string {
  return show(raw.replace(/\/\/([^:/@]*):[^@/]*@/, "//$1:***@"));
}

const HOSTNAME = /^(?=.{1,253}$)([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*$/;
const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
/** How the database connection must be encrypted (lib/db/connection.ts); unset leaves it to DATABASE_URL's sslmode. */
export const DATABASE_TLS_MODES = ["require", "verify-full"] as const;

// The shape, variable by variable. Each line says what it is for; the long
// form is in docs/deployment.md.
const SHAPE = {
  NODE_ENV: z.string().optional(),

  // The database (lib/db): the connection, its encryption, and the pools.
  DATABASE_URL: url("DATABASE_URL", ["postgres:", "postgresql:"], "postgres://portal_app:…@db.example:5432/portal"),
  /** require: TLS or no connection; verify-full: and the certificate must chain to DATABASE_TLS_CA_FILE (or the system CAs) and name the host. */
  DATABASE_TLS: oneOf("DATABASE_TLS", DATABASE_TLS_MODES, undefined, " (or unset: DATABASE_URL's sslmode decides)"),
  DATABASE_TLS_CA_FILE: text(),
  DB_POOL_MAX: whole("DB_POOL_MAX", { min: 1, max: 1000, fallback: 10 }),
  DB_POOL_CONNECT_TIMEOUT_MS: whole("DB_POOL_CONNECT_TIMEOUT_MS", { min: 1, fallback: 10_000, unit: "milliseconds" }),
  /** Every withTenant transaction: a statement running longer is cancelled (0: no limit). The API gateway uses API_STATEMENT_TIMEOUT_MS. */
  DB_STATEMENT_TIMEOUT_MS: whole("DB_STATEMENT_TIMEOUT_MS", { min: 0, fallback: 30_000, unit: "milliseconds" }),
  API_STATEMENT_TIMEOUT_MS: whole("API_STATEMENT_TIMEOUT_MS", { min: 1, fallback: 10_000, unit: "milliseconds" }),
  /** Bytes of API request bodies this process holds at once, all tenants together (lib/api/gateway/body-budget.ts); at least 16 MiB. */
  API_BODY_BUDGET_BYTES: whole("API_BODY_BUDGET_BYTES", { min: 16 * 1024 * 1024, fallback: 128 * 1024 * 1024, unit: "bytes" }),
  /** The same for one tenant's requests; at least 16 MiB (the largest body an endpoint takes). */
  API_TENANT_BODY_BUDGET_BYTES: whole("API_TENANT_BODY_BUDGET_BYTES", { min: 16 * 1024 * 1024, fallback: 32 * 1024 * 1024, unit: "bytes" }),
  /** Tests: a second pooled connection asked for while one is held is logged (warn) or fails (throw); unset: not checked (lib/db/held-connection.ts). */
  DB_HOLD_AND_WAIT: oneOf("DB_HOLD_AND_WAIT", ["warn", "throw"] as const, undefined, " (or unset: not checked)"),

  // The Prometheus endpoint (lib/metrics, docs/metrics.md): unset, /metrics answers 404.
  /** Bearer token a scraper sends to /metrics; at least 32 characters. */
  METRICS_TOKEN: z
    .string()
    .optional()
    .transform((raw, ctx) => {
      if (blank(raw)) return undefined;
      if (raw.trim().length < 32) {
        ctx.addIssue({ code: "custom", message: "METRICS_TOKEN must be at least 32 characters (openssl rand -hex 32), got a shorter one" });
        return z.NEVER;
      }
      return raw.trim();
    }),
  /** Tenants given their own label in per-tenant series; the rest count as "other". */
  METRICS_TENANT_LABELS: whole("METRICS_TENANT_LABELS", { min: 1, max: 200, fallback: 20 }),

  // Sessions and sign-in (lib/auth).
  NEXTAUTH_SECRET: text(),
  AUTH_TRUST_HOST: text(),
  TRUST_PROXY: z
    .string()
    .optional()
    .transform((raw, ctx) => {
      if (blank(raw)) return 0;
      if (!/^\d{1,2}$/.test(raw.trim())) {
        ctx.addIssue({
          code: "custom",
          message: `TRUST_PROXY must be the number of proxies in front of the portal that append to X-Forwarded-For (0 to trust none), got ${show(raw)}`,
        });
        return z.NEVER;
      }
      return Number(raw.trim());
    }),
  SIGNIN_LIMIT_PER_MINUTE: whole("SIGNIN_LIMIT_PER_MINUTE", { min: 1, fallback: 30 }),
  /** Default: SIGNIN_LIMIT_PER_MINUTE. */
  SIGNIN_BURST: wholeOrUnset("SIGNIN_BURST", { min: 1 }),
  SIGNIN_CONCURRENCY: whole("SIGNIN_CONCURRENCY", { min: 1, max: 1024, fallback: 4 }),
  /** The absolute lifetime of a session from sign-in; reading it never extends it (lib/auth/sessions.ts). */
  SESSION_MAX_AGE_HOURS: whole("SESSION_MAX_AGE_HOURS", { min: 1, max: 720, fallback: 12, unit: "hours" }),
  /** A session unused this long ends (0: no idle limit). */
  SESSION_IDLE_MINUTES: whole("SESSION_IDLE_MINUTES", { min: 0, max: 43_200, fallback: 60, unit: "minutes" }),

  // Hosts and links (lib/tenancy).
  PORTAL_DOMAIN: z
    .string()
    .optional()
    .transform((raw, ctx) => {
      if (blank(raw)) return "localhost";
      const v = raw.trim().toLowerCase().replace(/\.$/, "");
      if (!HOSTNAME.test(v)) {
        ctx.addIssue({ code: "custom", message: `PORTAL_DOMAIN must be a host name such as mssp.example (no scheme, port or path), got ${show(raw)}` });
        return z.NEVER;
      }
      return v;
    }),
  PORTAL_PUBLIC_PORT: wholeOrUnset("PORTAL_PUBLIC_PORT", { min: 1, max: 65535 }),
  PORTAL_PROTOCOL: oneOf("PORTAL_PROTOCOL", ["http", "https"] as const, undefined),

  // Custom domains (lib/domains, docs/white-label.md).
  /** The host name a customer's custom domain points its CNAME at (e.g. domains.mssp.example); unset: PORTAL_DOMAIN's console host. */
  CUSTOM_DOMAIN_CNAME_TARGET: text(),
  /** The DNS server verification asks, host:port (e.g. 127.0.0.1:5353); unset: the system's resolvers. */
  DNS_RESOLVER: text(),
  /** How long a verified domain whose TXT record has gone keeps routing before it is unrouted. */
  CUSTOM_DOMAIN_GRACE_HOURS: whole("CUSTOM_DOMAIN_GRACE_HOURS", { min: 0, max: 720, fallback: 72, unit: "hours" }),
  /** The secret the TLS terminator's on-demand `ask` URL carries (/api/tls/ask?secret=…, deploy/caddy/Caddyfile); at least 32 characters. Unset: the ask endpoint answers 404 to every question. */
  TLS_ASK_SECRET: z
    .string()
    .optional()
    .transform((raw, ctx) => {
      if (blank(raw)) return undefined;
      if (raw.trim().length < 32 || /[^A-Za-z0-9_-]/.test(raw.trim())) {
        ctx.addIssue({ code: "custom", message: "TLS_ASK_SECRET must be at least 32 letters, digits, - or _ (openssl rand -hex 32), got another value" });
        return z.NEVER;
      }
      return raw.trim();
    }),
  /**
   * Whether the ask endpoint says yes to the portal's own hosts (the console, <slug>.<PORTAL_DOMAIN>). Set 0 when
   * a wildcard certificate serves them (deploy/caddy/Caddyfile.wildcard): Caddy then never obtains a certificate per
   * tenant subdomain on demand (Let's Encrypt's weekly limit per registered domain). Custom domains are unaffected.
   */
  TLS_ASK_PORTAL_SUBDOMAINS: flag("TLS_ASK_PORTAL_SUBDOMAINS", true),

  // The policy decision point (lib/authz).
  CERBOS_URL: url("CERBOS_URL", ["http:", "https:"], "http://127.0.0.1:3592"),
  CERBOS_TIMEOUT_MS: whole("CERBOS_TIMEOUT_MS", { min: 1, fallback: 2_000, unit: "milliseconds" }),
  /** How long a PDP decision is kept per process (lib/authz/decision-cache.ts); 0: ask the PDP every time. */
  PDP_DECISION_CACHE_MS: whole("PDP_DECISION_CACHE_MS", { min: 0, max: 600_000, fallback: 30_000, unit: "milliseconds" }),

  // Logging (lib/log). Default level: info, warn under NODE_ENV=test (see logLevel()).
  LOG_LEVEL: oneOf("LOG_LEVEL", LOG_LEVELS, undefined),
  LOG_FILE: text(),

  // Keys (lib/vault).
  VAULT_KEY_CACHE_TTL_MS: whole("VAULT_KEY_CACHE_TTL_MS", { min: 0, fallback: 60_000, unit: "milliseconds" }),

  // Jobs (lib/jobs).
  JOBS_WORKER: flag("JOBS_WORKER", true),
  JOBS_WORKER_STALE_MS: whole("JOBS_WORKER_STALE_MS", { min: 200, fallback: 30_000, unit: "milliseconds" }),
  JOBS_POOL_MAX: whole("JOBS_POOL_MAX", { min: 1, max: 100, fallback: 3 }),

  // The tenant lifecycle (lib/lifecycle).
  TENANT_ARCHIVE_KEY_FILE: text(),
  TENANT_ARCHIVE_DIR: text(),
  LIFECYCLE_PURGE_BATCH: whole("LIFECYCLE_PURGE_BATCH", { min: 1, max: 100_000, fallback: 1_000 }),
  KUBECONFIG: text(),
  ISOLATION_PORTAL_NAMESPACE: text(),
  ISOLATION_PORTAL_SELECTOR: text(),
  ISOLATION_PORTAL_PORT: text(),
  // The tenant's collector in its isolation set (lib/collector/deployment.ts, docs/collector.md).
  COLLECTOR_IMAGE: text(),
  COLLECTOR_PORTAL_URL: text(),
  /** CIDRs the collector's vendor egress rule excepts besides the fixed non-public ranges: the cluster's pod and service CIDRs (docs/tenant-isolation.md). */
  COLLECTOR_EGRESS_EXCEPT: text(),

  // Email (lib/mail, docs/email.md). Without SMTP_URL or SMTP_HOST: printed to the console in development, failed in production.
  SMTP_URL: url("SMTP_URL", ["smtp:", "smtps:"], "smtps://user:password@smtp.example:465"),
  SMTP_HOST: text(),
  /** Default 587 (465 with SMTP_SECURE). */
  SMTP_PORT: wholeOrUnset("SMTP_PORT", { min: 1, max: 65535 }),
  SMTP_USER: text(),
  SMTP_PASSWORD: text(),
  /** TLS from the first byte; unset: on for port 465, else STARTTLS when the server offers it. */
  SMTP_SECURE: oneOf("SMTP_SECURE", ["1", "0", "true", "false"] as const, undefined),
  /** Refuse a server that does not offer STARTTLS. */
  SMTP_REQUIRE_TLS: flag("SMTP_REQUIRE_TLS", false),
  MAIL_FROM: text(),
  /**
   * The sender address of mail to a tenant whose brand hides the MSSP's (branding.hide_mssp_brand): the From
   * address, the envelope sender (MAIL FROM) and the Message-ID's domain, in place of MAIL_FROM's, e.g.
   * no-reply@notify-portal.example on a domain that names no MSSP. Unset: such mail keeps MAIL_FROM's address
   * (a warning is logged once per process). docs/email.md, docs/white-label.md.
   */
  MAIL_NEUTRAL_FROM: z
    .string()
    .optional()
    .transform((raw, ctx) => {
      if (blank(raw)) return undefined;
      const v = raw.trim();
      const at = v.lastIndexOf("@");
      const domain = v.slice(at + 1).toLowerCase();
      if (at < 1 || !/^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}$/.test(v.slice(0, at)) || !HOSTNAME.test(domain) || !domain.includes(".")) {
        ctx.addIssue({ code: "custom", message: `MAIL_NEUTRAL_FROM must be an address only, such as no-reply@notify-portal.example (no display name: the brand gives it), got ${show(raw)}` });
        return z.NEVER;
      }
      return `${v.slice(0, at)}@${domain}`;
    }),

  // The local stack (npm run portal, scripts/): the web port and the embedded Postgres's port.
  PORT: wholeOrUnset("PORT", { min: 1, max: 65535 }),
  PG_PORT: wholeOrUnset("PG_PORT", { min: 1, max: 65535 }),
  /** The embedded Postgres's data folder (default .data/postgres; relative to the working directory). tests/portal-shutdown.test.ts points it at a temp folder. */
  PG_DATA_DIR: text(),

  // Connector checks (lib/credentials): tests only.
  CONNECTOR_TEST_ENDPOINT: url("CONNECTOR_TEST_ENDPOINT", ["http:", "https:"], "http://127.0.0.1:4010"),
  CONNECTOR_TEST_ENDPOINT_ALLOW_PRODUCTION: flag("CONNECTOR_TEST_ENDPOINT_ALLOW_PRODUCTION", false),
};

/** The variables the schema covers. */
export const SETTING_NAMES = Object.freeze(Object.keys(SHAPE)) as readonly (keyof typeof SHAPE)[];

const SCHEMA = z.object(SHAPE);

export type Settings = z.output<typeof SCHEMA>;

/** Checks across variables, and the isolation and collector settings (their own parsers name the variable). */
function crossChecks(raw: Env, s: Settings | null): string[] {
  const problems: string[] = [];
  for (const check of [isolationConfigFromEnv, collectorDeploymentConfigFromEnv]) {
    try {
      check(raw);
    } catch (error) {
      problems.push((error as Error).message);
    }
  }
  if (!s) return problems;
  if (s.DATABASE_TLS_CA_FILE && s.DATABASE_TLS !== "verify-full") {
    problems.push("DATABASE_TLS_CA_FILE is set but DATABASE_TLS is not verify-full, so nothing would check the certificate against it: set DATABASE_TLS=verify-full");
  }
  if (s.DATABASE_URL && s.DATABASE_TLS) {
    const mode = new URL(s.DATABASE_URL).searchParams.get("sslmode");
    if (mode && ["disable", "allow", "prefer"].includes(mode)) {
      problems.push(`DATABASE_URL has sslmode=${mode}, which allows plaintext, but DATABASE_TLS=${s.DATABASE_TLS} requires TLS: remove sslmode from the URL`);
    }
  }
  return problems;
}

/** Every problem with the environment, one line each, all at once (not just the first). */
export class SettingsError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid settings:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "SettingsError";
  }
}

/** Parses `env` (no caching). Throws SettingsError naming every bad variable. */
export function parseSettings(env: Env): Settings {
  const picked: Record<string, string | undefined> = {};
  for (const name of SETTING_NAMES) picked[name] = env[name];
  const result = SCHEMA.safeParse(picked);
  const problems = [...(result.success ? [] : result.error.issues.map((i) => i.message)), ...crossChecks(picked, result.success ? result.data : null)];
  if (problems.length > 0 || !result.success) throw new SettingsError(problems);
  return Object.freeze(result.data);
}

const globalForSettings = globalThis as unknown as { __msspSettings?: { key: string; value: Settings; fixed: boolean } };

const fingerprint = (env: Env) => SETTING_NAMES.map((n) => env[n] ?? "\u0000").join("\u0001");

/**
 * Under `next start` the environment is the one the process started with (Next
 * reloads .env files only under `next dev`, and nothing in the portal sets a
 * setting at run time), so the first parse stands for the process's life and
 * settings() skips the fingerprint: reading every variable from process.env on
 * each call was 1.2% of a signed-in page's server time (README "Performance").
 */
const environmentIsFixed = () => process.env.NEXT_RUNTIME === "nodejs" && process.env.NODE_ENV === "production";

/**
 * The process's settings, parsed from process.env. Cached; reparsed only when
 * one of the variables changed (scripts, tests, next dev), never under next start.
 * Pass another record to parse that instead (tests, and readers that take an
 * environment argument).
 */
export function settings(env: Env = process.env): Settings {
  if (env !== process.env) return parseSettings(env);
  const hit = globalForSettings.__msspSettings;
  if (hit?.fixed) return hit.value;
  const key = fingerprint(env);
  if (hit && hit.key === key) return hit.value;
  const value = parseSettings(env);
  globalForSettings.__msspSettings = { key, value, fixed: environmentIsFixed() };
  return value;
}

/** LOG_LEVEL, or its default: warn under NODE_ENV=test (readable test output), else info. */
export function logLevel(s: Settings): (typeof LOG_LEVELS)[number] {
  return s.LOG_LEVEL ?? (s.NODE_ENV === "test" ? "warn" : "info");
}

/**
 * What a serving process (next start / next dev) needs on top of a valid
 * parse: the variables without which it cannot work. Returns the settings or
 * throws SettingsError. Operator commands do not call this (they need only
 * DATABASE_URL, which they check themselves).
 */
export function serverSettings(env: Env = process.env): Settings {
  const s = settings(env);
  const problems: string[] = [];
  if (!s.DATABASE_URL) problems.push("DATABASE_URL is not set: the portal needs a database (`npm run portal` starts an embedded one)");
  if (s.NODE_ENV === "production") {
    if (!s.NEXTAUTH_SECRET) problems.push("NEXTAUTH_SECRET is not set: sessions cannot be signed");
    else if (s.NEXTAUTH_SECRET.length < 32) problems.push(`NEXTAUTH_SECRET must be at least 32 characters (32+ random bytes), got ${s.NEXTAUTH_SECRET.length}`);
  }
  if (problems.length > 0) throw new SettingsError(problems);
  return s;
}

// The collector's settings: `--tenant <slug>` (and `--once`, `--name`) on the
// command line, the rest from the environment. The API key is read from
// COLLECTOR_API_KEY or the file COLLECTOR_API_KEY_FILE (a mounted Secret);
// no message here ever quotes it.
import { readFileSync } from "node:fs";
import os from "node:os";
import { parseArgs } from "node:util";
import { parseKey } from "@/lib/api/keys/format";
import { SLUG_PATTERN } from "@/lib/tenancy/slug";

export interface CollectorConfig {
  tenant: string;
  /** Unique in the tenant: its heartbeat row and its checkpoints. */
  name: string;
  /** Where the portal answers, e.g. http://mssp-portal.mssp-portal.svc:3000 or https://acme.portal.example. */
  apiUrl: URL;
  /** The Host header to send when apiUrl is not the portal's own name (a cluster Service address). */
  apiHost: string | null;
  apiKey: string;
  pollIntervalMs: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** Alerts per POST /alerts call (the API takes up to 1,000). */
  batchSize: number;
  /** Alerts asked of a vendor per page. */
  pageSize: number;
  /** Pages per connector per cycle, so one busy feed does not starve the others. */
  maxPagesPerCycle: number;
  /** Tries of one vendor call before the connector is left until the next cycle. */
  vendorRetries: number;
  /** How long opened credentials are kept before they are read from the vault again. */
  credentialRefreshMs: number;
  /** Pull every connector until caught up, once, then exit. */
  once: boolean;
  version: string;
  hostname: string;
}

export class CollectorConfigError extends Error {
  override readonly name = "CollectorConfigError";
}

export const COLLECTOR_USAGE = `usage: npm run collector -- --tenant <slug> [--name <collector name>] [--once]
environment:
  COLLECTOR_API_URL        the portal's base URL (required), e.g. https://acme.portal.example.com
  COLLECTOR_API_KEY        an API key of that tenant with alerts:write and collectors:write
  COLLECTOR_API_KEY_FILE   …or a file holding it (a mounted Kubernetes Secret)
  COLLECTOR_API_HOST       the Host header to send, when COLLECTOR_API_URL is a cluster address
  COLLECTOR_POLL_INTERVAL_MS (60000)  COLLECTOR_BACKOFF_BASE_MS (1000)  COLLECTOR_BACKOFF_MAX_MS (300000)
  COLLECTOR_BATCH_SIZE (500)  COLLECTOR_PAGE_SIZE (100)  COLLECTOR_MAX_PAGES (50)  COLLECTOR_VENDOR_RETRIES (5)`;

function int(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) throw new CollectorConfigError(`${name} must be a whole number from ${min} to ${max}`);
  return Number(raw);
}

function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version?: string };
    return pkg.version ?? "0.0.0";
  } catch {
    return "0.0.0";
  }
}

export function collectorConfig(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): CollectorConfig {
  let values: { tenant?: string; name?: string; once?: boolean };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: { tenant: { type: "string" }, name: { type: "string" }, once: { type: "boolean" } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new CollectorConfigError((error as Error).message);
  }
  const tenant = values.tenant?.trim() ?? "";
  if (!SLUG_PATTERN.test(tenant)) throw new CollectorConfigError("--tenant <slug> names the tenant whose connectors this collector pulls");
  const name = (values.name ?? env.COLLECTOR_NAME ?? `collector-${tenant}`).trim();
  if (!/^[A-Za-z0-9][A-Za-z0-9 ._:-]{0,99}$/.test(name)) throw new CollectorConfigError("the collector name is 1-100 letters, digits, spaces and . _ : -");

  const rawUrl = env.COLLECTOR_API_URL?.trim();
  if (!rawUrl) throw new CollectorConfigError("COLLECTOR_API_URL is not set: the portal's base URL, e.g. http://acme.localhost:3000");
  let apiUrl: URL;
  try {
    apiUrl = new URL(rawUrl);
  } catch {
    throw new CollectorConfigError("COLLECTOR_API_URL is not a URL");
  }
  if (apiUrl.protocol !== "https:" && apiUrl.protocol !== "http:") throw new CollectorConfigError("COLLECTOR_API_URL must be http(s)");
  if (apiUrl.username || apiUrl.password) throw new CollectorConfigError("COLLECTOR_API_URL must not carry credentials; the key goes in COLLECTOR_API_KEY");
  const apiHost = env.COLLECTOR_API_HOST?.trim() || null;
  if (apiHost && !/^[A-Za-z0-9.-]+(:\d{1,5})?$/.test(apiHost)) throw new CollectorConfigError("COLLECTOR_API_HOST is a host name, optionally with :port");

  let apiKey = env.COLLECTOR_API_KEY?.trim() ?? "";
  if (!apiKey && env.COLLECTOR_API_KEY_FILE) {
    try {
      apiKey = readFileSync(env.COLLECTOR_API_KEY_FILE, "utf8").trim();
    } catch (error) {
      throw new CollectorConfigError(`COLLECTOR_API_KEY_FILE could not be read (${(error as NodeJS.ErrnoException).code ?? "error"})`);
    }
  }
  if (!apiKey) throw new CollectorConfigError("no API key: set COLLECTOR_API_KEY (or COLLECTOR_API_KEY_FILE) to a key of the tenant with alerts:write and collectors:write");
  if (!parseKey(apiKey)) throw new CollectorConfigError("the API key is not a portal API key (msp_live_…)");

  return {
    tenant,
    name,
    apiUrl,
    apiHost,
    apiKey,
    pollIntervalMs: int(env, "COLLECTOR_POLL_INTERVAL_MS", 60_000, 50, 86_400_000),
    backoffBaseMs: int(env, "COLLECTOR_BACKOFF_BASE_MS", 1_000, 1, 600_000),
    backoffMaxMs: int(env, "COLLECTOR_BACKOFF_MAX_MS", 300_000, 1, 3_600_000),
    batchSize: int(env, "COLLECTOR_BATCH_SIZE", 500, 1, 1000),
    pageSize: int(env, "COLLECTOR_PAGE_SIZE", 100, 1, 1000),
    maxPagesPerCycle: int(env, "COLLECTOR_MAX_PAGES", 50, 1, 10_000),
    vendorRetries: int(env, "COLLECTOR_VENDOR_RETRIES", 5, 1, 100),
    credentialRefreshMs: int(env, "COLLECTOR_CREDENTIAL_REFRESH_MS", 600_000, 0, 86_400_000),
    once: values.once ?? false,
    version: packageVersion(),
    hostname: os.hostname().slice(0, 253) || "collector",
  };
}

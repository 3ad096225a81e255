// Who a log line is about, added to every line without anyone passing it
// along: the request id and tenant of the request being served, the tenant
// of the withTenant transaction, the job being run. The logger's mixin
// (logger.ts) reads it for each line, so a line logged deep in lib/db or
// lib/jobs carries the same ids as the page or action that led there.
//
// Two sources, nearest first:
//   1. withLogContext(): fields set around a piece of work (withTenant sets
//      tenant_id; the job worker sets job_id, job_kind and tenant_id; a
//      service-role call sets its purpose). Nested calls add to the outer.
//   2. The request Next.js is serving: the x-request-id the proxy set (a
//      client's is replaced, proxy.ts) and the tenant slug from the validated
//      Host. Read from Next's own per-request storage, which `headers()` also
//      reads; outside a request there is none and nothing is added. The
//      tenant API is not behind the proxy: its gateway sets all three itself
//      with withLogContext, so these headers are not what its lines carry.
import { AsyncLocalStorage } from "node:async_hooks";
import { workUnitAsyncStorage } from "next/dist/server/app-render/work-unit-async-storage.external";
import { hostTarget } from "@/lib/tenancy/host";

export interface LogContext {
  request_id?: string;
  /** Which host the request came to: the MSSP console or a tenant's portal. */
  area?: "console" | "tenant";
  /** The tenant's slug (from the host, or a job's input). */
  tenant?: string;
  tenant_id?: string;
  job_id?: string;
  job_kind?: string;
  /** The service-role purpose (lib/db/service-role.ts) a line was logged under. */
  purpose?: string;
}

// One store per process, even when Next's dev server loads this module twice.
const globalForContext = globalThis as unknown as { __msspLogContext?: AsyncLocalStorage<LogContext> };
const storage = (globalForContext.__msspLogContext ??= new AsyncLocalStorage<LogContext>());

/**
 * Runs `fn` with `fields` added to every line it logs (on top of any outer context). A field
 * given as null is left off those lines, even where the request's headers would name it (the
 * API gateway, which the proxy does not see, says which host fields hold).
 */
export function withLogContext<T>(fields: { [K in keyof LogContext]?: LogContext[K] | null }, fn: () => T): T {
  const outer = storage.getStore();
  const merged: Record<string, string | undefined> = { ...outer };
  for (const [k, v] of Object.entries(fields)) {
    if (v === null) merged[k] = undefined;
    else if (typeof v === "string" && v !== "") merged[k] = v;
  }
  return storage.run(merged as LogContext, fn);
}

/** The request id and tenant host of the request being served, if any. */
function fromRequest(): LogContext {
  let headers: { get(name: string): string | null } | undefined;
  try {
    const store = workUnitAsyncStorage.getStore() as { type?: string; headers?: { get(name: string): string | null } } | undefined;
    if (store && (store.type === "request" || store.type === "private-cache")) headers = store.headers;
  } catch {
    return {};
  }
  if (!headers) return {};
  const out: LogContext = {};
  const id = headers.get("x-request-id");
  if (id) out.request_id = id;
  try {
    const target = hostTarget(headers);
    if (target.area === "tenant") Object.assign(out, { area: "tenant", tenant: target.slug });
    else if (target.area === "console") out.area = "console";
  } catch {
    // settings unreadable: the request id alone still goes out
  }
  return out;
}

/** The fields for the current line: the request's, overridden by withLogContext's. */
export function currentLogContext(): LogContext {
  const own = storage.getStore();
  const req = fromRequest();
  return own ? { ...req, ...own } : req;
}

// Calling server actions directly, as a person would through the browser but
// without it: a real Next request scope (the same work and request stores
// Next builds for a route handler or server action), a real next-auth session
// cookie (a JWT minted with NEXTAUTH_SECRET, decoded as the server decodes it,
// lib/auth/session-read.ts), and the Host header that decides the tenant. No seam in
// production code: headers(), cookies() and revalidatePath() run exactly as
// they do in the server. If a Next upgrade changes these internals, every test
// here fails loudly (nothing can pass by skipping the session or host).
//
// Load order matters: Next's request storage is an AsyncLocalStorage that its
// server bootstrap installs on globalThis before any next/* module loads. This
// file does the same as its first import, and action modules are imported
// dynamically (loadAction), after it.
import "next/dist/server/node-environment-baseline.js";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { workAsyncStorage } from "next/dist/server/app-render/work-async-storage.external.js";
import { workUnitAsyncStorage } from "next/dist/server/app-render/work-unit-async-storage.external.js";
import { createRequestStoreForAPI } from "next/dist/server/async-storage/request-store.js";
import { createWorkStore } from "next/dist/server/async-storage/work-store.js";
import { encode } from "next-auth/jwt";
import type pg from "pg";
import { base32Decode, totp } from "@/lib/auth/totp";
import { withClient } from "./test-database";

process.env.NEXTAUTH_SECRET ??= "test-only-nextauth-secret-actions-0123456789";
// next-auth warns once without it; http keeps the plain cookie name.
process.env.NEXTAUTH_URL ??= "http://localhost:3000";

export interface Person {
  id: string;
  email: string;
  name?: string;
}

const cookies = new Map<string, Promise<string>>();

/**
 * A session cookie as the browser holds it after signing in: the token goes
 * through the portal's own jwt callback with the user, as at sign-in (which
 * opens the session's server-side record), and is sealed by next-auth. One
 * session per person per test file, like one browser; minted at first use.
 * Call it before measuring a case: signing in writes rows of its own.
 * Minted outside any request, so its session is bound to no host
 * (lib/auth/sessions.ts; a browser's is bound to the host it signed in on,
 * tests/auth-host-binding.test.ts) and one cookie serves every host a test
 * calls as, even when first asked for inside a request.
 */
export function sessionCookie(person: Person): Promise<string> {
  let cookie = cookies.get(person.id);
  if (!cookie) {
    cookie = workAsyncStorage.exit(() => workUnitAsyncStorage.exit(async () => {
      const { authOptions } = await import("@/lib/auth/options");
      const user = { id: person.id, email: person.email, name: person.name ?? person.email, mfaEnrollmentRequired: false, amr: ["pwd", "otp"] };
      const token = await authOptions.callbacks!.jwt!({
        token: { sub: person.id, email: person.email, name: user.name },
        user: user as never,
        account: null,
        trigger: "signIn",
      } as never);
      // The cookie name the portal configures (lib/auth/cookies.ts), else next-auth's default.
      const name = authOptions.cookies?.sessionToken?.name ?? "next-auth.session-token";
      return `${name}=${await encode({ token, secret: process.env.NEXTAUTH_SECRET!, maxAge: 3600 })}`;
    }));
    cookies.set(person.id, cookie);
  }
  return cookie;
}

export interface RequestAs {
  /** Signed out when absent. */
  person?: Person | null;
  /** The Host header: "localhost:3000" is the console, "acme.localhost:3000" the acme portal. */
  host: string;
  /** A cookie header to send instead of a freshly minted session (forged or expired tokens). */
  cookie?: string;
  /** More request headers, as the proxy would set them (a custom domain's tenant). */
  headers?: Record<string, string>;
}

/** Runs `fn` inside a Next request scope for `as` (headers, cookies, revalidatePath all live). */
export async function inRequest<T>(as: RequestAs, fn: () => Promise<T>): Promise<T> {
  const headers = new Headers({ host: as.host, "content-type": "multipart/form-data; boundary=x", origin: `http://${as.host}` });
  const cookie = as.cookie ?? (as.person ? await sessionCookie(as.person) : undefined);
  if (cookie) headers.set("cookie", cookie);
  for (const [name, value] of Object.entries(as.headers ?? {})) headers.set(name, value);
  const url = { pathname: "/action", search: "" };
  const work = createWorkStore({
    page: "/action",
    renderOpts: { experimental: {}, incrementalCache: {} },
    isPrefetchRequest: false,
    buildId: "actions-test",
    previouslyRevalidatedTags: [],
  } as never);
  const request = createRequestStoreForAPI({ headers } as never, url as never, { tags: [], expirationsByCacheKind: new Map() } as never, undefined, undefined as never, undefined);
  return workAsyncStorage.run(work as never, () => workUnitAsyncStorage.run(request as never, fn));
}

export type FormFields = Record<string, string | string[] | Blob>;

/** A FormData as the browser posts it (arrays repeat the field). */
export function formData(fields: FormFields | FormData): FormData {
  if (fields instanceof FormData) return fields;
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) {
    if (Array.isArray(v)) for (const x of v) form.append(k, x);
    else form.append(k, v);
  }
  return form;
}

/** Every server action has the useActionState shape (previous state, form). */
export type ServerAction = (previous: never, form: FormData) => Promise<unknown>;

/** Calls `action` as `as` with `fields`, as a form post would. */
export function callAction(action: ServerAction, as: RequestAs, fields: FormFields | FormData): Promise<unknown> {
  return inRequest(as, () => action({ ok: false, error: "" } as never, formData(fields)));
}

// ---------------------------------------------------------------------------
// Which server actions exist (from the file system, so a new one is noticed)
// ---------------------------------------------------------------------------

const ROOT = process.cwd();

async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name === "node_modules" || entry.name.startsWith(".")) continue;
      out.push(...(await walk(full)));
    } else if (/\.tsx?$/.test(entry.name) && !entry.name.endsWith(".d.ts")) out.push(full);
  }
  return out;
}

/** A "use server" directive as the file's first statement (comments before it allowed). */
export function isServerModule(source: string): boolean {
  const body = source.replace(/^(\s*(\/\/[^\n]*\n|\/\*[\s\S]*?\*\/))*\s*/, "");
  return /^["']use server["'];?/.test(body);
}

/** Repository-relative paths of every "use server" module under lib/ and app/. */
export async function serverActionModules(): Promise<string[]> {
  const files = [...(await walk(path.join(ROOT, "lib"))), ...(await walk(path.join(ROOT, "app")))];
  const out: string[] = [];
  for (const file of files) if (isServerModule(await readFile(file, "utf8"))) out.push(path.relative(ROOT, file));
  return out.sort();
}

/** `file#export` of every exported function of every server action module. */
export async function serverActionIds(): Promise<string[]> {
  const ids: string[] = [];
  for (const file of await serverActionModules()) {
    const mod = (await import(path.join(ROOT, file))) as Record<string, unknown>;
    for (const [name, value] of Object.entries(mod)) if (typeof value === "function") ids.push(`${file}#${name}`);
  }
  return ids.sort();
}

export async function loadAction(id: string): Promise<ServerAction> {
  const [file, name] = id.split("#");
  const mod = (await import(path.join(ROOT, file))) as Record<string, unknown>;
  const fn = mod[name];
  if (typeof fn !== "function") throw new Error(`${id} is not an exported function`);
  return fn as ServerAction;
}

// ---------------------------------------------------------------------------
// What changed in the database
// ---------------------------------------------------------------------------

/**
 * A digest of every row of every table in every non-system schema, except
 * the audit trail (checked row by row instead). Any insert, update or delete
 * anywhere changes it. New tables are included without a change here.
 */
export async function databaseState(ownerUrl: string, exclude: readonly string[] = []): Promise<Record<string, string>> {
  return withClient(ownerUrl, async (c) => {
    const { rows: tables } = await c.query<{ t: string }>(
      `select format('%I.%I', n.nspname, c.relname) as t
         from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where c.relkind in ('r', 'p')
          and n.nspname not in ('pg_catalog', 'information_schema') and n.nspname not like 'pg\\_%'
        order by 1`,
    );
    const skip = new Set([...AUDIT_TABLES, ...exclude]);
    const digests = tables
      .filter(({ t }) => !skip.has(t))
      .map(({ t }) => `select ${c.escapeLiteral(t)} as t, (select md5(string_agg(r::text, E'\\n' order by r::text)) from (select to_jsonb(x) - $1::text[] as r from ${t} x) s) as h`);
    const { rows } = await c.query<{ t: string; h: string | null }>(digests.join(" union all "), [BOOKKEEPING_COLUMNS]);
    return Object.fromEntries(rows.map((r) => [r.t, r.h ?? "empty"]));
  });
}

/** The audit trail and its chain heads: checked row by row (auditSince), not by digest. */
const AUDIT_TABLES = ["public.audit_log", "audit.chain_heads"];
/** Moved by reading, not by acting: a session's last use. */
const BOOKKEEPING_COLUMNS = ["last_seen_at"];

/** The tables whose digest differs. */
export function changedTables(before: Record<string, string>, after: Record<string, string>): string[] {
  return [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((t) => before[t] !== after[t]).sort();
}

export interface AuditRow {
  tenant_id: string;
  actor_id: string | null;
  action: string;
  outcome: string;
  details: Record<string, unknown>;
}

/** A point in the audit trail; auditSince returns the rows written after it. */
export async function auditMark(ownerUrl: string): Promise<string> {
  return withClient(ownerUrl, async (c) => (await c.query<{ t: string }>("select clock_timestamp()::text as t")).rows[0].t);
}

export async function auditSince(ownerUrl: string, mark: string): Promise<AuditRow[]> {
  return withClient(
    ownerUrl,
    async (c) =>
      (
        await c.query<AuditRow>(
          "select tenant_id, actor_id, action, outcome, details from public.audit_log where occurred_at > $1::timestamptz order by occurred_at, seq",
          [mark],
        )
      ).rows,
  );
}

// ---------------------------------------------------------------------------
// People
// ---------------------------------------------------------------------------

/**
 * Confirms TOTP for a user whose role requires it (every MSSP role), the way
 * the enrolment page does, so their session is not held at enrolment.
 */
export async function enrolMfa(person: Person): Promise<string> {
  const { startEnrolment, confirmEnrolment } = await import("@/lib/auth/mfa");
  const started = await startEnrolment(person);
  if (!started.ok) throw new Error(`${person.email} is already enrolled`);
  const secret = base32Decode(started.enrolment.secret);
  const confirmed = await confirmEnrolment(person.id, totp(secret));
  if (!confirmed.ok) throw new Error(`could not confirm MFA for ${person.email}: ${confirmed.reason}`);
  return started.enrolment.secret;
}

// Lives beside withClient now (fixture-env.ts uses it without loading Next); kept importable from here.
export { ownerQuery } from "./test-database";

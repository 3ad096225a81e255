// One entry per server action (file#export): how to build a valid form for a
// role's own reach, a form naming another tenant's object, and malformed
// forms. tests/actions-matrix.test.ts runs every entry as every role and
// fails when an action has no entry here (or an entry names no action).
import { randomBytes, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import type { Action } from "@/lib/authz";
import { png } from "./brand-images";
import { emailOf, type Fixtures, type TenantSlug, type UserName } from "./fixtures";
import { callAction, inRequest, loadAction, ownerQuery, type FormFields, type Person, type RequestAs } from "./actions";
import { withClient } from "./test-database";

export const CONSOLE = "localhost:3000";
export const hostOf = (slug: TenantSlug) => `${slug}.localhost:3000`;

export interface Env {
  url: string;
  fx: Fixtures;
  person(user: UserName): Person;
  /** A new tenant (owner insert) under `parent`, active, with a name unique to this run. */
  freshTenant(parent: TenantSlug | string, kind: "customer" | "site"): Promise<{ id: string; name: string; slug: string }>;
  /** Runs another action as the MSSP admin to set a case up (e.g. start an offboarding to cancel). */
  asMsspAdmin(id: string, fields: FormFields): Promise<unknown>;
}

/** Where a role acts from: tenant roles on acme's host, MSSP roles on the console. */
export type Home = "acme" | "mssp-a";

export interface TenantActionSpec {
  guard: "tenantAction";
  pdp: Action;
  audit: string;
  /** A valid form whose tenantId is within `home` (the target may be a fresh tenant below it). */
  valid(env: Env, home: Home): Promise<FormFields>;
  /** tenantId in `home`, but the other id names another customer's object; absent when the action names nothing else. */
  foreignObject?(env: Env, home: Home): Promise<FormFields>;
  /** Forms the schema refuses (each must come back with field messages). */
  malformed(env: Env): FormFields[];
}

export interface SelfActionSpec {
  /**
   * self: acts on the signed-in person only (no tenant in the form); invitee:
   * takes an invitation token; public: before sign-in (password reset).
   */
  guard: "self" | "invitee" | "public";
  /** "token": called with the form's token as its one argument (a page's loader), not (state, form). */
  argument?: "token";
  malformed(env: Env): FormFields[];
  /**
   * What a refusal changes on purpose (tests/helpers/fuzz-actions.ts holds every other refusal to
   * "nothing changed"): a wrong password spends an attempt of the sign-in throttle and is recorded as
   * a failed sign-in, as on the sign-in form, so guessing here is no cheaper than there.
   */
  refusalSpends?: { tables: string[]; auditActions: string[] };
}

/** A password asked again (lib/actions/account/mfa.ts passwordAgain through lib/auth/credentials.ts checkPassword). */
const PASSWORD_CHECK: SelfActionSpec["refusalSpends"] = { tables: ["ratelimit.buckets"], auditActions: ["auth:sign-in-failed", "auth:sign-in-locked"] };

export type ActionSpec = TenantActionSpec | SelfActionSpec;

const id = (s: string) => s;
const unique = (prefix: string) => `${prefix}-${randomBytes(4).toString("hex")}`;
const alnum = (n: number) => randomBytes(n).toString("base64").replace(/[^A-Za-z0-9]/g, "a").slice(0, n).padEnd(n, "x");
// Credentials and team actions act on acme itself: its tenant admin's own tenant, a customer of the MSSP.
const target = (env: Env, _home: Home) => env.fx.tenants.acme;
/** For lifecycle actions: a fresh tenant to act on (a site of acme for tenant roles, a customer for MSSP roles). */
const freshFor = (env: Env, home: Home) => (home === "acme" ? env.freshTenant("acme", "site") : env.freshTenant("mssp-a", "customer"));

const GENERIC = { connector: "generic_api_key", cfg_baseUrl: "https://api.example.com/v1", cfg_testPath: "/me", cfg_headerName: "X-Api-Key" };

/** A credential sealed in `tenant` through the store (as the MSSP admin). */
async function credentialIn(env: Env, tenant: TenantSlug): Promise<string> {
  const result = (await env.asMsspAdmin(id("lib/actions/credentials/create-credential.ts#createCredential"), {
    tenantId: env.fx.tenants[tenant],
    name: unique("cred"),
    secret: alnum(24),
    ...GENERIC,
  })) as { ok: boolean; data?: { id: string }; error?: string };
  if (!result.ok || !result.data) throw new Error(`could not create a credential in ${tenant}: ${result.error}`);
  return result.data.id;
}

/** An API key of `tenant` (owner insert: the row is all revoke needs; its secret is never used). */
async function apiKeyIn(env: Env, tenant: TenantSlug): Promise<string> {
  const [row] = await ownerQuery<{ id: string }>(
    env.url,
    `insert into public.api_keys (tenant_id, id, name, secret_hash, scopes, expires_at)
     values ($1, gen_random_uuid(), $2, sha256(gen_random_uuid()::text::bytea), '{alerts:read}', now() + interval '30 days') returning id`,
    [env.fx.tenants[tenant], unique("key")],
  );
  return row.id;
}

/** A custom domain of `tenant`, pending (owner insert; a .invalid name: its DNS check answers "missing" at once). */
async function domainIn(env: Env, tenant: TenantSlug): Promise<string> {
  const name = `${unique("soc")}.example.invalid`;
  const [d] = await ownerQuery<{ id: string }>(env.url, "insert into public.custom_domains (tenant_id, domain, skeleton, token) values ($1, $2, $2, $3) returning id", [
    env.fx.tenants[tenant],
    name,
    alnum(32),
  ]);
  return d.id;
}
/** A bulk run of mssp-a in `status` with one pending item on acme (owner insert), for the bulk actions. */
async function bulkRunIn(env: Env, status: "planned" | "running" | "paused" | "finished"): Promise<string> {
  const [r] = await ownerQuery<{ id: string }>(
    env.url,
    "insert into public.bulk_runs (tenant_id, operation, params, status, total, created_by, started_by) values ($1, 'setting', $2, $3, 1, $4, $4) returning id",
    [env.fx.tenants["mssp-a"], JSON.stringify({ operation: "setting", key: "locale.time_zone", mode: "set", value: "UTC" }), status, env.fx.users.msspAdmin],
  );
  await ownerQuery(
    env.url,
    "insert into public.bulk_run_items (tenant_id, run_id, target_tenant_id, position, target_name, planned) values ($1, $2, $3, 0, 'Acme', 'UTC (default) → UTC (set here)')",
    [env.fx.tenants["mssp-a"], r.id, env.fx.tenants.acme],
  );
  return r.id;
}
const bulkHome = (env: Env, home: Home) => (home === "mssp-a" ? env.fx.tenants["mssp-a"] : env.fx.tenants.acme);
/**
 * A notification channel of `tenant` (email, so no key is needed). Written as service_role: the matrix
 * makes more than the 50 channels a tenant may hold (migration 20261201029900), and the trigger lets
 * only the service role (restores) past that limit.
 */
async function channelIn(env: Env, tenant: TenantSlug): Promise<string> {
  return withClient(env.url, async (c) => {
    await c.query("begin");
    await c.query("set local role service_role");
    const { rows } = await c.query<{ id: string }>(
      "insert into public.notification_channels (tenant_id, id, name, kind, recipients) values ($1, gen_random_uuid(), $2, 'email', '{soc@example.test}') returning id",
      [env.fx.tenants[tenant], unique("channel")],
    );
    await c.query("commit");
    return rows[0].id;
  });
}

/** A webhook channel of `tenant`, made through the action (its secret is sealed under the tenant's key). */
async function webhookIn(env: Env, tenant: TenantSlug): Promise<string> {
  const result = (await env.asMsspAdmin(id("lib/actions/workflows/create-channel.ts#createChannel"), {
    tenantId: env.fx.tenants[tenant],
    name: unique("hook"),
    kind: "webhook",
    url: "https://hooks.example.com/soc",
  })) as { ok: boolean; data?: { id: string }; error?: string };
  if (!result.ok || !result.data) throw new Error(`could not create a webhook channel in ${tenant}: ${result.error}`);
  return result.data.id;
}

/** A workflow rule of `tenant` (owner insert). */
async function ruleIn(env: Env, tenant: TenantSlug): Promise<string> {
  const definition = { match: "all", conditions: [{ field: "severity", op: "is", value: "critical" }], actions: { notify: [] }, escalation: { afterMinutes: 5, notify: [await channelIn(env, tenant)] } };
  const [r] = await ownerQuery<{ id: string }>(env.url, "insert into public.workflow_rules (tenant_id, name, definition) values ($1, $2, $3) returning id", [
    env.fx.tenants[tenant],
    unique("rule"),
    definition,
  ]);
  return r.id;
}

/** An assignee group of `tenant` (owner insert), with `members` in it. */
async function groupIn(env: Env, tenant: TenantSlug, members: string[] = []): Promise<string> {
  const [g] = await ownerQuery<{ id: string }>(env.url, "insert into public.assignee_groups (tenant_id, name) values ($1, $2) returning id", [env.fx.tenants[tenant], unique("group")]);
  for (const m of members) {
    await ownerQuery(env.url, "insert into public.assignee_group_members (tenant_id, group_id, user_id) values ($1, $2, $3)", [env.fx.tenants[tenant], g.id, m]);
  }
  return g.id;
}

// Billing (lib/billing): a plan of mssp-a, and invoices of a customer for a month of their own
// (one invoice per customer per month: each call takes a month no other call took).
let billingMonth = 0;
const nextBillingMonth = () => {
  const n = billingMonth++;
  return `${2000 + Math.floor(n / 12)}-${String((n % 12) + 1).padStart(2, "0")}`;
};
async function planOf(env: Env): Promise<string> {
  const [p] = await ownerQuery<{ id: string }>(env.url, "insert into public.billing_plans (tenant_id, name, currency, base_fee) values ($1, $2, 'EUR', 1000) returning id", [env.fx.tenants["mssp-a"], unique("plan")]);
  return p.id;
}
async function invoiceIn(env: Env, tenant: TenantSlug, finalized: boolean): Promise<string> {
  const month = nextBillingMonth();
  const [i] = await ownerQuery<{ id: string }>(
    env.url,
    `insert into public.billing_invoices (tenant_id, mssp_id, period_start, period_end, currency, plan_name, subtotal, total)
     values ($1, $2, $3::date, ($3::date + interval '1 month')::date, 'EUR', 'Matrix plan', 1000, 1000) returning id`,
    [env.fx.tenants[tenant], env.fx.tenants["mssp-a"], `${month}-01`],
  );
  await ownerQuery(env.url, "insert into public.billing_invoice_lines (tenant_id, invoice_id, line_no, kind, description, billable, unit_price, amount) values ($1, $2, 1, 'base_fee', 'Matrix plan: monthly base fee', 1, 1000, 1000)", [env.fx.tenants[tenant], i.id]);
  if (finalized) await ownerQuery(env.url, "update public.billing_invoices set status = 'finalized' where id = $1", [i.id]);
  return i.id;
}
/**
 * A draft invoice of `tenant` that may be finalized: a plan of mssp-a bills its month (finalizing
 * refuses a draft with no plan behind it), and the usage rollup has run past the month's end
 * (finalizing waits for the month's last hour: lib/billing/readiness.ts).
 */
async function finalizableInvoiceIn(env: Env, tenant: TenantSlug): Promise<string> {
  const invoice = await invoiceIn(env, tenant, false);
  await ownerQuery(
    env.url,
    `insert into public.billing_plan_assignments (tenant_id, plan_tenant_id, plan_id, starts_on, ends_on)
     select i.tenant_id, $2, $3, i.period_start, i.period_end from public.billing_invoices i where i.id = $1`,
    [invoice, env.fx.tenants["mssp-a"], await planOf(env)],
  );
  await ownerQuery(env.url, "insert into usage.rollup_state (singleton, scanned_to) values (true, now()) on conflict (singleton) do update set scanned_to = greatest(usage.rollup_state.scanned_to, excluded.scanned_to)");
  return invoice;
}
/** A draft credit note of a finalized invoice of `tenant` (what discardCreditNote takes). */
async function draftCreditNoteIn(env: Env, tenant: TenantSlug): Promise<string> {
  const invoice = await invoiceIn(env, tenant, true);
  const [c] = await ownerQuery<{ id: string }>(
    env.url,
    `insert into public.billing_invoices (tenant_id, mssp_id, kind, period_start, period_end, currency, plan_name, subtotal, total, credits_invoice_id, reason)
     select tenant_id, mssp_id, 'credit_note', period_start, period_end, currency, plan_name, -100, -100, id, 'Matrix goodwill' from public.billing_invoices where id = $1
     returning id`,
    [invoice],
  );
  return c.id;
}
const planFields = (extra: FormFields = {}): FormFields => ({ name: unique("Plan"), currency: "EUR", baseFee: "500.00", minimum: "0", tiers_assets_managed: "100 @ 8.00, @ 6.00", included_assets_managed: "10", ...extra });

const ruleForm = (env: Env, extra: FormFields = {}): FormFields => ({
  tenantId: env.fx.tenants.acme,
  name: unique("rule"),
  position: "10",
  enabled: "on",
  match: "all",
  cond0_field: "severity",
  cond0_op: "at_least",
  cond0_value: "high",
  assignTo: env.fx.users.acmeAnalyst,
  ...extra,
});

/** A tenant_viewer member of `tenant` (owner insert), to change or remove. */
async function memberOf(env: Env, tenant: TenantSlug): Promise<string> {
  const [u] = await ownerQuery<{ id: string }>(env.url, "insert into public.users (email, name, password_hash) values ($1, 'Member', 'x') returning id", [`${unique("member")}@example.test`]);
  await ownerQuery(env.url, "insert into public.memberships (tenant_id, user_id, role) values ($1, $2, 'tenant_viewer')", [env.fx.tenants[tenant], u.id]);
  return u.id;
}

async function invitationIn(env: Env, tenant: TenantSlug): Promise<string> {
  const result = (await env.asMsspAdmin(id("lib/actions/team/invite-member.ts#inviteMember"), {
    tenantId: env.fx.tenants[tenant],
    email: `${unique("invitee")}@example.test`,
    role: "tenant_viewer",
  })) as { ok: boolean; error?: string };
  if (!result.ok) throw new Error(`could not invite into ${tenant}: ${result.error}`);
  const [row] = await ownerQuery<{ id: string }>(env.url, "select id from public.invitations where tenant_id = $1 order by created_at desc limit 1", [env.fx.tenants[tenant]]);
  return row.id;
}

async function failedJob(env: Env, tenantId: string, kind: string): Promise<string> {
  const [row] = await ownerQuery<{ id: string }>(
    env.url,
    "insert into public.jobs (tenant_id, kind, status, finished_at, last_error) values ($1, $2, 'failed', now(), 'failed in a test') returning id",
    [tenantId, kind],
  );
  return row.id;
}

/** A fresh alert (owner insert) in `tenant` with `status` (closed ones with a reason, as the workflow leaves them). */
async function alertIn(env: Env, tenant: TenantSlug, status: string): Promise<string> {
  const [row] = await ownerQuery<{ id: string }>(
    env.url,
    `insert into public.alerts (tenant_id, title, severity, source, status, acknowledged_at)
     values ($1, $2, 'high', 'edr', $3, case when $3 <> 'new' then now() end) returning id`,
    [env.fx.tenants[tenant], unique("alert"), status],
  );
  return row.id;
}

/** n fresh alerts of `tenant` as the bulk form's "tenantId:alertId,…". */
async function alertKeys(env: Env, tenant: TenantSlug, status: string, n: number): Promise<string> {
  const keys: string[] = [];
  for (let i = 0; i < n; i++) keys.push(`${env.fx.tenants[tenant]}:${await alertIn(env, tenant, status)}`);
  return keys.join(",");
}

const NOT_UUID = ["", "not-a-uuid", "00000000-0000-0000-0000-00000000000g", "' or 1=1 --", "\u0000"];
/** The tenantId field broken every way the schema must catch, other fields kept valid. */
// Reports (lib/reports): a schedule of a tenant, inserted as the owner (by the tenant's first user).
async function scheduleIn(env: Env, tenant: TenantSlug): Promise<string> {
  const [r] = await ownerQuery<{ id: string }>(env.url, "insert into public.report_schedules (tenant_id, kind, format, cadence, next_run_at) values ($1, 'executive', 'pdf', 'monthly', now() + interval '30 days') returning id", [env.fx.tenants[tenant]]);
  return r.id;
}
/** A schedule of `tenant` paused by the worker (as lib/reports/pause.ts leaves one). */
async function pausedScheduleIn(env: Env, tenant: TenantSlug): Promise<string> {
  const id = await scheduleIn(env, tenant);
  await ownerQuery(env.url, "update public.report_schedules set paused_at = now(), paused_reason = 'the person it runs as may no longer export this tenant''s reports' where id = $1", [id]);
  return id;
}
const reportFields = (over: FormFields = {}): FormFields => ({ kind: "executive", format: "pdf", from: "2026-10-01", to: "2026-10-31", ...over });

// Branding (lib/branding): the brand page's text fields (a product name unique to the call), a real
// 1×1 PNG as the uploaded file (tests/helpers/brand-images.ts), and a draft to publish or discard.
const brandFields = (over: FormFields = {}): FormFields => ({ productName: unique("Brand"), primaryColor: "#1d4ed8", signinHeading: "Welcome", supportEmail: "soc@example.test", ...over });
const pngFile = () => new File([new Uint8Array(png(1, 1))], "logo.png", { type: "image/png" });
/** A draft of `tenant`'s brand (owner insert: a product name to publish); returns the tenant's id. */
async function brandDraftIn(env: Env, tenant: TenantSlug): Promise<string> {
  await ownerQuery(
    env.url,
    "insert into public.brand_drafts (tenant_id, draft) values ($1, $2::jsonb) on conflict (tenant_id) do update set draft = excluded.draft, updated_at = now()",
    [env.fx.tenants[tenant], JSON.stringify({ productName: unique("Brand") })],
  );
  return env.fx.tenants[tenant];
}

const badTenantIds = (fields: FormFields): FormFields[] => [
  ...NOT_UUID.map((tenantId) => ({ ...fields, tenantId })),
  Object.fromEntries(Object.entries(fields).filter(([k]) => k !== "tenantId")),
];

export const SPECS: Record<string, ActionSpec> = {
  // --- credentials ---------------------------------------------------------
  "lib/actions/credentials/create-credential.ts#createCredential": {
    guard: "tenantAction",
    pdp: "credentials:manage",
    audit: "credential.created",
    valid: async (env, home) => ({ tenantId: target(env, home), name: unique("cred"), secret: alnum(24), ...GENERIC }),
    malformed: (env) => [
      ...badTenantIds({ name: "x", secret: alnum(24), ...GENERIC }),
      { tenantId: env.fx.tenants.acme, name: "", secret: alnum(24), ...GENERIC },
      { tenantId: env.fx.tenants.acme, name: "a\u0000b", secret: alnum(24), ...GENERIC },
      { tenantId: env.fx.tenants.acme, name: "x", secret: "short", ...GENERIC },
      { tenantId: env.fx.tenants.acme, name: "x", secret: alnum(24), ...GENERIC, connector: "nope" },
      { tenantId: env.fx.tenants.acme, name: "x", secret: alnum(24), ...GENERIC, cfg_baseUrl: "http://169.254.169.254/latest" },
      { tenantId: env.fx.tenants.acme, name: "x", secret: alnum(24), ...GENERIC, expiresAt: "2001-01-01" },
      { tenantId: env.fx.tenants.acme, name: "x", secret: "y".repeat(9000), ...GENERIC },
    ],
  },
  "lib/actions/credentials/delete-credential.ts#deleteCredential": {
    guard: "tenantAction",
    pdp: "credentials:manage",
    audit: "credential.deleted",
    valid: async (env) => ({ tenantId: env.fx.tenants.acme, credentialId: await credentialIn(env, "acme") }),
    foreignObject: async (env) => ({ tenantId: env.fx.tenants.acme, credentialId: await credentialIn(env, "globex") }),
    malformed: (env) => [...badTenantIds({ credentialId: randomUUID() }), { tenantId: env.fx.tenants.acme, credentialId: "x" }, { tenantId: env.fx.tenants.acme }],
  },
  "lib/actions/credentials/replace-credential-secret.ts#replaceCredentialSecret": {
    guard: "tenantAction",
    pdp: "credentials:manage",
    audit: "credential.secret-replaced",
    valid: async (env) => ({ tenantId: env.fx.tenants.acme, credentialId: await credentialIn(env, "acme"), connector: "generic_api_key", secret: alnum(30) }),
    foreignObject: async (env) => ({ tenantId: env.fx.tenants.acme, credentialId: await credentialIn(env, "globex"), connector: "generic_api_key", secret: alnum(30) }),
    malformed: (env) => [
      ...badTenantIds({ credentialId: randomUUID(), connector: "generic_api_key", secret: alnum(30) }),
      { tenantId: env.fx.tenants.acme, credentialId: randomUUID(), connector: "generic_api_key", secret: "has space in it" },
      { tenantId: env.fx.tenants.acme, credentialId: randomUUID(), connector: "generic_api_key" },
      { tenantId: env.fx.tenants.acme, credentialId: randomUUID(), connector: "generic_api_key", secret: alnum(30), expiresAt: "31/01/2027" },
    ],
  },
  "lib/actions/credentials/test-credential-connection.ts#testCredentialConnection": {
    guard: "tenantAction",
    pdp: "credentials:manage",
    audit: "credential.tested",
    valid: async (env) => ({ tenantId: env.fx.tenants.acme, credentialId: await credentialIn(env, "acme") }),
    foreignObject: async (env) => ({ tenantId: env.fx.tenants.acme, credentialId: await credentialIn(env, "globex") }),
    malformed: (env) => [...badTenantIds({ credentialId: randomUUID() }), { tenantId: env.fx.tenants.acme, credentialId: "../../etc/passwd" }],
  },

  // --- API keys (issue 11) ---------------------------------------------------
  "lib/actions/api-keys/create-api-key.ts#createApiKey": {
    guard: "tenantAction",
    pdp: "apikeys:manage",
    audit: "apikey.created",
    valid: async (env) => ({ tenantId: env.fx.tenants.acme, name: unique("key"), expiresInDays: "30", scope_alerts_read: "on", scope_alerts_write: "on" }),
    malformed: (env) => [
      ...badTenantIds({ name: "x", expiresInDays: "30", scope_alerts_read: "on" }),
      { tenantId: env.fx.tenants.acme, name: "", expiresInDays: "30", scope_alerts_read: "on" },
      { tenantId: env.fx.tenants.acme, name: "a\u0000b", expiresInDays: "30", scope_alerts_read: "on" },
      { tenantId: env.fx.tenants.acme, name: "x".repeat(81), expiresInDays: "30", scope_alerts_read: "on" },
      { tenantId: env.fx.tenants.acme, name: "x", expiresInDays: "3650", scope_alerts_read: "on" },
      { tenantId: env.fx.tenants.acme, name: "x", expiresInDays: "30" },
      { tenantId: env.fx.tenants.acme, name: "x", expiresInDays: "30", scope_users_manage: "on" },
      { tenantId: env.fx.tenants.acme, name: "x", expiresInDays: "30", scope_alerts_read: "yes" },
    ],
  },
  "lib/actions/api-keys/revoke-api-key.ts#revokeApiKey": {
    guard: "tenantAction",
    pdp: "apikeys:manage",
    audit: "apikey.revoked",
    valid: async (env) => ({ tenantId: env.fx.tenants.acme, keyId: await apiKeyIn(env, "acme") }),
    foreignObject: async (env) => ({ tenantId: env.fx.tenants.acme, keyId: await apiKeyIn(env, "globex") }),
    malformed: (env) => [...badTenantIds({ keyId: randomUUID() }), { tenantId: env.fx.tenants.acme, keyId: "x" }, { tenantId: env.fx.tenants.acme }],
  },

  // --- keys ----------------------------------------------------------------
  "lib/actions/keys/rotate-tenant-key.ts#rotateTenantKey": {
    guard: "tenantAction",
    pdp: "keys:rotate",
    audit: "keys.dek-rotation-queued",
    valid: async (env, home) => ({ tenantId: (await freshFor(env, home)).id }),
    malformed: () => badTenantIds({}),
  },
  "lib/actions/keys/rotate-mssp-kek.ts#rotateMsspKek": {
    guard: "tenantAction",
    pdp: "keys:rotate",
    audit: "keys.kek-rotation-queued",
    // The KEK belongs to the MSSP: tenant roles name it too (and cannot see it).
    valid: async (env) => ({ tenantId: env.fx.tenants["mssp-a"] }),
    malformed: () => badTenantIds({}),
  },

  // --- lifecycle -----------------------------------------------------------
  "lib/actions/lifecycle/provision-tenant.ts#provisionTenant": {
    guard: "tenantAction",
    pdp: "tenants:provision",
    audit: "tenant.provision-requested",
    valid: async (env, home) => ({ tenantId: env.fx.tenants[home], name: "New Co", slug: unique("newco"), adminEmail: `${unique("admin")}@example.test` }),
    malformed: (env) => [
      ...badTenantIds({ name: "New", slug: unique("new"), adminEmail: "a@example.test" }),
      { tenantId: env.fx.tenants["mssp-a"], name: "New", slug: "Not A Slug", adminEmail: "a@example.test" },
      { tenantId: env.fx.tenants["mssp-a"], name: "New", slug: "www", adminEmail: "a@example.test" },
      { tenantId: env.fx.tenants["mssp-a"], name: "New", slug: unique("new"), adminEmail: "nope" },
      { tenantId: env.fx.tenants["mssp-a"], name: "", slug: unique("new"), adminEmail: "a@example.test" },
      { tenantId: env.fx.tenants["mssp-a"], name: "New", slug: unique("new"), adminEmail: "a@example.test", plan: "platinum-plus-unknown" },
    ],
  },
  "lib/actions/lifecycle/suspend-tenant.ts#suspendTenant": {
    guard: "tenantAction",
    pdp: "tenants:suspend",
    audit: "tenant.suspended",
    valid: async (env, home) => ({ tenantId: (await freshFor(env, home)).id, reason: "unpaid invoices" }),
    malformed: (env) => [...badTenantIds({ reason: "unpaid" }), { tenantId: env.fx.tenants.acme, reason: "x" }, { tenantId: env.fx.tenants.acme }],
  },
  "lib/actions/lifecycle/suspend-tenant.ts#resumeTenant": {
    guard: "tenantAction",
    pdp: "tenants:suspend",
    audit: "tenant.resumed",
    valid: async (env, home) => {
      const t = await freshFor(env, home);
      await ownerQuery(env.url, "update public.tenants set status = 'suspended', status_reason = 'test' where id = $1", [t.id]);
      return { tenantId: t.id };
    },
    malformed: () => badTenantIds({}),
  },
  "lib/actions/lifecycle/offboard-tenant.ts#offboardTenant": {
    guard: "tenantAction",
    pdp: "tenants:deprovision",
    audit: "tenant.offboarding-started",
    valid: async (env, home) => {
      const t = await freshFor(env, home);
      return { tenantId: t.id, confirmName: t.name, graceDays: "30" };
    },
    malformed: (env) => [
      ...badTenantIds({ confirmName: "x", graceDays: "30" }),
      { tenantId: env.fx.tenants.acme, confirmName: "", graceDays: "30" },
      { tenantId: env.fx.tenants.acme, confirmName: "x", graceDays: "91" },
      { tenantId: env.fx.tenants.acme, confirmName: "x", graceDays: "-1" },
      { tenantId: env.fx.tenants.acme, confirmName: "x", graceDays: "1.5" },
      { tenantId: env.fx.tenants.acme, confirmName: "x", graceDays: "NaN" },
    ],
  },
  "lib/actions/lifecycle/offboard-tenant.ts#cancelOffboarding": {
    guard: "tenantAction",
    pdp: "tenants:deprovision",
    audit: "tenant.offboarding-cancelled",
    valid: async (env, home) => {
      const t = await freshFor(env, home);
      const started = (await env.asMsspAdmin("lib/actions/lifecycle/offboard-tenant.ts#offboardTenant", { tenantId: t.id, confirmName: t.name, graceDays: "30" })) as { ok: boolean; error?: string };
      if (!started.ok) throw new Error(`could not start offboarding: ${started.error}`);
      return { tenantId: t.id };
    },
    malformed: () => badTenantIds({}),
  },
  "lib/actions/lifecycle/move-tenant.ts#moveTenant": {
    guard: "tenantAction",
    pdp: "tenants:move",
    audit: "tenant.moved",
    valid: async (env, home) => {
      const t = await env.freshTenant("acme", "site");
      return { tenantId: t.id, newParentId: env.fx.tenants[home === "acme" ? "acme-eu" : "globex"] };
    },
    // A site of the role's own tree moved under another MSSP's customer.
    foreignObject: async (env) => ({ tenantId: (await env.freshTenant("acme", "site")).id, newParentId: env.fx.tenants["other-co"] }),
    // A typed new parent naming none ("x" alone would name Tenant globex: lib/lifecycle/move-targets.ts moveParentOf).
    malformed: (env) => [
      ...badTenantIds({ newParentId: env.fx.tenants.globex }),
      { tenantId: env.fx.tenants["acme-eu"], newParentId: "no such parent" },
      { tenantId: env.fx.tenants["acme-eu"], newParentId: "a\u0000b" },
      { tenantId: env.fx.tenants["acme-eu"] },
    ],
  },
  "lib/actions/lifecycle/retry-workflow.ts#retryProvisioning": {
    guard: "tenantAction",
    pdp: "tenants:provision",
    audit: "tenant.provision-retried",
    valid: async (env, home) => {
      const t = await freshFor(env, home);
      return { tenantId: t.id, jobId: await failedJob(env, t.id, "lifecycle.provision") };
    },
    foreignObject: async (env, home) => ({ tenantId: (await freshFor(env, home)).id, jobId: await failedJob(env, env.fx.tenants.globex, "lifecycle.provision") }),
    malformed: (env) => [...badTenantIds({ jobId: randomUUID() }), { tenantId: env.fx.tenants.acme, jobId: "1" }],
  },
  "lib/actions/lifecycle/retry-workflow.ts#retryOffboarding": {
    guard: "tenantAction",
    pdp: "tenants:deprovision",
    audit: "tenant.offboarding-retried",
    valid: async (env, home) => {
      const t = await freshFor(env, home);
      return { tenantId: t.id, jobId: await failedJob(env, t.id, "lifecycle.offboard") };
    },
    foreignObject: async (env, home) => ({ tenantId: (await freshFor(env, home)).id, jobId: await failedJob(env, env.fx.tenants.globex, "lifecycle.offboard") }),
    malformed: (env) => [...badTenantIds({ jobId: randomUUID() }), { tenantId: env.fx.tenants.acme }],
  },

  // --- alerts (triage) ------------------------------------------------------
  "lib/actions/alerts/change-alert-status.ts#acknowledgeAlert": {
    guard: "tenantAction",
    pdp: "alerts:triage",
    audit: "alerts:acknowledge",
    valid: async (env) => ({ tenantId: env.fx.tenants.acme, alertId: await alertIn(env, "acme", "new") }),
    foreignObject: async (env) => ({ tenantId: env.fx.tenants.acme, alertId: await alertIn(env, "globex", "new") }),
    malformed: (env) => [...badTenantIds({ alertId: randomUUID() }), { tenantId: env.fx.tenants.acme, alertId: "1" }, { tenantId: env.fx.tenants.acme }],
  },
  "lib/actions/alerts/change-alert-status.ts#startAlert": {
    guard: "tenantAction",
    pdp: "alerts:triage",
    audit: "alerts:start",
    valid: async (env) => ({ tenantId: env.fx.tenants.acme, alertId: await alertIn(env, "acme", "acknowledged") }),
    foreignObject: async (env) => ({ tenantId: env.fx.tenants.acme, alertId: await alertIn(env, "globex", "acknowledged") }),
    malformed: (env) => [...badTenantIds({ alertId: randomUUID() }), { tenantId: env.fx.tenants.acme, alertId: "' or 1=1 --" }],
  },
  "lib/actions/alerts/change-alert-status.ts#closeAlert": {
    guard: "tenantAction",
    pdp: "alerts:triage",
    audit: "alerts:close",
    valid: async (env) => ({ tenantId: env.fx.tenants.acme, alertId: await alertIn(env, "acme", "in_progress"), resolution: "resolved", reason: "Contained and reimaged" }),
    foreignObject: async (env) => ({ tenantId: env.fx.tenants.acme, alertId: await alertIn(env, "globex", "in_progress"), resolution: "resolved", reason: "Contained" }),
    malformed: (env) => [
      ...badTenantIds({ alertId: randomUUID(), resolution: "resolved", reason: "fixed it" }),
      { tenantId: env.fx.tenants.acme, alertId: randomUUID(), resolution: "resolved" },
      { tenantId: env.fx.tenants.acme, alertId: randomUUID(), resolution: "resolved", reason: "  " },
      { tenantId: env.fx.tenants.acme, alertId: randomUUID(), resolution: "resolved", reason: "x".repeat(1001) },
      { tenantId: env.fx.tenants.acme, alertId: randomUUID(), resolution: "resolved", reason: "bad\u0000reason" },
      { tenantId: env.fx.tenants.acme, alertId: randomUUID(), resolution: "new", reason: "fixed it" },
    ],
  },
  "lib/actions/alerts/assign-alert.ts#assignAlert": {
    guard: "tenantAction",
    pdp: "alerts:triage",
    audit: "alerts:assign",
    valid: async (env) => ({ tenantId: env.fx.tenants.acme, alertId: await alertIn(env, "acme", "new"), assigneeId: env.fx.users.acmeAnalyst }),
    foreignObject: async (env) => ({ tenantId: env.fx.tenants.acme, alertId: await alertIn(env, "globex", "new"), assigneeId: env.fx.users.acmeAnalyst }),
    malformed: (env) => [
      ...badTenantIds({ alertId: randomUUID(), assigneeId: "" }),
      { tenantId: env.fx.tenants.acme, alertId: randomUUID(), assigneeId: "someone" },
      { tenantId: env.fx.tenants.acme, alertId: randomUUID() },
    ],
  },
  "lib/actions/alerts/comment-on-alert.ts#commentOnAlert": {
    guard: "tenantAction",
    pdp: "alerts:triage",
    audit: "alerts:comment",
    valid: async (env) => ({ tenantId: env.fx.tenants.acme, alertId: await alertIn(env, "acme", "new"), body: "Looked at it" }),
    foreignObject: async (env) => ({ tenantId: env.fx.tenants.acme, alertId: await alertIn(env, "globex", "new"), body: "Looked at it" }),
    malformed: (env) => [
      ...badTenantIds({ alertId: randomUUID(), body: "hi" }),
      { tenantId: env.fx.tenants.acme, alertId: randomUUID(), body: "" },
      { tenantId: env.fx.tenants.acme, alertId: randomUUID(), body: "x".repeat(4001) },
      { tenantId: env.fx.tenants.acme, alertId: randomUUID() },
    ],
  },
  "lib/actions/alerts/bulk-triage.ts#bulkAcknowledge": {
    guard: "tenantAction",
    pdp: "alerts:triage",
    audit: "alerts:bulk-acknowledge",
    valid: async (env) => ({ tenantId: env.fx.tenants.acme, alerts: await alertKeys(env, "acme", "new", 2) }),
    foreignObject: async (env) => ({ tenantId: env.fx.tenants.acme, alerts: await alertKeys(env, "globex", "new", 2) }),
    malformed: (env) => [
      ...badTenantIds({ alerts: `${randomUUID()}:${randomUUID()}` }),
      { tenantId: env.fx.tenants.acme, alerts: "" },
      { tenantId: env.fx.tenants.acme, alerts: "not-a-pair" },
      { tenantId: env.fx.tenants.acme, alerts: Array.from({ length: 101 }, () => `${randomUUID()}:${randomUUID()}`).join(",") },
    ],
  },
  "lib/actions/alerts/bulk-triage.ts#bulkAssign": {
    guard: "tenantAction",
    pdp: "alerts:triage",
    audit: "alerts:bulk-assign",
    valid: async (env) => ({ tenantId: env.fx.tenants.acme, alerts: await alertKeys(env, "acme", "new", 2), assigneeId: env.fx.users.acmeAnalyst }),
    foreignObject: async (env) => ({ tenantId: env.fx.tenants.acme, alerts: await alertKeys(env, "globex", "new", 1), assigneeId: env.fx.users.acmeAnalyst }),
    malformed: (env) => [...badTenantIds({ alerts: `${randomUUID()}:${randomUUID()}`, assigneeId: "" }), { tenantId: env.fx.tenants.acme, alerts: `${randomUUID()}:${randomUUID()}`, assigneeId: "x" }],
  },
  "lib/actions/alerts/bulk-triage.ts#bulkClose": {
    guard: "tenantAction",
    pdp: "alerts:triage",
    audit: "alerts:bulk-close",
    valid: async (env) => ({ tenantId: env.fx.tenants.acme, alerts: await alertKeys(env, "acme", "acknowledged", 2), resolution: "false_positive", reason: "Known scanner" }),
    foreignObject: async (env) => ({ tenantId: env.fx.tenants.acme, alerts: await alertKeys(env, "globex", "acknowledged", 1), resolution: "false_positive", reason: "Known scanner" }),
    malformed: (env) => [
      ...badTenantIds({ alerts: `${randomUUID()}:${randomUUID()}`, resolution: "resolved", reason: "done" }),
      { tenantId: env.fx.tenants.acme, alerts: `${randomUUID()}:${randomUUID()}`, resolution: "resolved" },
      { tenantId: env.fx.tenants.acme, alerts: `${randomUUID()}:${randomUUID()}`, resolution: "closed", reason: "done" },
    ],
  },
  "lib/actions/alerts/saved-filters.ts#saveAlertFilter": {
    guard: "tenantAction",
    pdp: "alerts:read",
    audit: "alerts:save-filter",
    valid: async (env) => ({ tenantId: env.fx.tenants.acme, name: unique("view"), query: "?q=powershell&status=open" }),
    malformed: (env) => [
      ...badTenantIds({ name: "x", query: "" }),
      { tenantId: env.fx.tenants.acme, name: "", query: "?q=x" },
      { tenantId: env.fx.tenants.acme, name: "x".repeat(81), query: "?q=x" },
      { tenantId: env.fx.tenants.acme, name: "ok", query: "?q=".padEnd(1001, "x") },
    ],
  },
  "lib/actions/alerts/saved-filters.ts#deleteAlertFilter": {
    guard: "tenantAction",
    pdp: "alerts:read",
    audit: "alerts:delete-filter",
    // A person deletes only their own; one already gone (or never theirs) is a no-op that says so
    // (tests/alert-triage.test.ts deletes a real one and shows another person's stays).
    valid: async (env) => ({ tenantId: env.fx.tenants.acme, filterId: randomUUID() }),
    malformed: (env) => [...badTenantIds({ filterId: randomUUID() }), { tenantId: env.fx.tenants.acme, filterId: "x" }],
  },

  // --- settings ------------------------------------------------------------
  "lib/actions/settings/set-setting.ts#setSetting": {
    guard: "tenantAction",
    pdp: "settings:manage",
    audit: "setting.set",
    // A setting tenant admins may change (changedBy "tenant"); MFA stays off so no one is held at enrolment.
    valid: async (env, home) => ({ tenantId: home === "acme" ? env.fx.tenants.acme : env.fx.tenants.globex, key: "locale.time_zone", value: "Europe/Paris" }),
    malformed: (env) => [
      ...badTenantIds({ key: "locale.time_zone", value: "UTC" }),
      { tenantId: env.fx.tenants.acme, key: "Not A Key", value: "UTC" },
      { tenantId: env.fx.tenants.acme, key: "nodots", value: "UTC" },
      { tenantId: env.fx.tenants.acme, key: `locale.${"x".repeat(120)}`, value: "UTC" },
      { tenantId: env.fx.tenants.acme, key: "locale.time_zone", value: "x".repeat(4001) },
      { tenantId: env.fx.tenants.acme, key: "locale.time_zone" },
    ],
  },
  "lib/actions/settings/clear-setting.ts#clearSetting": {
    guard: "tenantAction",
    pdp: "settings:manage",
    audit: "setting.cleared",
    valid: async (env, home) => {
      const t = await freshFor(env, home);
      await ownerQuery(env.url, "insert into public.tenant_settings (tenant_id, key, value) values ($1, 'locale.language', '\"de-DE\"')", [t.id]);
      return { tenantId: t.id, key: "locale.language" };
    },
    malformed: (env) => [...badTenantIds({ key: "locale.language" }), { tenantId: env.fx.tenants.acme, key: "../x" }, { tenantId: env.fx.tenants.acme }],
  },
  "lib/actions/settings/lock-setting.ts#lockSetting": {
    guard: "tenantAction",
    pdp: "settings:manage",
    audit: "setting.locked",
    valid: async (env, home) => ({ tenantId: (await freshFor(env, home)).id, key: "sla.high.ack_minutes" }),
    malformed: (env) => [...badTenantIds({ key: "sla.high.ack_minutes" }), { tenantId: env.fx.tenants.acme, key: "SLA" }],
  },
  "lib/actions/settings/lock-setting.ts#unlockSetting": {
    guard: "tenantAction",
    pdp: "settings:manage",
    audit: "setting.unlocked",
    valid: async (env, home) => {
      const t = await freshFor(env, home);
      await ownerQuery(env.url, "insert into public.tenant_settings (tenant_id, key, value, locked) values ($1, 'sla.high.ack_minutes', '30', true)", [t.id]);
      return { tenantId: t.id, key: "sla.high.ack_minutes" };
    },
    malformed: (env) => [...badTenantIds({ key: "sla.high.ack_minutes" }), { tenantId: env.fx.tenants.acme, key: "" }],
  },

  // --- team ----------------------------------------------------------------
  "lib/actions/team/invite-member.ts#inviteMember": {
    guard: "tenantAction",
    pdp: "users:manage",
    audit: "team:invite",
    valid: async (env) => ({ tenantId: env.fx.tenants.acme, email: `${unique("invitee")}@example.test`, role: "tenant_viewer" }),
    malformed: (env) => [
      ...badTenantIds({ email: "a@example.test", role: "tenant_viewer" }),
      { tenantId: env.fx.tenants.acme, email: "not-an-email", role: "tenant_viewer" },
      { tenantId: env.fx.tenants.acme, email: "a@example.test", role: "owner" },
      { tenantId: env.fx.tenants.acme, email: `${"a".repeat(250)}@example.test`, role: "tenant_viewer" },
    ],
  },
  "lib/actions/team/change-member-role.ts#changeMemberRole": {
    guard: "tenantAction",
    pdp: "users:manage",
    audit: "team:change-role",
    valid: async (env) => ({ tenantId: env.fx.tenants.acme, userId: await memberOf(env, "acme"), role: "tenant_analyst" }),
    foreignObject: async (env) => ({ tenantId: env.fx.tenants.acme, userId: await memberOf(env, "globex"), role: "tenant_analyst" }),
    malformed: (env) => [...badTenantIds({ userId: randomUUID(), role: "tenant_viewer" }), { tenantId: env.fx.tenants.acme, userId: randomUUID(), role: "superuser" }],
  },
  "lib/actions/team/remove-member.ts#removeMember": {
    guard: "tenantAction",
    pdp: "users:manage",
    audit: "team:remove",
    valid: async (env) => ({ tenantId: env.fx.tenants.acme, userId: await memberOf(env, "acme") }),
    foreignObject: async (env) => ({ tenantId: env.fx.tenants.acme, userId: await memberOf(env, "globex") }),
    malformed: (env) => [...badTenantIds({ userId: randomUUID() }), { tenantId: env.fx.tenants.acme, userId: "me" }],
  },
  "lib/actions/team/revoke-invitation.ts#revokeInvitation": {
    guard: "tenantAction",
    pdp: "users:manage",
    audit: "team:revoke-invite",
    valid: async (env) => ({ tenantId: env.fx.tenants.acme, invitationId: await invitationIn(env, "acme") }),
    foreignObject: async (env) => ({ tenantId: env.fx.tenants.acme, invitationId: await invitationIn(env, "globex") }),
    malformed: (env) => [...badTenantIds({ invitationId: randomUUID() }), { tenantId: env.fx.tenants.acme, invitationId: "x" }],
  },
  "lib/actions/team/resend-invitation.ts#resendInvitation": {
    guard: "tenantAction",
    pdp: "users:manage",
    audit: "team:resend-invite",
    valid: async (env) => ({ tenantId: env.fx.tenants.acme, invitationId: await invitationIn(env, "acme") }),
    foreignObject: async (env) => ({ tenantId: env.fx.tenants.acme, invitationId: await invitationIn(env, "globex") }),
    malformed: (env) => [...badTenantIds({ invitationId: randomUUID() }), { tenantId: env.fx.tenants.acme, invitationId: "x" }],
  },
  "lib/actions/team/accept-invitation.ts#previewInvitationAction": {
    guard: "invitee",
    argument: "token",
    malformed: (): FormFields[] => [{}, { token: "" }, { token: "short" }, { token: "a".repeat(200) }, { token: "../../" }],
  },
  "lib/actions/team/accept-invitation.ts#sendInvitationCodeAction": {
    guard: "invitee",
    malformed: (): FormFields[] => [{}, { token: "" }, { token: "short" }, { token: "a".repeat(44) }],
  },
  "lib/actions/team/accept-invitation.ts#acceptInvitationAction": {
    guard: "invitee",
    malformed: (): FormFields[] => [{}, { token: "short", code: "123456" }, { token: "a".repeat(43), code: "12345" }, { token: "a".repeat(43) }],
  },
  "lib/actions/team/accept-invitation.ts#createInvitedAccountAction": {
    guard: "invitee",
    malformed: (): FormFields[] => [{}, { token: "x", code: "123456", name: "A", password: "a-long-enough-password" }, { token: "a".repeat(43), code: "123456", name: "A", password: "short" }],
  },

  // --- password reset (before sign-in) --------------------------------------
  "lib/actions/account/reset-password.ts#requestPasswordResetAction": { guard: "public", malformed: (): FormFields[] => [{}, { email: "nope" }, { email: `${"a".repeat(250)}@example.test` }] },
  "lib/actions/account/reset-password.ts#resetPasswordAction": {
    guard: "public",
    malformed: (): FormFields[] => [
      {},
      { email: "a@example.test", code: "12345", password: "a-long-enough-password", confirm: "a-long-enough-password" },
      { email: "a@example.test", code: "123456", password: "short", confirm: "short" },
      { email: "a@example.test", code: "123456", password: "a-long-enough-password", confirm: "another-long-password" },
    ],
  },

  // --- the signed-in person's own two-step verification --------------------
  // Setting up (and replacing) the app asks for the password first: without one, nothing is checked or spent.
  "lib/actions/account/mfa.ts#startEnrolmentAction": {
    guard: "self",
    malformed: (): FormFields[] => [{}, { restart: "1" }, { password: "" }, { restart: "2", password: "x" }, { restart: "yes", password: "x" }, { password: "x".repeat(1025) }],
    refusalSpends: PASSWORD_CHECK,
  },
  "lib/actions/account/mfa.ts#confirmEnrolmentAction": { guard: "self", malformed: (): FormFields[] => [{}, { code: "12345" }, { code: "abcdef" }, { code: "1234567" }] },
  "lib/actions/account/mfa.ts#startReplacementAction": {
    guard: "self",
    malformed: (): FormFields[] => [{}, { code: "123456" }, { password: "", code: "123456" }, { password: "x" }, { password: "x", code: "   " }, { password: "x", code: "x".repeat(65) }],
    refusalSpends: PASSWORD_CHECK,
  },
  "lib/actions/account/mfa.ts#confirmReplacementAction": { guard: "self", malformed: (): FormFields[] => [{}, { code: "12345" }, { code: "abcdef" }, { code: "1234567" }] },
  // Takes no input: nothing to be malformed (signed out it refuses, tests/actions-self.test.ts).
  "lib/actions/account/mfa.ts#cancelReplacementAction": { guard: "self", malformed: (): FormFields[] => [] },
  "lib/actions/account/mfa.ts#regenerateRecoveryCodesAction": { guard: "self", malformed: (): FormFields[] => [{}, { code: "" }, { code: "x".repeat(65) }] },
  "lib/actions/account/mfa.ts#disableMfaAction": { guard: "self", malformed: (): FormFields[] => [{}, { code: "   " }, { code: "x".repeat(65) }] },

  // --- workflows -------------------------------------------------------------
  "lib/actions/workflows/create-channel.ts#createChannel": {
    guard: "tenantAction",
    pdp: "settings:manage",
    audit: "workflow.channel-created",
    valid: async (env) => ({ tenantId: env.fx.tenants.acme, name: unique("mail"), kind: "email", recipients: "soc@example.test" }),
    malformed: (env) => [
      ...badTenantIds({ name: "x", kind: "email", recipients: "a@example.test" }),
      { tenantId: env.fx.tenants.acme, name: "x", kind: "sms", recipients: "a@example.test" },
      { tenantId: env.fx.tenants.acme, name: "x", kind: "email", recipients: "not-an-address" },
      { tenantId: env.fx.tenants.acme, name: "x", kind: "webhook" },
      { tenantId: env.fx.tenants.acme, name: "", kind: "email", recipients: "a@example.test" },
    ],
  },
  "lib/actions/workflows/delete-channel.ts#deleteChannel": {
    guard: "tenantAction",
    pdp: "settings:manage",
    audit: "workflow.channel-deleted",
    valid: async (env) => ({ tenantId: env.fx.tenants.acme, channelId: await channelIn(env, "acme") }),
    foreignObject: async (env) => ({ tenantId: env.fx.tenants.acme, channelId: await channelIn(env, "globex") }),
    malformed: (env) => [...badTenantIds({ channelId: randomUUID() }), { tenantId: env.fx.tenants.acme, channelId: "x" }],
  },
  "lib/actions/workflows/test-channel.ts#testChannel": {
    guard: "tenantAction",
    pdp: "settings:manage",
    audit: "workflow.channel-tested",
    valid: async (env) => ({ tenantId: env.fx.tenants.acme, channelId: await channelIn(env, "acme") }),
    foreignObject: async (env) => ({ tenantId: env.fx.tenants.acme, channelId: await channelIn(env, "globex") }),
    malformed: (env) => [...badTenantIds({ channelId: randomUUID() }), { tenantId: env.fx.tenants.acme }],
  },
  "lib/actions/workflows/channel-settings.ts#replaceChannelSecret": {
    guard: "tenantAction",
    pdp: "settings:manage",
    audit: "workflow.channel-secret-replaced",
    valid: async (env) => ({ tenantId: env.fx.tenants.acme, channelId: await webhookIn(env, "acme") }),
    foreignObject: async (env) => ({ tenantId: env.fx.tenants.acme, channelId: await channelIn(env, "globex") }),
    malformed: (env) => [...badTenantIds({ channelId: randomUUID() }), { tenantId: env.fx.tenants.acme, channelId: "x" }],
  },
  "lib/actions/workflows/channel-settings.ts#setChannelEnabled": {
    guard: "tenantAction",
    pdp: "settings:manage",
    audit: "workflow.channel-changed",
    valid: async (env) => ({ tenantId: env.fx.tenants.acme, channelId: await channelIn(env, "acme"), enabled: "false" }),
    foreignObject: async (env) => ({ tenantId: env.fx.tenants.acme, channelId: await channelIn(env, "globex"), enabled: "false" }),
    malformed: (env) => [...badTenantIds({ channelId: randomUUID(), enabled: "true" }), { tenantId: env.fx.tenants.acme, channelId: randomUUID(), enabled: "maybe" }],
  },
  "lib/actions/workflows/save-rule.ts#createRule": {
    guard: "tenantAction",
    pdp: "settings:manage",
    audit: "workflow.rule-created",
    valid: async (env) => ruleForm(env),
    foreignObject: async (env) => ruleForm(env, { assignTo: "", notify: await channelIn(env, "globex") }),
    malformed: (env) => [
      ...badTenantIds({ name: "x", cond0_field: "severity", cond0_op: "is", cond0_value: "high", assignTo: env.fx.users.acmeAnalyst }),
      ruleForm(env, { cond0_field: "asset_tag" }),
      ruleForm(env, { cond0_field: "title", cond0_op: "at_least" }),
      ruleForm(env, { cond0_value: "urgent" }),
      ruleForm(env, { assignTo: "" }),
      ruleForm(env, { escalateAfter: "0" }),
    ],
  },
  "lib/actions/workflows/save-rule.ts#updateRule": {
    guard: "tenantAction",
    pdp: "settings:manage",
    audit: "workflow.rule-changed",
    valid: async (env) => ruleForm(env, { ruleId: await ruleIn(env, "acme"), version: "1" }),
    foreignObject: async (env) => ruleForm(env, { ruleId: await ruleIn(env, "globex"), version: "1" }),
    malformed: (env) => [
      ...badTenantIds({ ruleId: randomUUID(), version: "1", name: "x" }),
      ruleForm(env, { ruleId: "x", version: "1" }),
      ruleForm(env, { ruleId: randomUUID(), version: "1", cond0_op: "near" }),
      // Which version the form edits is part of the form.
      ruleForm(env, { ruleId: randomUUID() }),
      ruleForm(env, { ruleId: randomUUID(), version: "0" }),
    ],
  },
  "lib/actions/workflows/set-rule-enabled.ts#setRuleEnabled": {
    guard: "tenantAction",
    pdp: "settings:manage",
    audit: "workflow.rule-changed",
    valid: async (env) => ({ tenantId: env.fx.tenants.acme, ruleId: await ruleIn(env, "acme"), enabled: "false" }),
    foreignObject: async (env) => ({ tenantId: env.fx.tenants.acme, ruleId: await ruleIn(env, "globex"), enabled: "false" }),
    malformed: (env) => [...badTenantIds({ ruleId: randomUUID(), enabled: "true" }), { tenantId: env.fx.tenants.acme, ruleId: randomUUID(), enabled: "maybe" }],
  },
  "lib/actions/workflows/set-rule-enabled.ts#deleteRule": {
    guard: "tenantAction",
    pdp: "settings:manage",
    audit: "workflow.rule-deleted",
    valid: async (env) => ({ tenantId: env.fx.tenants.acme, ruleId: await ruleIn(env, "acme") }),
    foreignObject: async (env) => ({ tenantId: env.fx.tenants.acme, ruleId: await ruleIn(env, "globex") }),
    malformed: (env) => [...badTenantIds({ ruleId: randomUUID() }), { tenantId: env.fx.tenants.acme, ruleId: "../x" }],
  },

  // --- custom domains (lib/domains; tenant /domains) ------------------------------
  "lib/actions/domains/add-domain.ts#addDomain": {
    guard: "tenantAction",
    pdp: "domains:manage",
    audit: "domain.added",
    valid: async (env) => ({ tenantId: env.fx.tenants.acme, domain: `${unique("soc")}.customer.test` }),
    malformed: (env) => [...badTenantIds({ domain: "soc.customer.test" }), { tenantId: env.fx.tenants.acme, domain: "" }, { tenantId: env.fx.tenants.acme, domain: "x".repeat(301) }],
  },
  "lib/actions/domains/verify-domain.ts#verifyDomain": {
    guard: "tenantAction",
    pdp: "domains:manage",
    audit: "domain.verified",
    valid: async (env) => ({ tenantId: env.fx.tenants.acme, domainId: await domainIn(env, "acme") }),
    foreignObject: async (env) => ({ tenantId: env.fx.tenants.acme, domainId: await domainIn(env, "globex") }),
    malformed: (env) => [...badTenantIds({ domainId: randomUUID() }), { tenantId: env.fx.tenants.acme, domainId: "../x" }],
  },
  "lib/actions/domains/remove-domain.ts#removeDomain": {
    guard: "tenantAction",
    pdp: "domains:manage",
    audit: "domain.removed",
    valid: async (env) => ({ tenantId: env.fx.tenants.acme, domainId: await domainIn(env, "acme") }),
    foreignObject: async (env) => ({ tenantId: env.fx.tenants.acme, domainId: await domainIn(env, "globex") }),
    malformed: (env) => [...badTenantIds({ domainId: randomUUID() }), { tenantId: env.fx.tenants.acme, domainId: "../x" }],
  },

  // --- branding (lib/branding; tenant /settings/brand, console /customers/<slug>/brand) ---
  "lib/actions/branding/brand.ts#saveBrandDraft": {
    guard: "tenantAction",
    pdp: "branding:manage",
    audit: "brand.draft-saved",
    valid: async (env) => ({ tenantId: env.fx.tenants.acme, ...brandFields() }),
    malformed: (env) => [
      ...badTenantIds(brandFields()),
      { tenantId: env.fx.tenants.acme, ...brandFields({ productName: "x".repeat(61) }) },
      { tenantId: env.fx.tenants.acme, ...brandFields({ primaryColor: "#".padEnd(21, "1") }) },
      { tenantId: env.fx.tenants.acme, ...brandFields({ signinText: "x".repeat(301) }) },
      { tenantId: env.fx.tenants.acme, ...brandFields({ supportUrl: `https://help.example.com/${"x".repeat(480)}` }) },
      { tenantId: env.fx.tenants.acme, ...brandFields({ emailSenderName: "x".repeat(61) }) },
    ],
  },
  "lib/actions/branding/brand.ts#uploadBrandImage": {
    guard: "tenantAction",
    pdp: "branding:manage",
    audit: "brand.asset-uploaded",
    valid: async (env) => ({ tenantId: env.fx.tenants.acme, field: "logoLight", file: pngFile() }),
    malformed: (env) => [
      ...badTenantIds({ field: "favicon", file: pngFile() }),
      { tenantId: env.fx.tenants.acme, field: "banner", file: pngFile() },
      { tenantId: env.fx.tenants.acme, file: pngFile() },
      { tenantId: env.fx.tenants.acme, field: "logoDark" },
      { tenantId: env.fx.tenants.acme, field: "logoDark", file: new File([], "empty.png", { type: "image/png" }) },
      { tenantId: env.fx.tenants.acme, field: "logoDark", file: "iVBORw0KGgo=" },
    ],
  },
  "lib/actions/branding/brand.ts#inheritBrandField": {
    guard: "tenantAction",
    pdp: "branding:manage",
    audit: "brand.draft-saved",
    valid: async (env) => ({ tenantId: env.fx.tenants.acme, field: "productName" }),
    malformed: (env) => [
      ...badTenantIds({ field: "productName" }),
      { tenantId: env.fx.tenants.acme, field: "hideMsspBrand" },
      { tenantId: env.fx.tenants.acme, field: "__proto__" },
      { tenantId: env.fx.tenants.acme },
    ],
  },
  "lib/actions/branding/brand.ts#publishBrand": {
    guard: "tenantAction",
    pdp: "branding:manage",
    audit: "brand.published",
    valid: async (env) => ({ tenantId: await brandDraftIn(env, "acme") }),
    malformed: () => badTenantIds({}),
  },
  "lib/actions/branding/brand.ts#discardBrandDraft": {
    guard: "tenantAction",
    pdp: "branding:manage",
    audit: "brand.draft-discarded",
    valid: async (env) => ({ tenantId: await brandDraftIn(env, "acme") }),
    malformed: () => badTenantIds({}),
  },
  "lib/actions/branding/brand.ts#setWhitelabel": {
    guard: "tenantAction",
    pdp: "branding:whitelabel",
    audit: "brand.whitelabel-changed",
    valid: async (env) => ({ tenantId: env.fx.tenants.acme, on: "true" }),
    malformed: (env) => [...badTenantIds({ on: "true" }), { tenantId: env.fx.tenants.acme, on: "yes" }, { tenantId: env.fx.tenants.acme, on: "" }, { tenantId: env.fx.tenants.acme }],
  },

  // --- reports (lib/reports; console /reports, tenant /reports) ---------------
  "lib/actions/reports/generate-report.ts#generateReport": {
    guard: "tenantAction",
    pdp: "reports:export",
    audit: "reports:requested",
    valid: async (env) => ({ tenantId: env.fx.tenants.acme, ...reportFields() }),
    malformed: (env) => [
      ...badTenantIds(reportFields()),
      { tenantId: env.fx.tenants.acme, ...reportFields({ kind: "weekly" }) },
      { tenantId: env.fx.tenants.acme, ...reportFields({ from: "2026-10-31", to: "2026-10-01" }) },
      { tenantId: env.fx.tenants.acme, ...reportFields({ from: "2024-01-01", to: "2026-01-01" }) },
      { tenantId: env.fx.tenants.acme, ...reportFields({ from: "last tuesday" }) },
    ],
  },
  "lib/actions/reports/create-schedule.ts#createSchedule": {
    guard: "tenantAction",
    pdp: "reports:export",
    audit: "reports:schedule-created",
    // A recipient who can open acme's reports (lib/reports/recipients.ts): its admin.
    valid: async (env) => ({ tenantId: env.fx.tenants.acme, kind: "operational", format: "csv", cadence: "weekly", recipients: emailOf("acmeAdmin") }),
    malformed: (env) => [
      ...badTenantIds({ kind: "executive", format: "pdf", cadence: "monthly", recipients: "" }),
      { tenantId: env.fx.tenants.acme, kind: "executive", format: "pdf", cadence: "daily", recipients: "" },
      { tenantId: env.fx.tenants.acme, kind: "executive", format: "pdf", cadence: "monthly", recipients: "not-an-address" },
    ],
  },
  "lib/actions/reports/delete-schedule.ts#deleteSchedule": {
    guard: "tenantAction",
    pdp: "reports:export",
    audit: "reports:schedule-deleted",
    valid: async (env) => ({ tenantId: env.fx.tenants.acme, scheduleId: await scheduleIn(env, "acme") }),
    foreignObject: async (env) => ({ tenantId: env.fx.tenants.acme, scheduleId: await scheduleIn(env, "globex") }),
    malformed: (env) => [...badTenantIds({ scheduleId: randomUUID() }), { tenantId: env.fx.tenants.acme, scheduleId: "../x" }],
  },
  "lib/actions/reports/resume-schedule.ts#resumeSchedule": {
    guard: "tenantAction",
    pdp: "reports:export",
    audit: "reports:schedule-resumed",
    valid: async (env) => ({ tenantId: env.fx.tenants.acme, scheduleId: await pausedScheduleIn(env, "acme") }),
    foreignObject: async (env) => ({ tenantId: env.fx.tenants.acme, scheduleId: await pausedScheduleIn(env, "globex") }),
    malformed: (env) => [...badTenantIds({ scheduleId: randomUUID() }), { tenantId: env.fx.tenants.acme, scheduleId: "../x" }],
  },

  // --- billing (lib/billing; console /billing) --------------------------------
  // --- bulk operations (bulk:run on the MSSP; each tenant's change is the worker's, tests/bulk-*.test.ts) ---
  "lib/actions/bulk/plan-bulk-run.ts#planBulkRun": {
    guard: "tenantAction",
    pdp: "bulk:run",
    audit: "bulk:planned",
    valid: async (env, home) => ({ tenantId: bulkHome(env, home), rootId: env.fx.tenants.acme, kinds: "all", operation: "setting", key: "locale.time_zone", mode: "set", value: "Europe/Paris" }),
    malformed: (env) => [
      ...badTenantIds({ rootId: env.fx.tenants.acme, operation: "setting", key: "locale.time_zone", value: "UTC" }),
      // A typed root naming no customer ("x" alone would name Tenant globex: lib/bulk/select.ts selectionRootOf).
      { tenantId: env.fx.tenants["mssp-a"], rootId: "no such customer", operation: "setting", key: "locale.time_zone", value: "UTC" },
      { tenantId: env.fx.tenants["mssp-a"], rootId: env.fx.tenants.acme, operation: "explode" },
      { tenantId: env.fx.tenants["mssp-a"], rootId: env.fx.tenants.acme, kinds: "planets", operation: "resume" },
    ],
  },
  "lib/actions/bulk/start-bulk-run.ts#startBulkRun": {
    guard: "tenantAction",
    pdp: "bulk:run",
    audit: "bulk:started",
    valid: async (env, home) => ({ tenantId: bulkHome(env, home), runId: await bulkRunIn(env, "planned"), confirm: "1", canary: "" }),
    malformed: (env) => [
      ...badTenantIds({ runId: randomUUID(), confirm: "1" }),
      { tenantId: env.fx.tenants["mssp-a"], runId: "x", confirm: "1" },
      { tenantId: env.fx.tenants["mssp-a"], runId: randomUUID(), confirm: "many" },
      { tenantId: env.fx.tenants["mssp-a"], runId: randomUUID(), confirm: "1", canary: "-3" },
    ],
  },
  "lib/actions/bulk/control-bulk-run.ts#stopBulkRun": {
    guard: "tenantAction",
    pdp: "bulk:run",
    audit: "bulk:stopped",
    valid: async (env, home) => ({ tenantId: bulkHome(env, home), runId: await bulkRunIn(env, "running") }),
    malformed: (env) => [...badTenantIds({ runId: randomUUID() }), { tenantId: env.fx.tenants["mssp-a"], runId: "../x" }],
  },
  "lib/actions/bulk/control-bulk-run.ts#continueBulkRun": {
    guard: "tenantAction",
    pdp: "bulk:run",
    audit: "bulk:continued",
    valid: async (env, home) => ({ tenantId: bulkHome(env, home), runId: await bulkRunIn(env, "paused") }),
    malformed: (env) => [...badTenantIds({ runId: randomUUID() }), { tenantId: env.fx.tenants["mssp-a"], runId: "../x" }],
  },
  "lib/actions/bulk/control-bulk-run.ts#undoBulkRun": {
    guard: "tenantAction",
    pdp: "bulk:run",
    audit: "bulk:undo-started",
    valid: async (env, home) => ({ tenantId: bulkHome(env, home), runId: await bulkRunIn(env, "finished") }),
    malformed: (env) => [...badTenantIds({ runId: randomUUID() }), { tenantId: env.fx.tenants["mssp-a"], runId: "../x" }],
  },
  "lib/actions/bulk/control-bulk-run.ts#discardBulkRun": {
    guard: "tenantAction",
    pdp: "bulk:run",
    audit: "bulk:discarded",
    valid: async (env, home) => ({ tenantId: bulkHome(env, home), runId: await bulkRunIn(env, "planned") }),
    malformed: (env) => [...badTenantIds({ runId: randomUUID() }), { tenantId: env.fx.tenants["mssp-a"], runId: "../x" }],
  },
  "lib/actions/billing/create-plan.ts#createPlan": {
    guard: "tenantAction",
    pdp: "billing:manage",
    audit: "billing:plan-created",
    valid: async (env, home) => ({ tenantId: home === "mssp-a" ? env.fx.tenants["mssp-a"] : env.fx.tenants.acme, ...planFields() }),
    malformed: (env) => [
      ...badTenantIds(planFields()),
      { tenantId: env.fx.tenants["mssp-a"], ...planFields({ baseFee: "-1" }) },
      { tenantId: env.fx.tenants["mssp-a"], ...planFields({ baseFee: "12.505" }) },
      { tenantId: env.fx.tenants["mssp-a"], ...planFields({ currency: "euro" }) },
      { tenantId: env.fx.tenants["mssp-a"], ...planFields({ tiers_assets_managed: "100 @ -5, @ 4" }) },
      { tenantId: env.fx.tenants["mssp-a"], ...planFields({ name: "" }) },
    ],
  },
  "lib/actions/billing/update-plan.ts#updatePlan": {
    guard: "tenantAction",
    pdp: "billing:manage",
    audit: "billing:plan-updated",
    valid: async (env, home) => ({ tenantId: home === "mssp-a" ? env.fx.tenants["mssp-a"] : env.fx.tenants.acme, planId: await planOf(env), ...planFields() }),
    malformed: (env) => [...badTenantIds({ planId: randomUUID(), ...planFields() }), { tenantId: env.fx.tenants["mssp-a"], planId: "x", ...planFields() }, { tenantId: env.fx.tenants["mssp-a"], planId: randomUUID(), ...planFields({ minimum: "1.505" }) }],
  },
  "lib/actions/billing/delete-plan.ts#deletePlan": {
    guard: "tenantAction",
    pdp: "billing:manage",
    audit: "billing:plan-deleted",
    valid: async (env, home) => ({ tenantId: home === "mssp-a" ? env.fx.tenants["mssp-a"] : env.fx.tenants.acme, planId: await planOf(env) }),
    malformed: (env) => [...badTenantIds({ planId: randomUUID() }), { tenantId: env.fx.tenants["mssp-a"], planId: "x" }, { tenantId: env.fx.tenants["mssp-a"] }],
  },
  "lib/actions/billing/assign-plan.ts#assignPlan": {
    guard: "tenantAction",
    pdp: "billing:manage",
    audit: "billing:plan-assigned",
    valid: async (env, home) => ({ tenantId: home === "mssp-a" ? (await env.freshTenant("mssp-a", "customer")).id : env.fx.tenants.acme, planId: await planOf(env), from: "2026-01" }),
    malformed: (env) => [
      ...badTenantIds({ planId: randomUUID(), from: "2026-01" }),
      { tenantId: env.fx.tenants.acme, planId: randomUUID(), from: "2026-13" },
      { tenantId: env.fx.tenants.acme, planId: "x", from: "2026-01" },
      { tenantId: env.fx.tenants.acme, planId: randomUUID(), from: "2026-01", replace: "yes please" },
    ],
  },
  "lib/actions/billing/draft-period.ts#draftPeriod": {
    guard: "tenantAction",
    pdp: "billing:manage",
    audit: "billing:period-drafted",
    valid: async (env, home) => ({ tenantId: home === "mssp-a" ? env.fx.tenants["mssp-a"] : env.fx.tenants.acme, month: "2026-10" }),
    malformed: (env) => [...badTenantIds({ month: "2026-10" }), { tenantId: env.fx.tenants["mssp-a"], month: "October" }, { tenantId: env.fx.tenants["mssp-a"] }],
  },
  "lib/actions/billing/finalize-invoice.ts#finalizeInvoice": {
    guard: "tenantAction",
    pdp: "billing:manage",
    audit: "billing:invoice-finalized",
    valid: async (env) => ({ tenantId: env.fx.tenants.acme, invoiceId: await finalizableInvoiceIn(env, "acme") }),
    foreignObject: async (env) => ({ tenantId: env.fx.tenants.acme, invoiceId: await invoiceIn(env, "globex", false) }),
    malformed: (env) => [...badTenantIds({ invoiceId: randomUUID() }), { tenantId: env.fx.tenants.acme, invoiceId: "../x" }],
  },
  "lib/actions/billing/create-credit-note.ts#createCreditNote": {
    guard: "tenantAction",
    pdp: "billing:manage",
    audit: "billing:credit-note-created",
    // Typed in the invoice's currency's major units: 1.00 EUR of its 10.00.
    valid: async (env) => ({ tenantId: env.fx.tenants.acme, invoiceId: await invoiceIn(env, "acme", true), currency: "EUR", amount: "1.00", reason: "Goodwill" }),
    foreignObject: async (env) => ({ tenantId: env.fx.tenants.acme, invoiceId: await invoiceIn(env, "globex", true), currency: "EUR", amount: "1.00", reason: "Goodwill" }),
    malformed: (env) => [
      ...badTenantIds({ invoiceId: randomUUID(), currency: "EUR", amount: "1.00", reason: "Goodwill" }),
      { tenantId: env.fx.tenants.acme, invoiceId: randomUUID(), currency: "EUR", amount: "-1.00", reason: "Goodwill" },
      { tenantId: env.fx.tenants.acme, invoiceId: randomUUID(), currency: "EUR", amount: "1.505", reason: "Goodwill" },
      { tenantId: env.fx.tenants.acme, invoiceId: randomUUID(), currency: "EUR", amount: "0", reason: "Goodwill" },
      { tenantId: env.fx.tenants.acme, invoiceId: randomUUID(), currency: "euro", amount: "1.00", reason: "Goodwill" },
      { tenantId: env.fx.tenants.acme, invoiceId: randomUUID(), currency: "EUR", amount: "1.00", reason: "" },
    ],
  },

  "lib/actions/billing/discard-credit-note.ts#discardCreditNote": {
    guard: "tenantAction",
    pdp: "billing:manage",
    audit: "billing:credit-note-discarded",
    valid: async (env) => ({ tenantId: env.fx.tenants.acme, invoiceId: await draftCreditNoteIn(env, "acme") }),
    foreignObject: async (env) => ({ tenantId: env.fx.tenants.acme, invoiceId: await draftCreditNoteIn(env, "globex") }),
    malformed: (env) => [...badTenantIds({ invoiceId: randomUUID() }), { tenantId: env.fx.tenants.acme, invoiceId: "../x" }],
  },

  // --- assignee groups (lib/groups; managed on the team page) ---------------
  "lib/actions/groups/create-group.ts#createGroup": {
    guard: "tenantAction",
    pdp: "users:manage",
    audit: "groups:create",
    valid: async (env) => ({ tenantId: env.fx.tenants.acme, name: unique("Tier 1 SOC") }),
    malformed: (env) => [...badTenantIds({ name: "x" }), { tenantId: env.fx.tenants.acme, name: "   " }, { tenantId: env.fx.tenants.acme, name: "x".repeat(81) }, { tenantId: env.fx.tenants.acme }],
  },
  "lib/actions/groups/rename-group.ts#renameGroup": {
    guard: "tenantAction",
    pdp: "users:manage",
    audit: "groups:rename",
    valid: async (env) => ({ tenantId: env.fx.tenants.acme, groupId: await groupIn(env, "acme"), name: unique("renamed") }),
    foreignObject: async (env) => ({ tenantId: env.fx.tenants.acme, groupId: await groupIn(env, "globex"), name: unique("renamed") }),
    malformed: (env) => [...badTenantIds({ groupId: randomUUID(), name: "x" }), { tenantId: env.fx.tenants.acme, groupId: "x", name: "x" }, { tenantId: env.fx.tenants.acme, groupId: randomUUID(), name: "" }],
  },
  "lib/actions/groups/delete-group.ts#deleteGroup": {
    guard: "tenantAction",
    pdp: "users:manage",
    audit: "groups:delete",
    valid: async (env) => ({ tenantId: env.fx.tenants.acme, groupId: await groupIn(env, "acme") }),
    foreignObject: async (env) => ({ tenantId: env.fx.tenants.acme, groupId: await groupIn(env, "globex") }),
    malformed: (env) => [...badTenantIds({ groupId: randomUUID() }), { tenantId: env.fx.tenants.acme, groupId: "../x" }],
  },
  "lib/actions/groups/add-group-member.ts#addGroupMember": {
    guard: "tenantAction",
    pdp: "users:manage",
    audit: "groups:add-member",
    valid: async (env) => ({ tenantId: env.fx.tenants.acme, groupId: await groupIn(env, "acme"), userId: env.fx.users.acmeAnalyst }),
    foreignObject: async (env) => ({ tenantId: env.fx.tenants.acme, groupId: await groupIn(env, "globex"), userId: env.fx.users.acmeAnalyst }),
    malformed: (env) => [...badTenantIds({ groupId: randomUUID(), userId: randomUUID() }), { tenantId: env.fx.tenants.acme, groupId: randomUUID(), userId: "me" }],
  },
  "lib/actions/groups/remove-group-member.ts#removeGroupMember": {
    guard: "tenantAction",
    pdp: "users:manage",
    audit: "groups:remove-member",
    valid: async (env) => ({ tenantId: env.fx.tenants.acme, groupId: await groupIn(env, "acme", [env.fx.users.acmeAnalyst]), userId: env.fx.users.acmeAnalyst }),
    foreignObject: async (env) => ({ tenantId: env.fx.tenants.acme, groupId: await groupIn(env, "globex", [env.fx.users.globexAdmin]), userId: env.fx.users.globexAdmin }),
    malformed: (env) => [...badTenantIds({ groupId: randomUUID(), userId: randomUUID() }), { tenantId: env.fx.tenants.acme, groupId: "x", userId: randomUUID() }],
  },
  "lib/actions/alerts/assign-alert-group.ts#assignAlertGroup": {
    guard: "tenantAction",
    pdp: "alerts:triage",
    audit: "alerts:assign-group",
    valid: async (env) => ({ tenantId: env.fx.tenants.acme, alertId: await alertIn(env, "acme", "new"), groupId: await groupIn(env, "acme", [env.fx.users.acmeAnalyst]), assigneeId: env.fx.users.acmeAnalyst }),
    // acme's own alert, given globex's group: refused by name (and by the database).
    foreignObject: async (env) => ({ tenantId: env.fx.tenants.acme, alertId: await alertIn(env, "acme", "new"), groupId: await groupIn(env, "globex") }),
    malformed: (env) => [
      ...badTenantIds({ alertId: randomUUID(), groupId: "" }),
      { tenantId: env.fx.tenants.acme, alertId: randomUUID(), groupId: "tier-1" },
      { tenantId: env.fx.tenants.acme, alertId: randomUUID() },
      { tenantId: env.fx.tenants.acme, alertId: randomUUID(), groupId: "", assigneeId: "someone" },
    ],
  },
};

export function isTenantSpec(spec: ActionSpec): spec is TenantActionSpec {
  return spec.guard === "tenantAction";
}

// ---------------------------------------------------------------------------
// Roles, and what the documented matrix lets each do
// ---------------------------------------------------------------------------

export type PortalRole = "mssp_admin" | "mssp_analyst" | "tenant_admin" | "tenant_analyst" | "tenant_viewer";

export interface RoleCase {
  label: string;
  user: UserName;
  /** null: signed in, with no role anywhere. */
  role: PortalRole | null;
  home: Home;
  host: string;
}

export const ROLE_CASES: RoleCase[] = [
  { label: "tenant viewer", user: "acmeViewer", role: "tenant_viewer", home: "acme", host: hostOf("acme") },
  { label: "tenant analyst", user: "acmeAnalyst", role: "tenant_analyst", home: "acme", host: hostOf("acme") },
  { label: "tenant admin", user: "acmeAdmin", role: "tenant_admin", home: "acme", host: hostOf("acme") },
  { label: "MSSP analyst", user: "msspAnalyst", role: "mssp_analyst", home: "mssp-a", host: CONSOLE },
  { label: "MSSP admin", user: "msspAdmin", role: "mssp_admin", home: "mssp-a", host: CONSOLE },
  { label: "signed in, no role", user: "noMemberships", role: null, home: "mssp-a", host: CONSOLE },
];

/** docs/authorization.md's action matrix: action → roles allowed. */
export function documentedMatrix(): Record<string, Set<PortalRole>> {
  const md = readFileSync(path.join(process.cwd(), "docs", "authorization.md"), "utf8");
  const section = md.split(/^## /m).find((s) => s.startsWith("The action matrix"));
  if (!section) throw new Error("docs/authorization.md has no 'The action matrix' section");
  const lines = section.split("\n").filter((l) => l.startsWith("|"));
  const header = lines[0].split("|").map((c) => c.trim());
  const out: Record<string, Set<PortalRole>> = {};
  for (const line of lines.slice(2)) {
    const cells = line.split("|").map((c) => c.trim());
    const allowed = new Set<PortalRole>();
    for (const role of ["mssp_admin", "mssp_analyst", "tenant_admin", "tenant_analyst", "tenant_viewer"] as const) {
      if (cells[header.indexOf(role)] === "✓") allowed.add(role);
    }
    out[cells[1].replace(/`/g, "")] = allowed;
  }
  return out;
}

export function requestFor(env: Env, c: RoleCase): RequestAs {
  return { person: env.person(c.user), host: c.host };
}

export async function runAs(env: Env, actionId: string, as: RequestAs, fields: FormFields | FormData) {
  const action = await loadAction(actionId);
  const spec = SPECS[actionId];
  if (spec && !isTenantSpec(spec) && spec.argument === "token") {
    const token = fields instanceof FormData ? fields.get("token") : fields.token;
    return inRequest(as, () => (action as unknown as (token: unknown) => Promise<unknown>)(typeof token === "string" ? token : token === undefined || token === null ? "" : token));
  }
  return callAction(action, as, fields);
}

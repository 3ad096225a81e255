// The attack matrix's expectations, one entry per route (keyed as
// e2e/lib/routes.ts names them). A route under app/ without an entry here
// fails the matrix: whoever adds a page or a route handler says here who may
// reach it and what everyone else gets.
//
// Outcomes: "200", "400", "401", "403", "404", "405", "signin" (a redirect to
// /signin), "to:/path" (a redirect to that path). Each cell may allow several
// only where the code legitimately answers either (noted where it does).
import type { MarkerTenant, Planted } from "./markers";
import { E2E_TLS_ASK_SECRET } from "./tls-ask";

export type Who =
  | "anon"
  | "mssp_admin"
  | "mssp_analyst"
  | "acme_admin"
  | "acme_analyst"
  | "acme_viewer"
  | "site_admin"
  | "globex_admin"
  | "forged"
  | "tampered"
  | "expired";

export const SIGNED_OUT: Who[] = ["anon", "forged", "tampered", "expired"];
export const OPERATORS: Who[] = ["mssp_admin", "mssp_analyst"];
/** Who holds a membership on acme or above it (the acme host lets them in). */
export const ACME_MEMBERS: Who[] = ["mssp_admin", "mssp_analyst", "acme_admin", "acme_analyst", "acme_viewer"];

/** Whose planted data each identity may see (before the host narrows it). */
export function visibleTo(who: Who): Set<MarkerTenant> {
  if (OPERATORS.includes(who)) return new Set(["acme", "globex"]);
  if (["acme_admin", "acme_analyst", "acme_viewer"].includes(who)) return new Set(["acme"]);
  if (who === "globex_admin") return new Set(["globex"]);
  return new Set(); // site_admin sees only acme-eu-west, where nothing is planted
}

export type Outcome = "200" | "400" | "401" | "403" | "404" | "405" | "415" | "500" | "signin" | `to:${string}`;

export interface Cell {
  method: string;
  path: string;
  expect: Outcome[];
  headers?: Record<string, string>;
  body?: string;
  /** Extra check of the answer (beyond "no foreign marker"): a problem, or null. */
  bodyCheck?: (body: string, setCookies: string[]) => string | null;
}

export type HostName = "console" | "acme";

export interface Ctx {
  planted: Planted;
  origin: (host: HostName) => string;
}

type CellsFn = (who: Who, host: HostName, ctx: Ctx) => Cell[];

const get = (path: string, ...expect: Outcome[]): Cell => ({ method: "GET", path, expect });
const signedOut = (who: Who) => SIGNED_OUT.includes(who);
const operator = (who: Who) => OPERATORS.includes(who);

/** A console page: signed out → sign in; operators → `op`; everyone else → `others`. */
const consolePage = (path: string, op: Outcome[], others: Outcome[]): CellsFn => (who) => [
  get(path, ...(signedOut(who) ? (["signin"] as Outcome[]) : operator(who) ? op : others)),
];

/** A tenant page on the acme host: members get `member` (200), signed-out people sign in, anyone else 403. */
const tenantPage = (paths: string[], member: Outcome[] = ["200"]): CellsFn => (who) =>
  paths.map((p) => get(p, ...(signedOut(who) ? (["signin"] as Outcome[]) : ACME_MEMBERS.includes(who) ? member : (["403"] as Outcome[]))));

/** Which planted tenant a customer slug is. */
function slugs(ctx: Ctx): Array<{ slug: string; tenant: MarkerTenant }> {
  return [
    { slug: "acme", tenant: "acme" },
    { slug: "globex", tenant: "globex" },
    { slug: ctx.planted.rivalCustomer.slug, tenant: "rival" },
  ];
}

/** An invoice id no database here holds. */
const NO_INVOICE = "00000000-0000-4000-8000-00000000b111";
const NO_REPORT = "00000000-0000-4000-8000-00000000e111";

const sameOriginJson = (ctx: Ctx) => ({ origin: ctx.origin("console"), "content-type": "application/json" });

/** POST-only console routes: a cross-site or Origin-less POST is refused before anything else, signed out is 401. */
function postOnly(path: string, ctx: Ctx, who: Who, whenIn: Outcome[], body = "{}", contentType = "application/json"): Cell[] {
  return [
    { method: "POST", path, headers: { origin: "http://evil.example", "content-type": contentType }, body, expect: ["403"] },
    { method: "POST", path, headers: { "content-type": contentType }, body, expect: ["403"] },
    { method: "POST", path, headers: { origin: ctx.origin("console"), "content-type": contentType }, body, expect: signedOut(who) ? ["401"] : whenIn },
    { method: "GET", path, expect: ["405"] },
  ];
}

export const TABLE: Record<string, { hosts: HostName[]; cells: CellsFn }> = {
  // --- the MSSP console (console host) --------------------------------------
  "console / page": { hosts: ["console"], cells: consolePage("/", ["200"], ["to:/tenants"]) },
  "console /alerts page": {
    hosts: ["console"],
    cells: (who) => ["/alerts", "/alerts?tenant=globex&severity=critical", "/alerts?q=MKRIVAL"].map((p) =>
      get(p, ...(signedOut(who) ? (["signin"] as Outcome[]) : operator(who) ? (["200"] as Outcome[]) : (["to:/tenants"] as Outcome[])))),
  },
  "console /alerts/[id] page": {
    hosts: ["console"],
    // Operators see an alert of a tenant they cover (RLS) and 404 otherwise; other people go to their tenants; a bad id is 404.
    cells: (who, _h, ctx) => [
      ...(Object.entries(ctx.planted.alerts) as [MarkerTenant, string][]).map(([tenant, id]) =>
        get(`/alerts/${id}`, ...(signedOut(who) ? (["signin"] as Outcome[]) : !operator(who) ? (["to:/tenants"] as Outcome[]) : visibleTo(who).has(tenant) ? (["200"] as Outcome[]) : (["404"] as Outcome[])))),
      get("/alerts/00000000-0000-4000-8000-000000000000", ...(signedOut(who) ? (["signin"] as Outcome[]) : !operator(who) ? (["to:/tenants"] as Outcome[]) : (["404"] as Outcome[]))),
      get("/alerts/not-an-id", ...(signedOut(who) ? (["signin"] as Outcome[]) : (["404"] as Outcome[]))),
    ],
  },
  "console /configuration page": { hosts: ["console"], cells: consolePage("/configuration", ["200"], ["403"]) },
  "console /configuration/[slug] page": {
    hosts: ["console"],
    // A tenant one cannot see answers the same "not allowed" page as one that does not exist.
    cells: (who, _h, ctx) =>
      [...slugs(ctx).map(({ slug }) => slug), "no-such-tenant", ctx.planted.rivalMssp.slug].map((slug) =>
        get(`/configuration/${slug}`, ...(signedOut(who) ? (["signin"] as Outcome[]) : operator(who) ? (["200"] as Outcome[]) : (["403"] as Outcome[])))),
  },
  "console /customers/[slug]/api-keys page": {
    hosts: ["console"],
    // Operators get the page (analysts its "not allowed" state); another MSSP's customer and a missing one answer alike.
    cells: (who, _h, ctx) =>
      [...slugs(ctx).map(({ slug }) => slug), "no-such-tenant"].map((slug) =>
        get(`/customers/${slug}/api-keys`, ...(signedOut(who) ? (["signin"] as Outcome[]) : operator(who) ? (["200"] as Outcome[]) : (["403"] as Outcome[])))),
  },
  "console /customers/[slug]/settings page": {
    hosts: ["console"],
    cells: (who, _h, ctx) =>
      [...slugs(ctx).map(({ slug }) => slug), "no-such-tenant"].map((slug) =>
        get(`/customers/${slug}/settings`, ...(signedOut(who) ? (["signin"] as Outcome[]) : operator(who) ? (["200"] as Outcome[]) : (["403"] as Outcome[])))),
  },
  // Brand (lib/branding): the MSSP's admins (branding:manage) get a visible customer's page; analysts, a rival's customer and a missing one 403.
  "console /customers/[slug]/brand page": {
    hosts: ["console"],
    cells: (who, _h, ctx) =>
      [...slugs(ctx).map(({ slug, tenant }) => ({ slug, tenant })), { slug: "no-such-tenant", tenant: "none" }].map(({ slug, tenant }) =>
        get(`/customers/${slug}/brand`, ...(signedOut(who) ? (["signin"] as Outcome[]) : who === "mssp_admin" && tenant !== "rival" && tenant !== "none" ? (["200"] as Outcome[]) : (["403"] as Outcome[])))),
  },
  // Custom domains (lib/domains): operators get a visible customer's page (analysts its "not allowed" state: domains:manage is the admins'); a rival's customer and a missing one 403.
  "console /customers/[slug]/domains page": {
    hosts: ["console"],
    cells: (who, _h, ctx) =>
      [...slugs(ctx).map(({ slug, tenant }) => ({ slug, tenant })), { slug: "no-such-tenant", tenant: "none" }].map(({ slug, tenant }) =>
        get(`/customers/${slug}/domains`, ...(signedOut(who) ? (["signin"] as Outcome[]) : operator(who) && tenant !== "rival" && tenant !== "none" ? (["200"] as Outcome[]) : (["403"] as Outcome[])))),
  },
  "console /audit page": { hosts: ["console"], cells: consolePage("/audit", ["200"], ["to:/tenants"]) },
  // Usage (lib/usage): operators get the table (an analyst's lists no customer: billing:view is the MSSP admin's); others 403.
  // Comparison (lib/analytics): operators (benchmark:view) compare the customers they see; a rival MSSP's customer is simply not there.
  "console /compare page": {
    hosts: ["console"],
    cells: (who, h, ctx) =>
      ["/compare", "/compare?c=acme&c=globex&m=bogus&from=2026-05-10&to=2026-05-01", `/compare?c=${ctx.planted.rivalCustomer.slug}&group=size:bogus`].flatMap((p) =>
        consolePage(p, ["200"], ["403"])(who, h, ctx),
      ),
  },
  "console /usage page": { hosts: ["console"], cells: (who, h, ctx) => ["/usage", "/usage?sort=bogus&q=MKRIVAL&page=0"].flatMap((p) => consolePage(p, ["200"], ["403"])(who, h, ctx)) },
  "console /usage/[slug] page": {
    hosts: ["console"],
    // Another MSSP's customer and a missing one answer alike (the page's "no customer here" state).
    cells: (who, _h, ctx) =>
      [...slugs(ctx).map(({ slug }) => slug), "no-such-tenant"].map((slug) =>
        get(`/usage/${slug}`, ...(signedOut(who) ? (["signin"] as Outcome[]) : operator(who) ? (["200"] as Outcome[]) : (["403"] as Outcome[])))),
  },
  // Billing (lib/billing): the MSSP admin reads and runs billing (billing:view / billing:manage); an MSSP analyst and everyone
  // without an MSSP role get 403. An invoice nobody here has (a random id) is 404 for everyone signed in; downloads are 401 signed out.
  "console /billing page": {
    hosts: ["console"],
    cells: (who) => ["/billing", "/billing?month=bogus", "/billing?month=2026-11"].map((p) => get(p, ...(signedOut(who) ? (["signin"] as Outcome[]) : who === "mssp_admin" ? (["200"] as Outcome[]) : (["403"] as Outcome[])))),
  },
  // Reports (lib/reports): operators get the page; others 403. Downloads: 401 signed out, 404 for a report the caller cannot see.
  "console /reports page": { hosts: ["console"], cells: consolePage("/reports", ["200"], ["403"]) },
  "console /reports/[id]/download route": {
    hosts: ["console"],
    cells: (who) => [NO_REPORT, "not-a-uuid"].map((id) => get(`/reports/${id}/download`, ...(signedOut(who) ? (["401"] as Outcome[]) : (["404"] as Outcome[])))),
  },
  "console /reports/export route": {
    hosts: ["console"],
    // A CSV for MSSP staff, 403 for anyone else signed in; a bad period 400 (checked before who may export).
    cells: (who) => [
      get("/reports/export?from=2026-10-01&to=2026-10-31", ...(signedOut(who) ? (["401"] as Outcome[]) : operator(who) ? (["200"] as Outcome[]) : (["403"] as Outcome[]))),
      get("/reports/export?from=2026-10-31&to=2026-10-01", ...(signedOut(who) ? (["401"] as Outcome[]) : (["400"] as Outcome[]))),
    ],
  },
  // Bulk operations (lib/bulk): the MSSP admin (bulk:run) gets the wizard; everyone else signed in 403. A run nobody here has is 404.
  "console /bulk page": {
    hosts: ["console"],
    cells: (who) => [get("/bulk", ...(signedOut(who) ? (["signin"] as Outcome[]) : who === "mssp_admin" ? (["200"] as Outcome[]) : (["403"] as Outcome[])))],
  },
  "console /bulk/[id] page": {
    hosts: ["console"],
    cells: (who) => [NO_INVOICE, "not-a-uuid"].map((id) => get(`/bulk/${id}`, ...(signedOut(who) ? (["signin"] as Outcome[]) : (["404"] as Outcome[])))),
  },
  "console /billing/revenue page": {
    hosts: ["console"],
    cells: (who) => [get("/billing/revenue", ...(signedOut(who) ? (["signin"] as Outcome[]) : who === "mssp_admin" ? (["200"] as Outcome[]) : (["403"] as Outcome[])))],
  },
  "console /billing/invoices/[id] page": {
    hosts: ["console"],
    cells: (who) => [NO_INVOICE, "not-a-uuid"].map((id) => get(`/billing/invoices/${id}`, ...(signedOut(who) ? (["signin"] as Outcome[]) : (["404"] as Outcome[])))),
  },
  "console /billing/invoices/[id]/[format] route": {
    hosts: ["console"],
    cells: (who) => [`${NO_INVOICE}/pdf`, `${NO_INVOICE}/csv`, `${NO_INVOICE}/xlsx`].map((p) => get(`/billing/invoices/${p}`, ...(signedOut(who) && !p.endsWith("xlsx") ? (["401"] as Outcome[]) : (["404"] as Outcome[])))),
  },
  // Health (lib/health): operators get the board (PDP alerts:triage on each tenant); others 403. A bad filter is a note, not an error.
  // Dashboards (lib/analytics): operators get the console's; a bad range or scope is a note, not an error.
  "console /dashboard page": { hosts: ["console"], cells: (who, h, ctx) => ["/dashboard", "/dashboard?range=custom&from=2026-02-01&to=2025-01-01&metric=bogus&scope=MKRIVAL"].flatMap((p) => consolePage(p, ["200"], ["403"])(who, h, ctx)) },
  "console /health page": { hosts: ["console"], cells: (who, h, ctx) => ["/health", "/health?state=bogus"].flatMap((p) => consolePage(p, ["200"], ["403"])(who, h, ctx)) },
  "console /health/[slug] page": {
    hosts: ["console"],
    // Another MSSP's customer and a missing one answer alike (the page's "no customer here" state).
    cells: (who, _h, ctx) =>
      [...slugs(ctx).map(({ slug }) => slug), "no-such-tenant"].map((slug) =>
        get(`/health/${slug}`, ...(signedOut(who) ? (["signin"] as Outcome[]) : operator(who) ? (["200"] as Outcome[]) : (["403"] as Outcome[])))),
  },
  "console /credentials page": { hosts: ["console"], cells: consolePage("/credentials?q=rival", ["200"], ["403"]) },
  "console /credentials/manage page": {
    hosts: ["console"],
    cells: (who, _h, ctx) => [
      get("/credentials/manage", ...(signedOut(who) ? (["signin"] as Outcome[]) : (["to:/credentials"] as Outcome[]))),
      // Another MSSP's tenant, a sibling's and a missing one answer alike (tests/credentials-overview.test.ts).
      ...slugs(ctx).map(({ slug }) => get(`/credentials/manage?tenant=${slug}`, ...(signedOut(who) ? (["signin"] as Outcome[]) : operator(who) ? (["200"] as Outcome[]) : (["403"] as Outcome[])))),
    ],
  },
  "console /customers page": { hosts: ["console"], cells: consolePage("/customers?q=MKRIVAL", ["200"], ["403"]) },
  "console /customers/[slug] page": {
    hosts: ["console"],
    cells: (who, _h, ctx) =>
      slugs(ctx).map(({ slug, tenant }) =>
        get(`/customers/${slug}`, ...(signedOut(who) ? (["signin"] as Outcome[]) : !operator(who) ? (["403"] as Outcome[]) : visibleTo(who).has(tenant) ? (["200"] as Outcome[]) : (["404"] as Outcome[])))),
  },
  "console /customers/[slug]/export route": {
    hosts: ["console"],
    // The body is validated before the export starts: nothing here ever exports.
    cells: (who, _h, ctx) => slugs(ctx).flatMap(({ slug }) => postOnly(`/customers/${slug}/export`, ctx, who, ["400"])),
  },
  "console /customers/[slug]/isolation route": {
    hosts: ["console"],
    cells: (who, _h, ctx) =>
      slugs(ctx).map(({ slug, tenant }) =>
        get(`/customers/${slug}/isolation`, ...(signedOut(who) ? (["401"] as Outcome[]) : !visibleTo(who).has(tenant) ? (["404"] as Outcome[]) : who === "mssp_admin" ? (["200"] as Outcome[]) : (["403"] as Outcome[])))),
  },
  "console /customers/[slug]/live route": {
    hosts: ["console"],
    // RLS decides: a customer's own people may follow their own tenant's state; nobody sees another's.
    cells: (who, _h, ctx) =>
      slugs(ctx).map(({ slug, tenant }) =>
        get(`/customers/${slug}/live`, ...(signedOut(who) ? (["401"] as Outcome[]) : visibleTo(who).has(tenant) ? (["200"] as Outcome[]) : (["404"] as Outcome[])))),
  },
  "console /customers/import page": {
    hosts: ["console"],
    cells: (who, _h, ctx) => ["/customers/import", `/customers/import?tenant=${ctx.planted.rivalCustomer.slug}`].flatMap((p) => consolePage(p, ["200"], ["403"])(who, "console", ctx)),
  },
  "console /customers/import/run route": {
    hosts: ["console"],
    // Staff get past the door, then an upload that is not the page's envelope is refused (415) before it is read.
    cells: (who, _h, ctx) => postOnly("/customers/import/run", ctx, who, operator(who) ? ["415"] : ["403"], "", "application/octet-stream"),
  },
  "console /customers/restore page": { hosts: ["console"], cells: consolePage("/customers/restore", ["200"], ["403"]) },
  "console /customers/restore/inspect route": {
    hosts: ["console"],
    cells: (who, _h, ctx) => postOnly("/customers/restore/inspect", ctx, who, operator(who) ? ["415"] : ["403"], "", "application/octet-stream"),
  },
  "console /customers/restore/run route": {
    hosts: ["console"],
    cells: (who, _h, ctx) => postOnly("/customers/restore/run", ctx, who, operator(who) ? ["415"] : ["403"], "", "application/octet-stream"),
  },
  "console /keys page": { hosts: ["console"], cells: consolePage("/keys?q=rival", ["200"], ["403"]) },
  "console /keys/jobs/[tenantId]/[id] route": {
    hosts: ["console"],
    cells: (who, _h, ctx) => [
      ...(["acme", "globex", "rival"] as const).map((t) => {
        const tenantId = t === "rival" ? ctx.planted.rivalCustomer.id : ctx.planted.ids[t];
        // Jobs are read by MSSP staff only (migration 20261201032400): a customer's members get the 404 of a job that does not exist.
        const sees = OPERATORS.includes(who) && visibleTo(who).has(t);
        return get(`/keys/jobs/${tenantId}/${ctx.planted.jobs[t]}`, ...(signedOut(who) ? (["401"] as Outcome[]) : sees ? (["200"] as Outcome[]) : (["404"] as Outcome[])));
      }),
      // A job id under another tenant's id: RLS finds nothing.
      get(`/keys/jobs/${ctx.planted.ids.acme}/${ctx.planted.jobs.rival}`, ...(signedOut(who) ? (["401"] as Outcome[]) : (["404"] as Outcome[]))),
    ],
  },
  "console /keys/live route": {
    hosts: ["console"],
    cells: (who, _h, ctx) => [
      get(`/keys/live?tenants=${ctx.planted.ids.acme},${ctx.planted.rivalCustomer.id},${ctx.planted.rivalMssp.id}`,
        ...(signedOut(who) ? (["401"] as Outcome[]) : operator(who) ? (["200"] as Outcome[]) : (["403"] as Outcome[]))),
      { method: "POST", path: "/keys/live", expect: ["405"] },
    ],
  },
  "console /team page": {
    hosts: ["console"],
    cells: (who, _h, ctx) => ["/team", ...slugs(ctx).map(({ slug }) => `/team?tenant=${slug}`)].map((p) => get(p, ...(signedOut(who) ? (["signin"] as Outcome[]) : (["200"] as Outcome[])))),
  },
  "console /tenants page": { hosts: ["console"], cells: consolePage("/tenants", ["200"], ["200"]) },

  // --- a tenant's host (acme) ---------------------------------------------------
  // "/" redirects to /alerts, after the layout let the caller in (sign in first, or 403).
  "tenant / page": { hosts: ["acme"], cells: tenantPage(["/"], ["to:/alerts"]) },
  "tenant /alerts page": { hosts: ["acme"], cells: tenantPage(["/alerts", "/alerts?tenant=globex", "/alerts?q=MKGLOBEX&severity=critical"]) },
  "tenant /alerts/[id] page": {
    hosts: ["acme"],
    // Only acme's own alert exists on the acme host; another tenant's reads as a missing one.
    cells: (who, _h, ctx) =>
      (Object.entries(ctx.planted.alerts) as [MarkerTenant, string][]).map(([tenant, id]) =>
        get(`/alerts/${id}`, ...(signedOut(who) ? (["signin"] as Outcome[]) : !ACME_MEMBERS.includes(who) ? (["403"] as Outcome[]) : tenant === "acme" ? (["200"] as Outcome[]) : (["404"] as Outcome[])))),
  },
  "tenant /settings page": { hosts: ["acme"], cells: tenantPage(["/settings", "/settings?tenant=globex", "/settings?tenant=acme-eu-west"]) },
  // The brand page: the tenant's admins and the MSSP's admins (branding:manage); other members 403.
  "tenant /settings/brand page": {
    hosts: ["acme"],
    cells: (who) => [get("/settings/brand", ...(signedOut(who) ? (["signin"] as Outcome[]) : who === "mssp_admin" || who === "acme_admin" ? (["200"] as Outcome[]) : (["403"] as Outcome[])))],
  },
  "tenant /workflows page": { hosts: ["acme"], cells: tenantPage(["/workflows", "/workflows?edit=00000000-0000-4000-8000-000000000000"]) },
  "tenant /audit page": { hosts: ["acme"], cells: tenantPage(["/audit", "/audit?tenant=globex"]) },
  "tenant /credentials page": { hosts: ["acme"], cells: tenantPage(["/credentials", "/credentials?tenant=globex", "/credentials?tenant=acme-eu-west"]) },
  "tenant /api-keys page": { hosts: ["acme"], cells: tenantPage(["/api-keys", "/api-keys?tenant=globex"]) },
  "tenant /domains page": { hosts: ["acme"], cells: tenantPage(["/domains", "/domains?tenant=globex"]) },
  "tenant /usage page": { hosts: ["acme"], cells: tenantPage(["/usage", "/usage?tenant=globex"]) },
  "tenant /benchmark page": { hosts: ["acme"], cells: tenantPage(["/benchmark", "/benchmark?group=industry&days=bogus"]) },
  "tenant /dashboard page": { hosts: ["acme"], cells: tenantPage(["/dashboard", "/dashboard?scope=globex", "/dashboard?range=999d"]) },
  "tenant /status page": { hosts: ["acme"], cells: tenantPage(["/status", "/status?tenant=globex"]) },
  // Billing: members get the page (invoices for billing:view holders, a note for others); an invoice that is not theirs is 404.
  "tenant /billing page": { hosts: ["acme"], cells: tenantPage(["/billing", "/billing?tenant=globex"]) },
  "tenant /billing/invoices/[id] page": {
    hosts: ["acme"],
    cells: (who) => [get(`/billing/invoices/${NO_INVOICE}`, ...(signedOut(who) ? (["signin"] as Outcome[]) : ACME_MEMBERS.includes(who) ? (["404"] as Outcome[]) : (["403"] as Outcome[])))],
  },
  "tenant /billing/invoices/[id]/[format] route": {
    hosts: ["acme"],
    // Who first, then what: signed out 401; no role on the host's tenant 403; a member asking for no such invoice (or format) 404.
    cells: (who) =>
      [`${NO_INVOICE}/pdf`, `${NO_INVOICE}/csv`, `${NO_INVOICE}/xlsx`].map((p) =>
        get(`/billing/invoices/${p}`, ...(signedOut(who) ? (["401"] as Outcome[]) : ACME_MEMBERS.includes(who) ? (["404"] as Outcome[]) : (["403"] as Outcome[]))),
      ),
  },
  // Reports (lib/reports): members get the page (a note for those without reports:export); a report that is not theirs is 404.
  "tenant /reports page": { hosts: ["acme"], cells: tenantPage(["/reports", "/reports?tenant=globex"]) },
  "tenant /reports/[id]/download route": {
    hosts: ["acme"],
    // Who first, then what: signed out 401; no role on the host's tenant 403; no such report (or not a uuid) 404.
    cells: (who) =>
      [NO_REPORT, "not-a-uuid"].map((id) =>
        get(`/reports/${id}/download`, ...(signedOut(who) ? (["401"] as Outcome[]) : ACME_MEMBERS.includes(who) ? (["404"] as Outcome[]) : (["403"] as Outcome[])))),
  },
  "tenant /team page": { hosts: ["acme"], cells: tenantPage(["/team", "/team?tenant=globex", "/team?tenant=acme-eu-west"]) },
  "tenant /tenants page": { hosts: ["acme"], cells: tenantPage(["/tenants"]) },

  // --- served on every portal host -----------------------------------------------
  "shared /signin page": {
    hosts: ["console", "acme"],
    // Signed in, the page sends the user on (to the callback, by default "/").
    cells: (who) => [get("/signin?callbackUrl=%2Falerts", ...(signedOut(who) ? (["200"] as Outcome[]) : (["to:/alerts"] as Outcome[])))],
  },
  "shared /signin/reset page": {
    hosts: ["console", "acme"],
    cells: () => [get("/signin/reset", "200")],
  },
  "shared /account/mfa page": {
    hosts: ["console", "acme"],
    cells: (who) => [get("/account/mfa", ...(signedOut(who) ? (["signin"] as Outcome[]) : (["200"] as Outcome[])))],
  },
  // The API reference (lib/api/openapi): public documentation, the same page for every identity.
  // Brand assets: a mark in any colour; a hash the host's brand does not use answers 404 alike on every host.
  "shared /brand-asset/[file] route": {
    hosts: ["console", "acme"],
    cells: () => [get("/brand-asset/mark-4f46e5.svg", "200"), get(`/brand-asset/${"0".repeat(64)}`, "404"), get("/brand-asset/..%2f..%2fetc", "404")],
  },
  "shared /api-docs page": { hosts: ["console", "acme"], cells: () => [get("/api-docs", "200")] },
  // Handoff between portals (lib/auth/handoff.ts): the landing page is the same shell for everyone
  // (the token is in the fragment); starting one needs a session, and a valid target.
  "shared /handoff page": { hosts: ["console", "acme"], cells: () => [get("/handoff", "200")] },
  "shared /handoff/go route": {
    hosts: ["console", "acme"],
    cells: (who) => [get("/handoff/go?to=..%2Fx", ...(signedOut(who) ? (["signin"] as Outcome[]) : (["400"] as Outcome[]))), get("/handoff/go?to=no-such-tenant", ...(signedOut(who) ? (["signin"] as Outcome[]) : (["404"] as Outcome[])))],
  },
  // Caddy's on-demand TLS question (lib/domains/ask.ts): answered only with Caddy's secret, the same for every identity.
  "shared /api/tls/ask route": {
    hosts: ["console", "acme"],
    cells: () => [
      get("/api/tls/ask?domain=localhost", "404"),
      get(`/api/tls/ask?domain=localhost&secret=${E2E_TLS_ASK_SECRET}`, "200"),
      get(`/api/tls/ask?domain=evil.example&secret=${E2E_TLS_ASK_SECRET}`, "404"),
    ],
  },
  // The token travels in the fragment (never sent); the page is the same shell for everyone.
  "shared /invite page": { hosts: ["console", "acme"], cells: () => [get("/invite", "200"), get("/invite?token=x", "200")] },
  // The tenant API authenticates by key only: a session cookie (real, forged or none) is no key,
  // so every identity gets 401 as a problem document, on both hosts, whatever the Origin.
  "shared /api/v1/[...path] route": {
    hosts: ["console", "acme"],
    cells: () =>
      ["/api/v1/me", "/api/v1/tenants/globex/me", "/api/v1/nope"].flatMap((path) => [
        { ...get(path, "401"), bodyCheck: (b: string) => (b.includes('"status":401') ? null : `expected a 401 problem document, got ${b.slice(0, 120)}`) },
        { method: "POST", path, headers: { origin: "http://evil.example", "content-type": "application/json" }, body: "{}", expect: ["401"] as Outcome[] },
      ]),
  },
  "shared /api/auth/[...nextauth] route": {
    hosts: ["console", "acme"],
    cells: (who) => [
      {
        ...get("/api/auth/session", "200"),
        // A broken or missing cookie is no session at all; a real one names only its own user.
        bodyCheck: (b) => (signedOut(who) && b.trim() !== "{}" ? `expected an empty session, got ${b.slice(0, 120)}` : null),
      },
      get("/api/auth/csrf", "200"),
      get("/api/auth/providers", "200"),
      // A sign-in POST from another site is refused by the proxy (lib/http/request-guard.ts); one
      // without an Origin and without next-auth's CSRF token (here with the right password) is
      // refused by next-auth's CSRF check. Neither creates a session.
      ...[{ origin: "http://evil.example" }, {} as Record<string, string>].map((h): Cell => ({
        method: "POST",
        path: "/api/auth/callback/credentials",
        headers: { ...h, "content-type": "application/x-www-form-urlencoded" },
        body: "email=acme.admin%40demo.test&password=Demo%212026-portal&json=true",
        expect: h.origin ? ["403"] : ["200"],
        bodyCheck: (b, cookies) =>
          cookies.some((c) => /session/i.test(c.split("=")[0]) && !/^[^=]+=;/.test(c)) ? `a session cookie was set: ${cookies.join(" | ").slice(0, 120)}`
          : h.origin ? (b.includes("Requests from another site are refused") ? null : `expected the proxy's refusal, got ${b.slice(0, 120)}`)
          : b.includes("csrf=true") ? null : `expected next-auth's CSRF refusal, got ${b.slice(0, 120)}`,
      })),
    ],
  },

  // --- internal: reached only through the proxy's rewrite --------------------------
  "internal /unknown-host page": { hosts: ["console", "acme"], cells: () => [get("/unknown-host", "404")] },
  // The load bench's baseline page (lib/alerts/baseline.ts): only a server started with BENCH_BASELINE_PAGES=1 routes it.
  "internal /bench-baseline/[tenant]/alerts page": { hosts: ["console", "acme"], cells: () => [get("/bench-baseline/acme/alerts", "404")] },
  "internal /bench-baseline/[tenant]/alerts-render page": { hosts: ["console", "acme"], cells: () => [get("/bench-baseline/acme/alerts-render", "404")] },
  // Prometheus's endpoint (lib/metrics): its own bearer token, no session. 404 while METRICS_TOKEN is unset (the e2e
  // server sets none), 401 without the token once it is; on a tenant host it is that tenant's (missing) page.
  "internal /metrics route": { hosts: ["console"], cells: () => [get("/metrics", "404", "401"), { method: "GET", path: "/metrics", headers: { authorization: "Bearer guess" }, expect: ["404", "401"] }] },
};

/** Paths that name another area's internal route: the proxy's prefix makes each a 404 on every host. */
export const INTERNAL_PATHS: Record<HostName, string[]> = {
  console: ["/t/acme/alerts", "/t/globex", "/console/alerts", "/console"],
  acme: ["/t/globex/alerts", "/t/acme/alerts", "/console/customers", "/customers/globex/live", "/keys/live"],
};

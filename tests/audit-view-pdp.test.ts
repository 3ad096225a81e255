// The audit pages ask the PDP for audit:view tenant by tenant, not once for
// the page: RLS shows an admin every row of their subtree (and on the console,
// of every MSSP they hold a role in), and a tenant's own policy denying
// audit:view must still leave that tenant's rows out. A PDP over a copy of
// policies/ plus scoped policies denying audit:view on globex (a customer of
// mssp-a) and on mssp-b (a whole MSSP); the real pages are rendered as people
// with real session cookies and Host headers. Controls: the stock policies.
// First: installs Next's request storage before any next/* module loads (see the helper).
import { enrolMfa, inRequest, sessionCookie, type Person } from "./helpers/actions";
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { renderToStaticMarkup } from "react-dom/server";
import { withTenant } from "@/lib/db/with-tenant";
import { useFixtureEnv } from "./helpers/fixture-env";
import type { TenantSlug, UserName } from "./helpers/fixtures";
import { startScopedPdp, type DerivedRole, type ScopedPdp } from "./helpers/scoped-pdp";

const env = useFixtureEnv();
let tightened: ScopedPdp;
const ROLES: DerivedRole[] = ["mssp_admin", "mssp_analyst", "tenant_admin", "tenant_analyst", "tenant_viewer"];
const ACTION = "probe:audit-view";
/** mssp_admin on both MSSPs: the console must judge each MSSP's tenants on their own. */
let twoMssps: Person;

env.before(async () => {
  tightened = await startScopedPdp(env.db.url, env.fx, {
    denies: [
      { tenant: "globex", name: "nobody-reads-globex-audit", actions: ["audit:view"], derivedRoles: ROLES },
      { tenant: "mssp-b", name: "nobody-reads-mssp-b-audit", actions: ["audit:view"], derivedRoles: ROLES },
    ],
  });
  process.env.CERBOS_URL = tightened.url;
  const [user] = await env.owner<{ id: string }>("insert into public.users (email, name) values ('two.mssps@example.test', 'Two MSSPs') returning id");
  // mssp-b first: a page that asks only the first MSSP membership is refused outright.
  for (const slug of ["mssp-b", "mssp-a"] as const) {
    await env.owner("insert into public.memberships (tenant_id, user_id, role) values ($1, $2, 'mssp_admin')", [env.fx.tenants[slug], user.id]);
  }
  twoMssps = { id: user.id, email: "two.mssps@example.test" };
  // One event in each tenant, by its admin (as the owner: the trigger still chains it; how rows are written is not under test).
  const writers: [UserName, TenantSlug][] = [
    ["msspAdmin", "mssp-a"],
    ["acmeAdmin", "acme"],
    ["acmeEuAdmin", "acme-eu"],
    ["globexAdmin", "globex"],
    ["msspBAdmin", "mssp-b"],
    ["otherCoAdmin", "other-co"],
  ];
  for (const [user, slug] of writers) {
    await env.owner("insert into public.audit_log (tenant_id, actor_id, action, target_type, target_id, outcome) values ($1::uuid, $2, $3, 'tenant', $1::text, 'success')", [
      env.fx.tenants[slug],
      env.fx.users[user],
      ACTION,
    ]);
  }
  for (const p of [env.person("msspAdmin"), twoMssps]) await enrolMfa(p);
  for (const p of [env.person("msspAdmin"), env.person("globexAdmin"), env.person("acmeAdmin"), twoMssps]) await sessionCookie(p);
});
after(async () => {
  await tightened?.stop();
});

async function consoleHtml(person: Person, search: Record<string, string> = {}): Promise<string> {
  const { default: Page } = await import("@/app/console/audit/page");
  return renderToStaticMarkup(await inRequest({ person, host: "localhost:3000" }, () => Page({ searchParams: Promise.resolve({ action: ACTION, ...search }) })));
}
async function tenantHtml(user: UserName, slug: TenantSlug): Promise<string> {
  const { default: Page } = await import("@/app/t/[tenant]/audit/page");
  return renderToStaticMarkup(
    await inRequest({ person: env.person(user), host: `${slug}.localhost:3000` }, () =>
      Page({ params: Promise.resolve({ tenant: slug }), searchParams: Promise.resolve({ action: ACTION }) }),
    ),
  );
}
/** The page under the stock policies (the control), then back to the tightened PDP. */
async function stock<T>(fn: () => Promise<T>): Promise<T> {
  process.env.CERBOS_URL = env.pdp.url;
  try {
    return await fn();
  } finally {
    process.env.CERBOS_URL = tightened.url;
  }
}
// Fixture tenants are named "Tenant <slug>"; the table and the tenant filter both name them.
const names = (html: string) => new Set([...html.matchAll(/Tenant (mssp-a|mssp-b|acme-eu|acme-us|acme|globex|other-co)\b/g)].map((m) => m[1]));

test("the console leaves out the rows (and the filter's choice) of a tenant whose policy denies audit:view, and says so", async () => {
  const html = await consoleHtml(env.person("msspAdmin"));
  const shown = names(html);
  assert.ok(!shown.has("globex"), `globex's rows are not listed: ${[...shown]}`);
  assert.ok(shown.has("acme") && shown.has("acme-eu") && shown.has("mssp-a"), [...shown].join());
  assert.match(html, /1 tenant left out: you may not read its audit trail \(audit:view\)/);
  // Typing its slug does not reach it either.
  const typed = await consoleHtml(env.person("msspAdmin"), { tenant: "globex" });
  assert.ok(!names(typed).has("globex"), "?tenant=globex names nothing");
  assert.doesNotMatch(typed, new RegExp(env.fx.tenants.globex));
  const control = names(await stock(() => consoleHtml(env.person("msspAdmin"))));
  assert.ok(control.has("globex"), "control: the stock policies list globex's rows");
});

test("a person with roles in two MSSPs is judged per MSSP: the allowed one's rows are listed, the denied one's are not", async () => {
  const html = await consoleHtml(twoMssps);
  // mssp-b and other-co (mssp-b's policy), and globex (its own).
  assert.match(html, /3 tenants left out: you may not read their audit trails \(audit:view\)/);
  const shown = names(html);
  assert.ok(shown.has("mssp-a") && shown.has("acme"), `mssp-a's subtree is listed: ${[...shown]}`);
  assert.ok(!shown.has("mssp-b") && !shown.has("other-co"), `mssp-b's subtree is left out: ${[...shown]}`);
  const control = names(await stock(() => consoleHtml(twoMssps)));
  assert.ok(control.has("mssp-b") && control.has("other-co") && control.has("acme"), `control: both MSSPs under the stock policies: ${[...control]}`);
});

test("on a tenant host: globex's page is refused, acme's lists acme and its sites", async () => {
  const globex = await tenantHtml("globexAdmin", "globex");
  assert.match(globex, /data-testid="audit-restricted"/);
  assert.match(globex, /A policy does not let you read this audit trail/);
  assert.doesNotMatch(globex, /audit-total/, "no table");
  const acme = await tenantHtml("acmeAdmin", "acme");
  assert.doesNotMatch(acme, /audit-restricted|left out/);
  assert.ok(names(acme).has("acme-eu"));
  assert.doesNotMatch(await stock(() => tenantHtml("globexAdmin", "globex")), /audit-restricted/, "control: the stock policies show globex its trail");
});

test("the page data: the denied tenant's rows are neither listed nor counted", async () => {
  const { loadAuditView } = await import("@/lib/audit/list");
  const view = await withTenant({ userId: env.fx.users.msspAdmin }, (tx) => loadAuditView(tx, { action: ACTION, page: 1 }));
  assert.ok(view.allowed);
  assert.ok(view.events.rows.length > 0);
  assert.ok(view.events.rows.every((r) => r.tenantId !== env.fx.tenants.globex));
  assert.equal(view.events.total, view.events.rows.length, "the count leaves it out too");
});

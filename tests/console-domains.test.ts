// The console's per-customer custom domains (/customers/<slug>/domains), below
// the browser, on a real Postgres with RLS, the real PDP and a real DNS server
// (dnsmasq serving the TXT record; tests/helpers/dnsmasq.ts):
//   - the MSSP's admin, on the console (no active tenant), sees Acme's domains
//     with the records to create and the grace deadline, re-checks one (verified),
//     adds one on Acme's behalf and removes it, each audited on Acme;
//   - another MSSP's admin and another customer's admin see no Acme tenant and
//     cannot act on its domains; a tenant user is not an operator (the page
//     refuses them before loading anything);
//   - the PDP deny path: the MSSP's analyst sees the customer but not its
//     domains (domains:manage is the admins'), and their re-check is refused
//     and recorded as a PDP denial;
//   - the Customers list counts each customer's serving domains in one query.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { callAction, enrolMfa, loadAction, type Person } from "./helpers/actions";
import { DNSMASQ, startDomainsTestEnv, type LocalDns } from "./helpers/dnsmasq";
import { emailOf, type Fixtures, type UserName } from "./helpers/fixtures";
import { withClient, type TestDatabase } from "./helpers/test-database";

let db: TestDatabase;
let fx: Fixtures;
let dns: LocalDns;

const DOMAIN = "soc.acme-console.test";
const CONSOLE = "localhost:3000";
const person = (u: UserName): Person => ({ id: fx.users[u], email: emailOf(u) });
const owner = <T = Record<string, unknown>>(sql: string, params: unknown[] = []) => withClient(db.url, async (c) => (await c.query(sql, params)).rows as T[]);
type Result = { ok: boolean; error?: string; message?: string; data?: { id?: string; status?: string } };
const act = async (file: string, who: UserName, fields: Record<string, string>, host = CONSOLE) =>
  (await callAction(await loadAction(`lib/actions/domains/${file}`), { person: person(who), host }, fields)) as Result;

async function asUser<T>(who: UserName, fn: (tx: import("@/lib/db/with-tenant").TenantTx) => Promise<T>): Promise<T> {
  const { withTenant } = await import("@/lib/db/with-tenant");
  return withTenant({ userId: fx.users[who], email: emailOf(who), activeTenantId: null }, fn);
}
const consoleDomains = async (who: UserName, slug = "acme") => {
  const { loadDomainsPage } = await import("@/lib/domains/page-data");
  const { isOperator } = await import("@/lib/tenancy/page-context");
  // What app/console/customers/[slug]/domains/page.tsx does: operators only, then the page data (RLS + PDP).
  return asUser(who, async (tx) => (isOperator(tx) ? loadDomainsPage(tx, slug) : "not-operator" as const));
};
const acmeDomain = async () => (await owner<{ id: string; token: string; status: string; last_check: string | null; last_checked_at: Date | null }>("select id, token, status, last_check, last_checked_at from public.custom_domains where domain = $1", [DOMAIN]))[0];
const auditOf = (action: string) => owner<{ tenant_id: string; outcome: string; actor_id: string; details: Record<string, unknown> }>("select tenant_id, outcome, actor_id, details from public.audit_log where action = $1 order by occurred_at", [action]);

before(async () => {
  if (!DNSMASQ) return;
  ({ db, fx, dns } = await startDomainsTestEnv());
  // Every MSSP role signs in with TOTP; enrolled here so their sessions are not held at enrolment.
  for (const who of ["msspAdmin", "msspAnalyst", "msspBAdmin"] as const) await enrolMfa(person(who));
  await owner("insert into public.custom_domains (tenant_id, domain, skeleton, token) values ($1, $2, $2, $3)", [fx.tenants.acme, DOMAIN, "console-test-token-0123456789abcd"]);
});
after(async () => {
  await dns?.stop();
  await db?.drop();
});

describe("console: a customer's custom domains", { skip: DNSMASQ ? false : "dnsmasq is not installed here (apt-get install dnsmasq; .ci/run installs it)" }, () => {
  test("the MSSP's admin sees Acme's domain with its records, and re-checks it from the console", async () => {
    const page = await consoleDomains("msspAdmin");
    assert.ok(page && page !== "not-operator");
    assert.equal(page.tenant.id, fx.tenants.acme);
    assert.equal(page.canManage, true);
    assert.equal(page.cnameTarget, "portal.localhost");
    const [d] = page.domains;
    assert.equal(d.domain, DOMAIN);
    assert.equal(d.status, "pending");
    assert.equal(d.txtName, `_mssp-verify.${DOMAIN}`);
    assert.equal(d.txtValue, (await acmeDomain()).token);
    assert.equal(d.lastCheckedAt, null);

    // No record yet: the re-check says so and leaves it pending.
    let res = await act("verify-domain.ts#verifyDomain", "msspAdmin", { tenantId: fx.tenants.acme, domainId: d.id });
    assert.equal(res.ok, true, res.error);
    assert.match(res.message!, /No TXT record found yet/);
    assert.equal((await acmeDomain()).last_check, "missing");

    await dns.records({ txt: [[d.txtName, d.txtValue]], cname: [[DOMAIN, "portal.localhost"]] });
    res = await act("verify-domain.ts#verifyDomain", "msspAdmin", { tenantId: fx.tenants.acme, domainId: d.id });
    assert.equal(res.ok, true, res.error);
    assert.match(res.message!, /Verified/);
    const after = await consoleDomains("msspAdmin");
    assert.ok(after && after !== "not-operator");
    assert.equal(after.domains[0].status, "verified");
    assert.equal(after.domains[0].lastCheck, "ok");
    assert.ok(after.domains[0].lastCheckedAt);
    const audit = await auditOf("domain.verified");
    assert.equal(audit.length, 2);
    assert.ok(audit.every((a) => a.tenant_id === fx.tenants.acme && a.outcome === "success" && a.actor_id === fx.users.msspAdmin));
  });

  test("a domain in grace shows when it stops serving", async () => {
    await owner("update public.custom_domains set status = 'grace', missing_since = $2 where domain = $1", [DOMAIN, new Date("2026-11-30T10:00:00Z")]);
    const page = await consoleDomains("msspAdmin");
    assert.ok(page && page !== "not-operator");
    assert.equal(page.domains[0].status, "grace");
    assert.equal(page.domains[0].routed, true);
    assert.equal(page.domains[0].unroutesAt, "2026-12-03T10:00:00.000Z");
    await owner("update public.custom_domains set status = 'verified', missing_since = null where domain = $1", [DOMAIN]);
  });

  test("the MSSP's admin adds a domain on Acme's behalf and removes it", async () => {
    const added = await act("add-domain.ts#addDomain", "msspAdmin", { tenantId: fx.tenants.acme, domain: "portal.acme-console.test" });
    assert.equal(added.ok, true, added.error);
    const [row] = await owner<{ tenant_id: string; created_by: string; status: string }>("select tenant_id, created_by, status from public.custom_domains where id = $1", [added.data!.id!]);
    assert.deepEqual(row, { tenant_id: fx.tenants.acme, created_by: fx.users.msspAdmin, status: "pending" });
    const page = await consoleDomains("msspAdmin");
    assert.ok(page && page !== "not-operator");
    assert.deepEqual(page.domains.map((d) => d.domain).sort(), ["portal.acme-console.test", DOMAIN]);
    const removed = await act("remove-domain.ts#removeDomain", "msspAdmin", { tenantId: fx.tenants.acme, domainId: added.data!.id! });
    assert.equal(removed.ok, true, removed.error);
    assert.equal((await owner("select 1 from public.custom_domains where id = $1", [added.data!.id!])).length, 0);
    assert.equal((await auditOf("domain.added")).at(-1)?.tenant_id, fx.tenants.acme);
    assert.equal((await auditOf("domain.removed")).at(-1)?.tenant_id, fx.tenants.acme);
  });

  test("another MSSP's admin, another customer's admin and a tenant user get nothing of Acme's", async () => {
    // Another MSSP: Acme does not exist for them (the page answers 403 like a missing customer).
    assert.equal(await consoleDomains("msspBAdmin"), null);
    // A tenant user is no operator: the console page refuses before loading.
    assert.equal(await consoleDomains("acmeAdmin"), "not-operator");
    assert.equal(await consoleDomains("globexAdmin"), "not-operator");
    // Nor do they see Acme's rows under RLS, even asking directly.
    const { listDomains } = await import("@/lib/domains/store");
    for (const who of ["msspBAdmin", "globexAdmin", "otherCoAdmin"] as const) {
      assert.deepEqual(await asUser(who, (tx) => listDomains(tx.db, fx.tenants.acme)), [], who);
    }
    const d = await acmeDomain();
    const before = { status: d.status, last_checked_at: d.last_checked_at?.toISOString() };
    for (const who of ["msspBAdmin", "globexAdmin"] as const) {
      const res = await act("verify-domain.ts#verifyDomain", who, { tenantId: fx.tenants.acme, domainId: d.id });
      assert.equal(res.ok, false, who);
      assert.match(res.error!, /permission/, who);
      const gone = await act("remove-domain.ts#removeDomain", who, { tenantId: fx.tenants.acme, domainId: d.id });
      assert.equal(gone.ok, false, who);
    }
    const now = await acmeDomain();
    assert.deepEqual({ status: now.status, last_checked_at: now.last_checked_at?.toISOString() }, before);
  });

  test("PDP deny: the MSSP's analyst sees the customer, not its domains, and may not re-check", async () => {
    const page = await consoleDomains("msspAnalyst");
    assert.ok(page && page !== "not-operator");
    assert.equal(page.canManage, false);
    assert.deepEqual(page.domains, []);
    const d = await acmeDomain();
    const res = await act("verify-domain.ts#verifyDomain", "msspAnalyst", { tenantId: fx.tenants.acme, domainId: d.id });
    assert.equal(res.ok, false);
    assert.match(res.error!, /permission/);
    const denied = (await auditOf("domain.verified")).filter((a) => a.outcome !== "success");
    assert.ok(denied.some((a) => a.actor_id === fx.users.msspAnalyst && a.tenant_id === fx.tenants.acme && a.details.reason === "pdp_deny"));
  });

  test("the Customers list counts each customer's serving domains (0 where the caller may not read them)", async () => {
    const { loadCustomersPage, DEFAULT_CUSTOMERS_QUERY } = await import("@/lib/lifecycle/list-page");
    const count = async (who: UserName) => {
      const page = await asUser(who, (tx) => loadCustomersPage(tx, DEFAULT_CUSTOMERS_QUERY));
      return Object.fromEntries(page.rows.map((r) => [r.slug, r.customDomains]));
    };
    const admin = await count("msspAdmin");
    assert.equal(admin.acme, 1);
    assert.equal(admin.globex, 0);
    assert.equal((await count("msspAnalyst")).acme, 0);
    await owner("update public.custom_domains set status = 'unrouted' where domain = $1", [DOMAIN]);
    assert.equal((await count("msspAdmin")).acme, 0);
  });
});

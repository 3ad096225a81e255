// Look-alike custom domains route with the MSSP's approval (lib/domains/store.ts),
// through the real server actions, on a real Postgres with RLS, the real PDP and
// a real DNS server (dnsmasq; tests/helpers/dnsmasq.ts):
//   - globex proves blgcorp.test first; acme's admin cannot add bigcorp.test
//     (same skeleton) and is told to ask its MSSP; the MSSP's admin adds it for
//     acme from the console (approved, audited), and with its TXT record it
//     routes beside blgcorp.test: the first to verify a look-alike no longer
//     blocks the real owner;
//   - an entry added before its look-alike started routing elsewhere is held at
//     verification (valid TXT, not routed, flagged "look_alike" in the list);
//     the MSSP's analyst and another MSSP's admin cannot approve it; the MSSP's
//     admin approves it by adding the same name for acme (same TXT value), and
//     the next check routes it;
//   - an exact name another tenant routes stays theirs, approval or not.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { callAction, enrolMfa, loadAction, type Person } from "./helpers/actions";
import { DNSMASQ, startDomainsTestEnv, type LocalDns } from "./helpers/dnsmasq";
import { emailOf, type Fixtures, type UserName } from "./helpers/fixtures";
import { withClient, type TestDatabase } from "./helpers/test-database";

let db: TestDatabase;
let fx: Fixtures;
let dns: LocalDns;

const CONSOLE = "localhost:3000";
const host = (slug: string) => `${slug}.localhost:3000`;
const person = (u: UserName): Person => ({ id: fx.users[u], email: emailOf(u) });
const owner = <T = Record<string, unknown>>(sql: string, params: unknown[] = []) => withClient(db.url, async (c) => (await c.query(sql, params)).rows as T[]);
type Result = { ok: boolean; error?: string; message?: string; data?: { id?: string; status?: string } };
const act = async (file: string, who: UserName, at: string, fields: Record<string, string>) =>
  (await callAction(await loadAction(`lib/actions/domains/${file}`), { person: person(who), host: at }, fields)) as Result;
const row = async (domain: string) =>
  (await owner<{ id: string; tenant_id: string; token: string; status: string; last_check: string | null; lookalike_approved_by: string | null }>(
    "select id, tenant_id, token, status, last_check, lookalike_approved_by from public.custom_domains where domain = $1",
    [domain],
  ))[0];
/** Publishes the TXT record of `domain` (its entry's token) beside those already published. */
const txt: [string, string][] = [];
async function publish(domain: string) {
  txt.push([`_mssp-verify.${domain}`, (await row(domain)).token]);
  await dns.records({ txt });
}
const verifyAs = async (who: UserName, at: string, domain: string) => {
  const r = await row(domain);
  return act("verify-domain.ts#verifyDomain", who, at, { tenantId: r.tenant_id, domainId: r.id });
};

before(async () => {
  if (!DNSMASQ) return;
  ({ db, fx, dns } = await startDomainsTestEnv());
  for (const who of ["msspAdmin", "msspAnalyst", "msspBAdmin"] as const) await enrolMfa(person(who));
});
after(async () => {
  await dns?.stop();
  await db?.drop();
});

describe("look-alike custom domains", { skip: DNSMASQ ? false : "dnsmasq is not installed here (apt-get install dnsmasq; .ci/run installs it)" }, () => {
  test("the first to prove a look-alike does not block the real owner: the MSSP adds it for them", async () => {
    assert.equal((await act("add-domain.ts#addDomain", "globexAdmin", host("globex"), { tenantId: fx.tenants.globex, domain: "blgcorp.test" })).ok, true);
    await publish("blgcorp.test");
    assert.match((await verifyAs("globexAdmin", host("globex"), "blgcorp.test")).message!, /Verified/);

    const refused = await act("add-domain.ts#addDomain", "acmeAdmin", host("acme"), { tenantId: fx.tenants.acme, domain: "bigcorp.test" });
    assert.equal(refused.ok, false);
    assert.match(refused.error!, /looks like one another portal serves.*ask your MSSP to add it for you/);
    assert.equal(await row("bigcorp.test"), undefined);

    const added = await act("add-domain.ts#addDomain", "msspAdmin", CONSOLE, { tenantId: fx.tenants.acme, domain: "bigcorp.test" });
    assert.equal(added.ok, true, added.error);
    assert.match(added.message!, /added and approved/);
    assert.equal((await row("bigcorp.test")).lookalike_approved_by, fx.users.msspAdmin);
    const audit = await owner<{ tenant_id: string; details: Record<string, unknown> }>("select tenant_id, details from public.audit_log where action = 'domain.added' and outcome = 'success' and details->>'domain' = 'bigcorp.test'");
    assert.deepEqual(audit.map((a) => [a.tenant_id, a.details.lookAlikeApproved]), [[fx.tenants.acme, "added"]]);

    await publish("bigcorp.test");
    const verified = await verifyAs("acmeAdmin", host("acme"), "bigcorp.test");
    assert.match(verified.message!, /Verified/);
    assert.deepEqual([(await row("bigcorp.test")).status, (await row("blgcorp.test")).status], ["verified", "verified"]);
    const { tenantSlugForDomain } = await import("@/lib/domains/resolve");
    const { clearAllLocal } = await import("@/lib/cache");
    clearAllLocal();
    assert.deepEqual([await tenantSlugForDomain("bigcorp.test"), await tenantSlugForDomain("blgcorp.test")], ["acme", "globex"]);
  });

  test("an entry held at verification as a look-alike: flagged, approved by the MSSP's admin only, then routed", async () => {
    // Acme adds its name while nothing looks like it; globex then proves a look-alike first.
    assert.equal((await act("add-domain.ts#addDomain", "acmeAdmin", host("acme"), { tenantId: fx.tenants.acme, domain: "portal.bigbank.test" })).ok, true);
    assert.equal((await act("add-domain.ts#addDomain", "globexAdmin", host("globex"), { tenantId: fx.tenants.globex, domain: "portal.blgbank.test" })).ok, true);
    await publish("portal.blgbank.test");
    assert.match((await verifyAs("globexAdmin", host("globex"), "portal.blgbank.test")).message!, /Verified/);

    await publish("portal.bigbank.test");
    const held = await verifyAs("acmeAdmin", host("acme"), "portal.bigbank.test");
    assert.equal(held.ok, true, held.error);
    assert.match(held.message!, /looks like a domain another portal serves.*routes only once your provider approves it/);
    const before = await row("portal.bigbank.test");
    assert.deepEqual([before.status, before.last_check, before.lookalike_approved_by], ["pending", "look_alike", null]);
    // The list flags it, for the tenant and on the console.
    const { loadDomainsPage } = await import("@/lib/domains/page-data");
    const { withTenant } = await import("@/lib/db/with-tenant");
    const { LAST_CHECK_LABELS } = await import("@/lib/domains/state");
    const page = await withTenant({ userId: fx.users.msspAdmin, email: emailOf("msspAdmin"), activeTenantId: null }, (tx) => loadDomainsPage(tx, "acme"));
    const listed = page!.domains.find((d) => d.domain === "portal.bigbank.test")!;
    assert.equal(listed.lastCheck, "look_alike");
    assert.match(LAST_CHECK_LABELS[listed.lastCheck!], /your provider approves it/);

    // Nobody but the MSSP's admin approves it; the tenant's admin adding it again changes nothing.
    assert.match((await act("add-domain.ts#addDomain", "acmeAdmin", host("acme"), { tenantId: fx.tenants.acme, domain: "portal.bigbank.test" })).error!, /has that domain already/);
    assert.match((await act("add-domain.ts#addDomain", "msspAnalyst", CONSOLE, { tenantId: fx.tenants.acme, domain: "portal.bigbank.test" })).error!, /permission/);
    assert.match((await act("add-domain.ts#addDomain", "msspBAdmin", CONSOLE, { tenantId: fx.tenants.acme, domain: "portal.bigbank.test" })).error!, /permission/);
    assert.equal((await row("portal.bigbank.test")).lookalike_approved_by, null);

    const approved = await act("add-domain.ts#addDomain", "msspAdmin", CONSOLE, { tenantId: fx.tenants.acme, domain: "portal.bigbank.test" });
    assert.equal(approved.ok, true, approved.error);
    assert.match(approved.message!, /^Approved/);
    const after = await row("portal.bigbank.test");
    assert.deepEqual([after.id, after.token, after.lookalike_approved_by], [before.id, before.token, fx.users.msspAdmin], "the same entry and TXT value");
    const { recheckDomains } = await import("@/lib/domains/tasks");
    await recheckDomains();
    assert.deepEqual([(await row("portal.bigbank.test")).status, (await row("portal.blgbank.test")).status], ["verified", "verified"]);
  });

  test("an exact name another tenant routes stays theirs, even for the MSSP", async () => {
    const r = await act("add-domain.ts#addDomain", "msspAdmin", CONSOLE, { tenantId: fx.tenants.acme, domain: "blgcorp.test" });
    assert.equal(r.ok, false);
    assert.match(r.error!, /already in use by another portal/);
  });
});

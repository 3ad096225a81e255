// The scheduled re-check of custom domains holds nothing while DNS answers
// (lib/domains/tasks.ts), on a real Postgres and real DNS (dnsmasq, behind a
// relay that holds one name's queries until the test lets them go:
// tests/helpers/dns-relay.ts):
//   - a domain the run routes is committed (and its eviction sent) before the
//     run goes on to the next domain;
//   - while the run waits on a slow look-up, no custom_domains row is locked,
//     and Remove (another tenant's) and Add (which takes the portal-wide name
//     lock) answer at once instead of waiting for the whole run;
//   - a domain removed while its records were being looked up is skipped.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { callAction, loadAction, type Person } from "./helpers/actions";
import { DNSMASQ, startDomainsTestEnv, type LocalDns } from "./helpers/dnsmasq";
import { DnsRelay } from "./helpers/dns-relay";
import { emailOf, type Fixtures, type UserName } from "./helpers/fixtures";
import { withClient, type TestDatabase } from "./helpers/test-database";

let db: TestDatabase;
let fx: Fixtures;
let dns: LocalDns;
let relay: DnsRelay;

const person = (u: UserName): Person => ({ id: fx.users[u], email: emailOf(u) });
const owner = <T = Record<string, unknown>>(sql: string, params: unknown[] = []) => withClient(db.url, async (c) => (await c.query(sql, params)).rows as T[]);
const act = async (file: string, user: UserName, host: string, fields: Record<string, string>) =>
  (await callAction(await loadAction(`lib/actions/domains/${file}`), { person: person(user), host }, fields)) as { ok: boolean; error?: string };
/** `p`, or a rejection naming `what` after `ms`: an action stuck behind the run's locks fails here instead of hanging. */
const within = <T>(ms: number, what: string, p: Promise<T>) =>
  Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what}: no answer in ${ms} ms (waiting for the re-check's locks?)`)), ms))]);

const TOKENS = { a: "recheck-token-a-0123456789abcdef", b: "recheck-token-b-0123456789abcdef", c: "recheck-token-c-0123456789abcdef" };
const SLOW = "_mssp-verify.c.globex.test";

before(async () => {
  if (!DNSMASQ) return;
  ({ db, fx, dns } = await startDomainsTestEnv());
  relay = await DnsRelay.start(dns.address);
});
after(async () => {
  await relay?.stop();
  await dns?.stop();
  await db?.drop();
});

describe("the scheduled re-check", { skip: DNSMASQ ? false : "dnsmasq is not installed here (apt-get install dnsmasq; .ci/run installs it)" }, () => {
  test("applies each domain in a short transaction of its own: nothing waits for a slow look-up", async () => {
    const [c] = await owner<{ id: string }>(
      `insert into public.custom_domains (tenant_id, domain, skeleton, token, status, verified_at) values
         ($1, 'a.acme.test', 'a.acme.test', $3, 'verified', now()),
         ($1, 'b.acme.test', 'b.acme.test', $4, 'pending', null),
         ($2, 'c.globex.test', 'c.globex.test', $5, 'verified', now())
       returning id`,
      [fx.tenants.acme, fx.tenants.globex, TOKENS.a, TOKENS.b, TOKENS.c],
    ).then((rows) => rows.slice(2));
    await dns.records({ txt: [["_mssp-verify.a.acme.test", TOKENS.a], ["_mssp-verify.b.acme.test", TOKENS.b], [SLOW, TOKENS.c]] });
    // Loaded before the run, so the timing below measures waiting, not compiling.
    await loadAction("lib/actions/domains/remove-domain.ts#removeDomain");
    await loadAction("lib/actions/domains/add-domain.ts#addDomain");

    const { recheckDomains } = await import("@/lib/domains/tasks");
    relay.hold(SLOW);
    const run = recheckDomains({ resolverAddress: relay.address });
    try {
      // The run is now waiting on DNS for c.globex.test, after a.acme.test and b.acme.test (in name order).
      await within(20_000, "the run's look-up of c.globex.test", relay.asked(SLOW));
      const rows = await owner<{ domain: string; status: string }>("select domain, status from public.custom_domains order by domain");
      assert.deepEqual(rows, [
        { domain: "a.acme.test", status: "verified" },
        { domain: "b.acme.test", status: "verified" },
        { domain: "c.globex.test", status: "verified" },
      ], "b.acme.test started routing and that is committed while the run goes on");
      const locked = await owner<{ n: number }>(
        `select count(*)::int as n from pg_locks l join pg_class r on r.oid = l.relation
          where r.relname = 'custom_domains' and l.mode = 'RowShareLock' and l.granted`,
      );
      assert.equal(locked[0].n, 0, "no transaction holds custom_domains rows while DNS answers");
      const removed = await within(3_000, "globex's Remove", act("remove-domain.ts#removeDomain", "globexAdmin", "globex.localhost:3000", { tenantId: fx.tenants.globex, domainId: c.id }));
      assert.equal(removed.ok, true, removed.error);
      const added = await within(3_000, "acme's Add", act("add-domain.ts#addDomain", "acmeAdmin", "acme.localhost:3000", { tenantId: fx.tenants.acme, domain: "new.acme.test" }));
      assert.equal(added.ok, true, added.error);
    } finally {
      relay.release(SLOW);
    }
    // c.globex.test was removed while its records were looked up: skipped, not an error.
    assert.deepEqual(await run, { pending: 0, verified: 2, grace: 0, unrouted: 0 });
    const after = await owner<{ domain: string; status: string }>("select domain, status from public.custom_domains order by domain");
    assert.deepEqual(after.map((r) => `${r.domain}:${r.status}`), ["a.acme.test:verified", "b.acme.test:verified", "new.acme.test:pending"]);
  });

  test("a result older than the domain's last check is dropped; a domain no longer due is left alone", async () => {
    const { applyRecheck } = await import("@/lib/domains/store");
    const { withServiceRole } = await import("@/lib/db/service-role");
    const [b] = await owner<{ id: string; token: string }>("select id, token from public.custom_domains where domain = 'b.acme.test'");
    const due = { id: b.id, tenantId: fx.tenants.acme, domain: "b.acme.test", token: b.token };
    const missing = { outcome: "missing" as const, cnameOk: false };
    // Looked up before the last check (a Verify ran since): nothing changes.
    const stale = await withServiceRole("domains.verify", (sdb) => applyRecheck(sdb, due, missing, new Date(), new Date(Date.now() - 3_600_000)));
    assert.equal(stale, null);
    assert.equal((await owner<{ status: string }>("select status from public.custom_domains where id = $1", [b.id]))[0].status, "verified");
    // A pending domain added over a week ago is no longer due.
    await owner("update public.custom_domains set status = 'pending', verified_at = null, created_at = now() - interval '8 days' where id = $1", [b.id]);
    const old = await withServiceRole("domains.verify", (sdb) => applyRecheck(sdb, due, { outcome: "ok", cnameOk: true }, new Date(), new Date()));
    assert.equal(old, null);
    assert.equal((await owner<{ status: string }>("select status from public.custom_domains where id = $1", [b.id]))[0].status, "pending");
  });
});

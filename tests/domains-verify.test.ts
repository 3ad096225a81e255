// Custom domains end to end below the browser (issue 14 point 3), on a real
// Postgres with RLS, the real PDP and a real DNS server (dnsmasq, serving the
// TXT records; tests/helpers/dnsmasq.ts):
//   - adding: a tenant admin adds a domain through the server action; another
//     tenant's domain, a homograph of it and a viewer are refused, nothing stored;
//   - verification: no record, wrong token, right token → verified;
//   - the scheduled re-check: record removed → grace (still routed) → after the
//     grace period unrouted → record back → verified again; removal unroutes;
//   - host resolution in a second app process (its own lib/cache and
//     listener) follows every change through cross-process eviction;
//   - the proxy serves a verified custom domain as its tenant, and the TLS
//     ask endpoint answers 200 only for routed domains and the portal's hosts.
import assert from "node:assert/strict";
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { createInterface } from "node:readline";
import { after, before, describe, test } from "node:test";
import { callAction, inRequest, loadAction, type Person } from "./helpers/actions";
import { emailOf, type Fixtures, type UserName } from "./helpers/fixtures";
import { withClient, type TestDatabase } from "./helpers/test-database";
import { DNSMASQ, startDomainsTestEnv, type LocalDns } from "./helpers/dnsmasq";

let db: TestDatabase;
let fx: Fixtures;
let dns: LocalDns;
let child: Child;
let listener: { stop(): Promise<void>; ready: Promise<void> };

const DOMAIN = "soc.acme.test";
const ACME = "acme.localhost:3000";
const GLOBEX = "globex.localhost:3000";
const person = (u: UserName): Person => ({ id: fx.users[u], email: emailOf(u) });
const owner = <T = Record<string, unknown>>(sql: string, params: unknown[] = []) => withClient(db.url, async (c) => (await c.query(sql, params)).rows as T[]);

class Child {
  private readonly lines: string[] = [];
  private waiters: ((line: string) => void)[] = [];
  constructor(readonly proc: ChildProcessWithoutNullStreams) {
    createInterface({ input: proc.stdout }).on("line", (line) => {
      const w = this.waiters.shift();
      if (w) w(line);
      else this.lines.push(line);
    });
    proc.stderr.on("data", (d: Buffer) => process.stderr.write(`[child] ${d.toString()}`));
  }
  next(ms = 60_000): Promise<Record<string, unknown>> {
    const line = this.lines.shift();
    if (line !== undefined) return Promise.resolve(JSON.parse(line) as Record<string, unknown>);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`child: no answer in ${ms} ms`)), ms);
      this.waiters.push((l) => {
        clearTimeout(t);
        resolve(JSON.parse(l) as Record<string, unknown>);
      });
    });
  }
  async send(cmd: Record<string, unknown>): Promise<Record<string, unknown>> {
    this.proc.stdin.write(JSON.stringify(cmd) + "\n");
    const r = await this.next();
    if (r.error) throw new Error(String(r.error));
    return r;
  }
}

async function eventually(check: () => Promise<boolean>, ms = 5_000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return false;
}

const act = async (file: string, as: { person: Person; host: string }, fields: Record<string, string>) =>
  (await callAction(await loadAction(`lib/actions/domains/${file}`), as, fields)) as { ok: boolean; error?: string; message?: string; data?: { id?: string; status?: string } };
const row = async (tenant: "acme" | "globex" = "acme") =>
  (await owner<{ id: string; token: string; status: string; missing_since: Date | null; last_check: string }>(
    "select id, token, status, missing_since, last_check from public.custom_domains where domain = $1 and tenant_id = $2",
    [DOMAIN, fx.tenants[tenant]],
  ))[0];
const childSlug = async () => (await child.send({ op: "resolve", host: DOMAIN })).slug as string | null;

before(async () => {
  if (!DNSMASQ) return;
  ({ db, fx, dns } = await startDomainsTestEnv());
  const { startCacheListener } = await import("@/lib/cache/listener");
  listener = startCacheListener({ retryMs: 100 });
  await listener.ready;
  const proc = spawn(process.execPath, ["--import", "tsx", "tests/helpers/domain-child.ts"], { env: { ...process.env }, stdio: ["pipe", "pipe", "pipe"] });
  child = new Child(proc);
  assert.equal((await child.next()).ready, true);
});
after(async () => {
  await child?.send({ op: "quit" }).catch(() => child.proc.kill());
  await listener?.stop();
  await dns?.stop();
  await db?.drop();
});

describe("custom domains", { skip: DNSMASQ ? false : "dnsmasq is not installed here (apt-get install dnsmasq; .ci/run installs it)" }, () => {
  test("a tenant admin adds a domain; invalid ones and a viewer are refused; another tenant's unverified claim reserves nothing", async () => {
    const added = await act("add-domain.ts#addDomain", { person: person("acmeAdmin"), host: ACME }, { tenantId: fx.tenants.acme, domain: "SOC.Acme.Test." });
    assert.equal(added.ok, true, added.error);
    const r = await row();
    assert.equal(r.status, "pending");
    assert.match(r.token, /^[A-Za-z0-9_-]{32}$/);

    const before = await owner<{ n: number }>("select count(*)::int as n from public.custom_domains");
    for (const [domain, message] of [
      ["globex.localhost", /belongs to this portal itself/],
      ["10.0.0.1", /IP address/],
      ["*.globex.test", /Wildcard/],
    ] as const) {
      const res = await act("add-domain.ts#addDomain", { person: person("globexAdmin"), host: GLOBEX }, { tenantId: fx.tenants.globex, domain });
      assert.equal(res.ok, false, domain);
      assert.match(res.error!, message, domain);
    }
    const viewer = await act("add-domain.ts#addDomain", { person: person("acmeViewer"), host: ACME }, { tenantId: fx.tenants.acme, domain: "viewer.acme.test" });
    assert.equal(viewer.ok, false);
    assert.match(viewer.error!, /permission/);
    const again = await act("add-domain.ts#addDomain", { person: person("acmeAdmin"), host: ACME }, { tenantId: fx.tenants.acme, domain: DOMAIN });
    assert.match(again.error!, /has that domain already/);
    assert.deepEqual(await owner<{ n: number }>("select count(*)::int as n from public.custom_domains"), before);
    // Acme's domain is not proved yet: globex may claim it too (anyone can type anyone's domain, so an
    // unverified claim must not lock the owner out). Whoever proves it first routes it (next test).
    const squat = await act("add-domain.ts#addDomain", { person: person("globexAdmin"), host: GLOBEX }, { tenantId: fx.tenants.globex, domain: DOMAIN });
    assert.equal(squat.ok, true, squat.error);
    assert.equal((await row("globex")).status, "pending");
    // Under RLS, another tenant's admin does not see it.
    const { listDomains } = await import("@/lib/domains/store");
    const { withTenant } = await import("@/lib/db/with-tenant");
    const seen = await withTenant({ userId: fx.users.globexAdmin, email: emailOf("globexAdmin"), activeTenantId: fx.tenants.globex }, (tx) => listDomains(tx.db, fx.tenants.acme));
    assert.deepEqual(seen, []);
  });

  test("verification: no record, then a wrong token, then the right one; the second process starts routing it", async () => {
    const r = await row();
    const verify = () => act("verify-domain.ts#verifyDomain", { person: person("acmeAdmin"), host: ACME }, { tenantId: fx.tenants.acme, domainId: r.id });
    assert.equal(await childSlug(), null);

    let res = await verify();
    assert.equal(res.ok, true, res.error);
    assert.match(res.message!, /No TXT record found yet/);
    assert.equal((await row()).status, "pending");

    await dns.records({ txt: [[`_mssp-verify.${DOMAIN}`, "not-the-token-0123456789"]] });
    res = await verify();
    assert.match(res.message!, /holds another value/);
    assert.equal((await row()).status, "pending");
    assert.equal((await row()).last_check, "wrong_token");

    await dns.records({ txt: [[`_mssp-verify.${DOMAIN}`, r.token]], cname: [[DOMAIN, "portal.localhost"]] });
    res = await verify();
    assert.match(res.message!, /Verified/);
    assert.equal((await row()).status, "verified");
    assert.ok(await eventually(async () => (await childSlug()) === "acme"), "the other process resolves the domain to acme after the eviction");
    assert.equal((await child.send({ op: "primary", slug: "acme" })).domain, DOMAIN);

    // Globex's claim, even with its own token in DNS too, cannot route a domain acme proved first.
    const g = await row("globex");
    await dns.records({ txt: [[`_mssp-verify.${DOMAIN}`, r.token], [`_mssp-verify.${DOMAIN}`, g.token]], cname: [[DOMAIN, "portal.localhost"]] });
    const theirs = await act("verify-domain.ts#verifyDomain", { person: person("globexAdmin"), host: GLOBEX }, { tenantId: fx.tenants.globex, domainId: g.id });
    assert.match(theirs.message!, /another portal already serves this domain/);
    assert.deepEqual([(await row("globex")).status, (await row("globex")).last_check], ["pending", "taken"]);
    assert.equal(await childSlug(), "acme");
    await owner("delete from public.custom_domains where tenant_id = $1", [fx.tenants.globex]);
    await dns.records({ txt: [[`_mssp-verify.${DOMAIN}`, r.token]], cname: [[DOMAIN, "portal.localhost"]] });
    // Now that acme serves it, the name and its look-alikes are taken for every other portal.
    for (const [domain, message] of [
      [DOMAIN, /already in use by another portal/],
      ["soc.аcme.test", /looks like one another portal serves.*ask your MSSP to add it/], // Cyrillic а
      ["s0c.acme.test", /looks like one another portal serves.*ask your MSSP to add it/],
    ] as const) {
      const res = await act("add-domain.ts#addDomain", { person: person("globexAdmin"), host: GLOBEX }, { tenantId: fx.tenants.globex, domain });
      assert.equal(res.ok, false, domain);
      assert.match(res.error!, message, domain);
    }
  });

  test("the scheduled re-check: record removed → grace (still routed) → unrouted after the grace period → back", async () => {
    const { recheckDomains } = await import("@/lib/domains/tasks");
    const t0 = new Date();
    await dns.records({});
    const counts = await recheckDomains({ now: t0 });
    assert.equal(counts.grace, 1);
    const g = await row();
    assert.equal(g.status, "grace");
    assert.ok(g.missing_since);
    assert.equal(await childSlug(), "acme", "still routed during the grace period");

    await recheckDomains({ now: new Date(t0.getTime() + 71 * 3_600_000) });
    assert.equal((await row()).status, "grace");
    await recheckDomains({ now: new Date(t0.getTime() + 72 * 3_600_000 + 1) });
    assert.equal((await row()).status, "unrouted");
    assert.ok(await eventually(async () => (await childSlug()) === null), "the other process stops routing it");
    assert.equal((await child.send({ op: "primary", slug: "acme" })).domain, null);

    await dns.records({ txt: [[`_mssp-verify.${DOMAIN}`, g.token]] });
    await recheckDomains({ now: new Date(t0.getTime() + 80 * 3_600_000) });
    assert.equal((await row()).status, "verified");
    assert.ok(await eventually(async () => (await childSlug()) === "acme"));
  });

  test("the proxy serves the verified domain as acme; the TLS ask endpoint answers for routed hosts only", async () => {
    const { NextRequest } = await import("next/server");
    const { proxy } = await import("../proxy");
    const res = await proxy(new NextRequest(`http://${DOMAIN}/alerts`, { headers: { host: DOMAIN, "x-portal-custom-domain-tenant": "globex" } }));
    assert.match(res.headers.get("x-middleware-rewrite") ?? "", /\/t\/acme\/alerts$/);
    assert.equal(res.headers.get("x-middleware-request-x-portal-custom-domain-tenant"), "acme");
    assert.equal(res.headers.get("x-middleware-request-x-forwarded-host"), DOMAIN);
    // A client naming a tenant for an unknown host gets nothing.
    const forged = await proxy(new NextRequest("http://evil.test/alerts", { headers: { host: "evil.test", "x-portal-custom-domain-tenant": "acme" } }));
    assert.match(forged.headers.get("x-middleware-rewrite") ?? "", /\/unknown-host$/);
    // Made-up hosts are answered from the one cached map of routed domains: no look-up and no cache
    // entry each (random Host headers would otherwise cost a query apiece).
    const { sharedCache } = await import("@/lib/cache");
    const { tenantSlugForDomain } = await import("@/lib/domains/resolve");
    const routed = sharedCache<ReadonlyMap<string, string>>("domain-routed", { ttlMs: 60_000, maxEntries: 1 });
    assert.equal(await tenantSlugForDomain(DOMAIN), "acme");
    for (let i = 0; i < 200; i++) assert.equal(await tenantSlugForDomain(`x${i}.made-up-${i}.test`), null);
    assert.equal(routed.size, 1, "one entry, whatever the hosts asked");
    assert.equal(await tenantSlugForDomain(DOMAIN), "acme", "the routed domain still resolves");

    const { GET } = await import("@/app/api/tls/ask/route");
    process.env.TLS_ASK_SECRET = "verify-test-tls-ask-secret-0123456789";
    const ask = (domain: string) =>
      inRequest({ host: "localhost:3000" }, async () => (await GET(new Request(`http://localhost:3000/api/tls/ask?secret=${process.env.TLS_ASK_SECRET}&domain=${encodeURIComponent(domain)}`))).status);
    assert.equal(await ask(DOMAIN), 200);
    assert.equal(await ask("localhost"), 200);
    assert.equal(await ask("acme.localhost"), 200);
    assert.equal(await ask("no-such-tenant.localhost"), 404);
    assert.equal(await ask("evil.test"), 404);
    assert.equal(await ask("10.0.0.1"), 404);
    assert.equal(await ask(""), 404);
  });

  test("removing the domain unroutes it everywhere", async () => {
    const r = await row();
    const res = await act("remove-domain.ts#removeDomain", { person: person("acmeAdmin"), host: ACME }, { tenantId: fx.tenants.acme, domainId: r.id });
    assert.equal(res.ok, true, res.error);
    assert.equal(await row(), undefined);
    assert.ok(await eventually(async () => (await childSlug()) === null));
    const audit = await owner<{ action: string }>("select action from public.audit_log where action like 'domain.%' order by 1");
    assert.ok(audit.some((a) => a.action === "domain.added") && audit.some((a) => a.action === "domain.removed"));
  });
});

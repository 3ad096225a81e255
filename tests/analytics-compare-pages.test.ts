// The comparison and benchmark pages called as people (real session cookies,
// Host headers, RLS and a real PDP whose policy for globex denies the MSSP
// admin alerts:read there):
//   - console /compare: the MSSP admin asks for acme and globex and gets
//     acme only, globex counted as left out by the PDP (the skip path);
//     another MSSP's admin asking for acme gets nothing; a tenant admin 403;
//   - tenant /benchmark: what the page hands to the browser (the rendered
//     element tree, as serialized) holds acme's percentiles and no other
//     tenant's id, slug, name or figure; globex's admin is refused on acme's host.
// First: installs Next's request storage before any next/* module loads (see the helper).
import { enrolMfa, inRequest, sessionCookie } from "./helpers/actions";
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { emailOf, insertFixtures, type Fixtures, type UserName } from "./helpers/fixtures";
import { startScopedPdp, type ScopedPdp } from "./helpers/scoped-pdp";
import { createTestDatabase, withClient, type TestDatabase } from "./helpers/test-database";

let db: TestDatabase;
let fx: Fixtures;
let pdp: ScopedPdp;
const person = (user: UserName) => ({ id: fx.users[user], email: emailOf(user), name: user });
const PEERS = ["peer-one", "peer-two", "peer-three", "peer-four"];

before(async () => {
  db = await createTestDatabase();
  fx = await insertFixtures(db.url);
  await withClient(db.url, async (c) => {
    for (const slug of PEERS) await c.query("insert into public.tenants (parent_id, slug, name, kind) values ($1, $2, $3, 'customer')", [fx.tenants["mssp-a"], slug, `Peer ${slug}`]);
    // Every customer of mssp-a: assets and alerts of its own, acknowledged and closed at its own pace.
    await c.query(
      `with t as (select id, row_number() over (order by slug) as n from public.tenants where kind = 'customer' and parent_id = $1)
       insert into public.assets (tenant_id, hostname) select t.id, 'h-' || g from t cross join lateral generate_series(1, (4 + t.n * 3)::int) g`,
      [fx.tenants["mssp-a"]],
    );
    await c.query(
      `with t as (select id, row_number() over (order by slug) as n from public.tenants where kind = 'customer' and parent_id = $1)
       insert into public.alerts (tenant_id, title, severity, status, source, detected_at, acknowledged_at, resolved_at, close_reason)
       select t.id, 'a' || g, (array['critical','high','medium','low'])[1 + g % 4], 'resolved', 'test',
              now() - (g || ' hours')::interval, now() - (g || ' hours')::interval + (t.n * 7 || ' minutes')::interval,
              now() - (g || ' hours')::interval + (t.n * 50 || ' minutes')::interval, 'done'
         from t cross join lateral generate_series(1, (5 + t.n * 2)::int) g`,
      [fx.tenants["mssp-a"]],
    );
  });
  pdp = await startScopedPdp(db.url, fx, {
    denies: [{ tenant: "globex", name: "mssp-admins-do-not-read-globex-alerts", actions: ["alerts:read"], derivedRoles: ["mssp_admin"] }],
  });
  process.env.CERBOS_URL = pdp.url;
  await enrolMfa(person("msspAdmin"));
  await enrolMfa(person("msspBAdmin"));
  for (const u of ["msspAdmin", "msspBAdmin", "acmeAdmin", "globexAdmin"] as const) await sessionCookie(person(u));
});
after(async () => {
  await db?.drop();
  await pdp?.stop();
});

process.env.__NEXT_EXPERIMENTAL_AUTH_INTERRUPTS = "true";
const refused = (status: string) => (e: unknown) => String((e as { digest?: string }).digest ?? "").includes(`;${status}`);

async function comparePage(user: UserName, search: Record<string, string | string[]>) {
  const { default: Page } = await import("@/app/console/compare/page");
  return inRequest({ person: person(user), host: "localhost:3000" }, () => Page({ searchParams: Promise.resolve(search) }));
}
async function benchmarkPage(user: UserName, search: Record<string, string> = {}) {
  const { default: Page } = await import("@/app/t/[tenant]/benchmark/page");
  return inRequest({ person: person(user), host: "acme.localhost:3000" }, () => Page({ params: Promise.resolve({ tenant: "acme" }), searchParams: Promise.resolve(search) }));
}
/** The rendered element tree as the browser would get its props (React elements are plain objects). */
const serialized = (el: unknown) => JSON.stringify(el, (_k, v) => (typeof v === "function" ? undefined : v));

test("console /compare: the PDP's denial of alerts:read on globex leaves globex out, counted; acme is compared", async () => {
  const text = serialized(await comparePage("msspAdmin", { c: ["acme", "globex"] }));
  assert.match(text, /"slug":"acme"/);
  assert.doesNotMatch(text, /"slug":"globex"/);
  assert.match(text, /"hidden":1[,}]/);
  assert.match(text, /"missing":1[,}]/);
});

test("console /compare: another MSSP's admin asking for acme gets nothing of it; a tenant admin is refused", async () => {
  const text = serialized(await comparePage("msspBAdmin", { c: "acme" }));
  assert.ok(!text.includes(fx.tenants.acme) && !text.includes("Tenant acme"));
  assert.match(text, /"missing":1[,}]/);
  await assert.rejects(comparePage("acmeAdmin", { c: "acme" }), refused("403"));
});

test("tenant /benchmark: acme's percentiles, and no other tenant's id, slug, name or figure in what the page hands over", async () => {
  const text = serialized(await benchmarkPage("acmeAdmin"));
  assert.match(text, /"state":"ready"/);
  assert.match(text, /"status":"ok"/);
  assert.match(text, /"peersBand":"5-9"/);
  const others = (await withClient(db.url, (c) => c.query<{ id: string; slug: string; name: string }>("select id, slug, name from public.tenants where id <> $1", [fx.tenants.acme]))).rows;
  for (const o of others) {
    assert.ok(!text.includes(o.id), `id of ${o.slug}`);
    assert.ok(!text.includes(o.name), `name of ${o.slug}`);
    assert.ok(!text.includes(`"${o.slug}"`), `slug of ${o.slug}`);
  }
  // The other customers' own figures (their MTTA differs by construction: 7 min × their rank).
  const { rows } = await withClient(db.url, (c) =>
    c.query<{ id: string; mtta: number }>("select customer_id as id, mtta_minutes as mtta from analytics.customer_metrics(array(select id from public.tenants where kind = 'customer'), current_date - 29, current_date + 1)"),
  );
  for (const r of rows.filter((x) => x.id !== fx.tenants.acme && x.mtta !== null)) assert.ok(!text.includes(`"value":${r.mtta}`), `MTTA of another customer (${r.mtta})`);
  // A group of fewer than 5 (the industry nobody set): nothing but the reason.
  const industry = serialized(await benchmarkPage("acmeAdmin", { group: "industry" }));
  assert.match(industry, /"noIndustry":true/);
  assert.match(industry, /"metrics":\[\]/);
});

test("tenant /benchmark: globex's admin is refused on acme's host", async () => {
  await assert.rejects(benchmarkPage("globexAdmin"), refused("403"));
});

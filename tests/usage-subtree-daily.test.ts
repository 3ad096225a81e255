// usage.subtree_daily's two forms (migration 20261201027100): for a caller none of whose roots is
// an MSSP, static statements whose plans the connection keeps (after five calls Postgres may keep a
// generic plan); for an MSSP's people and the owner, EXECUTE with the values known. Either form must
// give every caller exactly the owner's sums over the tenants that caller may read: each root the
// caller sees, each tenant under it the caller sees, the daily rollups of those the usage policy lets
// it read. Checked for every kind of caller (with and without an active tenant), single roots, every
// root at once, roots the caller cannot see, no roots, and ten calls in a row on one connection (past
// the point where a kept plan replaces the custom ones). The tenant /usage page's one pass for its month
// and its 30 days (subtreeMonthAndDays) equals the two reads it replaced, whichever range starts first.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { withTenant } from "@/lib/db/with-tenant";
import { subtreeDays, subtreeMonthAndDays, subtreeTotals } from "@/lib/usage/read";
import { CALLER_CASES, insertFixtures, TENANT_SLUGS, type Fixtures, type TenantSlug } from "./helpers/fixtures";
import { caller } from "./helpers/sql";
import { createTestDatabase, withClient, type TestDatabase } from "./helpers/test-database";

let db: TestDatabase;
let fx: Fixtures;
const DAY = 86_400_000;
// Five whole UTC days; the range asked for is the middle three (a day on each side must not count).
const FIRST = Math.floor(Date.now() / DAY) * DAY - 6 * DAY;
const FROM = new Date(FIRST + DAY);
const TO = new Date(FIRST + 4 * DAY);

before(async () => {
  db = await createTestDatabase();
  fx = await insertFixtures(db.url);
  // Every tenant, five days, three metrics, a quantity that differs per tenant, day and metric; hourly
  // rows too (the function reads days only).
  await withClient(db.url, (c) =>
    c.query(
      `insert into public.usage_rollups (tenant_id, grain, period_start, metric, quantity, events)
       select t.id, g.grain, to_timestamp($1::double precision / 1000) + k * interval '1 day', m.metric,
              1 + abs(hashtext(t.slug || k::text || m.metric || g.grain)) % 1000, 1
         from public.tenants t, generate_series(0, 4) k,
              (values ('alerts_ingested'), ('api_requests'), ('active_seats')) m(metric),
              (values ('day'), ('hour')) g(grain)`,
      [FIRST],
    ),
  );
});
after(() => db?.drop());

type Row = { root_id: string; day: Date; metric: string; quantity: string };
const key = (r: Row) => `${fx.slugOf(r.root_id)}|${r.day.toISOString()}|${r.metric}|${Number(r.quantity)}`;

/** The owner's sums over what the caller may read (its visible and usage-readable sets, asked as it). */
async function expected(roots: string[], visible: string[], readable: string[]): Promise<string[]> {
  return withClient(db.url, async (c) => {
    const { rows } = await c.query<Row>(
      `select r.id as root_id, d.period_start as day, d.metric, sum(d.quantity) as quantity
         from public.tenants r
         join public.tenants t on t.path operator(extensions.<@) r.path
         join public.usage_rollups d on d.tenant_id = t.id and d.grain = 'day'
        where r.id = any ($1::uuid[]) and r.id = any ($2::uuid[]) and t.id = any ($2::uuid[]) and d.tenant_id = any ($3::uuid[])
          and d.period_start >= $4 and d.period_start < $5
        group by r.id, d.period_start, d.metric`,
      [roots, visible, readable, FROM, TO],
    );
    return rows.map(key).sort();
  });
}

const ROOT_SETS: TenantSlug[][] = [...TENANT_SLUGS.map((s) => [s]), [...TENANT_SLUGS], ["acme", "globex", "other-co"], []];

test("every caller gets the owner's sums over what it may read, in either form", async () => {
  let checked = 0;
  let nonEmpty = 0;
  for (const [user, active] of CALLER_CASES) {
    await withTenant(caller(fx, user, active ?? undefined), async (tx) => {
      const {
        rows: [sets],
      } = await tx.client.query<{ visible: string[]; readable: string[]; small: boolean }>(
        `select tenancy.visible_ids() as visible, usage.readable_ids() as readable,
                coalesce((select bool_and(e ->> 'kind' <> 'mssp')
                            from jsonb_array_elements(current_setting('request.jwt.claims')::jsonb -> 'tenants') e), false) as small`,
      );
      // The form each caller takes: an MSSP's people the EXECUTE one, everyone else the static one.
      assert.equal(sets.small, !user.startsWith("mssp") && user !== "noMemberships", `${user} ${active}: form`);
      let answered = 0;
      for (const slugs of ROOT_SETS) {
        const roots = slugs.map((s) => fx.tenants[s]);
        const want = await expected(roots, sets.visible, sets.readable);
        const { rows } = await tx.client.query<Row>("select root_id, day, metric, quantity from usage.subtree_daily($1::uuid[], $2, $3)", [roots, FROM, TO]);
        assert.deepEqual(rows.map(key).sort(), want, `${user} (active ${active}) roots ${slugs.join(",")}`);
        checked++;
        if (want.length > 0) nonEmpty++, answered++;
      }
      // Whoever may read some tenant's usage gets sums for some roots (the check is not vacuous).
      if (sets.readable.length > 0) assert.ok(answered > 0, `${user} (active ${active}): no answer had rows`);
    });
  }
  assert.ok(nonEmpty >= 30, `${nonEmpty} of ${checked} answers non-empty`);
});

test("ten calls in a row on one connection (past the custom plans) keep answering right", async () => {
  for (const [user, active, slugs] of [
    ["acmeAdmin", undefined, ["acme"]],
    ["acmeAdmin", "acme-eu", ["acme-eu"]],
    ["msspAdmin", undefined, ["acme", "globex"]],
    ["acmeEuAdmin", undefined, ["acme-eu"]],
  ] as const) {
    await withTenant(caller(fx, user, active), async (tx) => {
      const {
        rows: [sets],
      } = await tx.client.query<{ visible: string[]; readable: string[] }>("select tenancy.visible_ids() as visible, usage.readable_ids() as readable");
      const roots = slugs.map((s) => fx.tenants[s]);
      const want = await expected(roots, sets.visible, sets.readable);
      assert.ok(want.length > 0, `${user}: something to read`);
      for (let i = 0; i < 10; i++) {
        // The range moves by a day on odd calls: a kept plan must not keep the values it was made with.
        const to = i % 2 === 0 ? TO : new Date(TO.getTime() - DAY);
        const { rows } = await tx.client.query<Row>("select root_id, day, metric, quantity from usage.subtree_daily($1::uuid[], $2, $3)", [roots, FROM, to]);
        const got = rows.map(key).sort();
        if (i % 2 === 0) assert.deepEqual(got, want, `${user} call ${i}`);
        else assert.deepEqual(got, want.filter((k) => !k.includes(`|${new Date(TO.getTime() - DAY).toISOString()}|`)), `${user} call ${i}`);
      }
    });
  }
});

test("the owner (no claims) sums every tenant under each root", async () => {
  const roots = (["mssp-a", "acme", "other-co"] as const).map((s) => fx.tenants[s]);
  const all = Object.values(fx.tenants);
  const want = await expected(roots, all, all);
  const got = await withClient(db.url, async (c) =>
    (await c.query<Row>("select root_id, day, metric, quantity from usage.subtree_daily($1::uuid[], $2, $3)", [roots, FROM, TO])).rows.map(key).sort(),
  );
  assert.deepEqual(got, want);
  assert.equal(new Set(got.map((k) => k.split("|")[0])).size, 3);
});

test("the page's one pass equals the month's totals and the days read apart", async () => {
  const ALL = new Date(FIRST);
  const END = new Date(FIRST + 5 * DAY);
  // [totals from, days from, before]: totals' range first, the days' first, the same, a day's range.
  const RANGES: [Date, Date, Date][] = [
    [ALL, FROM, END],
    [FROM, ALL, END],
    [FROM, FROM, TO],
    [TO, new Date(TO.getTime() - DAY), TO],
  ];
  let compared = 0;
  for (const [user, active] of CALLER_CASES) {
    await withTenant(caller(fx, user, active ?? undefined), async (tx) => {
      for (const slug of TENANT_SLUGS) {
        const root = fx.tenants[slug];
        for (const [totalsFrom, daysFrom, before] of RANGES) {
          const one = await subtreeMonthAndDays(tx, root, totalsFrom, daysFrom, before);
          const totals = (await subtreeTotals(tx, [root], totalsFrom, before)).get(root)!;
          const days = await subtreeDays(tx, root, daysFrom, before);
          assert.deepEqual(one, { totals, days }, `${user} (active ${active}) ${slug} ${totalsFrom.toISOString()} ${daysFrom.toISOString()}`);
          compared++;
        }
      }
    });
  }
  assert.equal(compared, CALLER_CASES.length * TENANT_SLUGS.length * 4);
});

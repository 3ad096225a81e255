// The alert list's full-text search through its index (migration 20261201026100):
// search.alert_page counts and pages a search as the owner over the caller's
// visible tenants, and listAlerts reads the page's rows through RLS by id.
// It must answer exactly what the list through RLS answers: compared here with
// the owner's list with the explicit tenant filter (the bench's baseline) over
// every filter, sort and page, for callers of every reach, and attacked: other
// tenants' ids asked for, directly and through listAlerts, bad arguments.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { drizzle } from "drizzle-orm/node-postgres";
import * as schema from "@/drizzle/schema";
import { listAlerts, type AlertFilters } from "@/lib/alerts/list";
import type { Db } from "@/lib/db/with-tenant";
import { withTenant } from "@/lib/db/with-tenant";
import { insertFixtures, type Fixtures, type TenantSlug, type UserName } from "./helpers/fixtures";
import { createTestDatabase, withClient, type TestDatabase } from "./helpers/test-database";

let db: TestDatabase;
let fx: Fixtures;

const TITLES = ["Suspicious PowerShell execution", "Brute-force attempt on VPN", "Phishing link clicked", "PowerShell spawned by Word", "Malware quarantined"];
const SEVERITIES = ["critical", "high", "medium", "low", "info"];
const STATUSES = ["new", "acknowledged", "in_progress", "resolved", "false_positive"];

before(async () => {
  db = await createTestDatabase();
  fx = await insertFixtures(db.url);
  // 24 alerts in each of five tenants of two MSSPs: titles, severities, statuses, assignees and days mixed.
  await withClient(db.url, async (c) => {
    let n = 0;
    for (const slug of ["acme", "acme-eu", "acme-us", "globex", "other-co"] as TenantSlug[]) {
      for (let i = 0; i < 24; i++, n++) {
        const status = STATUSES[n % 5];
        await c.query(
          `insert into public.alerts (tenant_id, title, severity, source, status, detected_at, assigned_to, resolved_at, close_reason)
           values ($1, $2, $3, 'edr', $4, timestamptz '2026-11-01T00:00:00Z' + make_interval(hours => $5), $6,
                   case when $4 in ('resolved', 'false_positive') then now() end,
                   case when $4 in ('resolved', 'false_positive') then 'closed in the test' end)`,
          [fx.tenants[slug], `${TITLES[(n * 7) % 5]} #${i}`, SEVERITIES[(n * 3) % 5], status, (n * 37) % 600,
            n % 4 === 0 ? fx.users.acmeAdmin : n % 4 === 1 ? fx.users.msspAdmin : null],
        );
      }
    }
  });
});
after(() => db?.drop());

/** The owner's list with the explicit tenant filter: no RLS, no search function (the bench's baseline). */
function baseline(filters: AlertFilters, pageSize: number, scope: string[], me: string) {
  return withClient(db.url, (c) => listAlerts(drizzle(c, { schema }) as unknown as Db, filters, pageSize, { scope, me }));
}

const shape = (p: Awaited<ReturnType<typeof listAlerts>>) => ({
  total: p.total, lower: p.totalIsLowerBound, page: p.page, pageCount: p.pageCount, ids: p.rows.map((r) => r.id), tenants: p.rows.map((r) => r.tenantSlug),
});

const QUERIES = ["powershell", "vpn", "powershell OR vpn", '"link clicked"', "powershell -word", "nothingmatchesthis"];
const FILTERS: Omit<AlertFilters, "page">[] = [
  {},
  { severity: "high" },
  { status: "open" },
  { status: "resolved" },
  { assignee: "me" },
  { assignee: "none" },
  { group: "none" },
  { group: "mine" },
  { from: "2026-11-05", to: "2026-11-15" },
  { sort: "oldest" },
  { sort: "severity" },
  { sort: "updated", status: "open", severity: "low" },
  { tenant: "acme-eu" },
];

test("every search, filter, sort and page answers as the owner's list with the caller's tenants", async () => {
  const callers: [UserName, TenantSlug | null][] = [["msspAdmin", null], ["acmeAdmin", null], ["acmeAdmin", "acme-eu"], ["twoCustomers", null], ["globexAdmin", null]];
  let compared = 0;
  for (const [user, active] of callers) {
    const caller = { userId: fx.users[user], activeTenantId: active ? fx.tenants[active] : null };
    const visible = await withTenant(caller, async ({ client }) => (await client.query<{ id: string }>("select tenancy.visible_tenant_ids() as id")).rows.map((r) => r.id));
    for (const q of QUERIES) {
      for (const f of FILTERS) {
        for (const page of [1, 2, 50]) {
          const filters: AlertFilters = { ...f, q, page };
          const label = `${user}${active ? ` on ${active}` : ""} ${JSON.stringify(filters)}`;
          const rls = await withTenant(caller, (tx) => listAlerts(tx.db, filters, 4, { me: tx.claims.sub }));
          const owner = await baseline(filters, 4, visible, fx.users[user]);
          assert.deepEqual(shape(rls), shape(owner), label);
          compared++;
        }
      }
    }
  }
  assert.ok(compared > 1000);
});

test("the PDP-readable tenants narrow the search as they narrow the list", async () => {
  const readable = [fx.tenants.acme, fx.tenants["acme-us"], fx.tenants.globex];
  const caller = { userId: fx.users.msspAdmin };
  for (const q of ["powershell", "vpn OR phishing"]) {
    const rls = await withTenant(caller, (tx) => listAlerts(tx.db, { q, page: 1 }, 200, { readableTenantIds: readable }));
    const owner = await baseline({ q, page: 1 }, 200, readable, fx.users.msspAdmin);
    assert.deepEqual(shape(rls), shape(owner), q);
    assert.ok(rls.rows.length > 0 && rls.rows.every((r) => readable.includes(r.tenantId)));
    // A tenant filter outside the readable ones finds nothing.
    const outside = await withTenant(caller, (tx) => listAlerts(tx.db, { q, tenant: "acme-eu", page: 1 }, 200, { readableTenantIds: readable }));
    assert.equal(outside.total, 0);
  }
});

test("other tenants' alerts are never counted or returned, whatever tenants are asked for", async () => {
  const everyTenant = Object.values(fx.tenants);
  // Through listAlerts, with every tenant named as readable.
  const acme = await withTenant({ userId: fx.users.acmeAdmin }, (tx) => listAlerts(tx.db, { q: "powershell OR vpn OR phishing OR malware", page: 1 }, 200, { readableTenantIds: everyTenant }));
  assert.ok(acme.total > 0);
  assert.ok(acme.rows.every((r) => ["acme", "acme-eu", "acme-us"].includes(fx.slugOf(r.tenantId))), "only acme's subtree");
  // The function called directly, by another customer and by the other MSSP, for acme's tenants.
  for (const user of ["globexAdmin", "msspBAdmin", "noMemberships"] as UserName[]) {
    const found = await withTenant({ userId: fx.users[user] }, async ({ client }) =>
      (await client.query<{ matched: number; ids: string[]; tenant_ids: string[] }>(
        `select matched, ids, tenant_ids from search.alert_page('powershell OR vpn OR phishing', $1::uuid[], null, null, null, false, null, false, false, null, null, 'newest', 1, 200, 10000)`,
        [[fx.tenants.acme, fx.tenants["acme-eu"], fx.tenants["acme-us"]]],
      )).rows[0],
    );
    assert.deepEqual([found.matched, found.ids, found.tenant_ids], [0, [], []], user);
  }
  // Null tenants means every visible one, not every one.
  const globex = await withTenant({ userId: fx.users.globexAdmin }, async ({ client }) =>
    (await client.query<{ tenant_ids: string[] }>(
      `select tenant_ids from search.alert_page('powershell OR vpn OR phishing OR malware', null, null, null, null, false, null, false, false, null, null, 'newest', 1, 200, 10000)`,
    )).rows[0].tenant_ids,
  );
  assert.ok(globex.length > 0 && globex.every((t) => t === fx.tenants.globex));
  // A suspended tenant's own admin finds nothing, as through RLS.
  await withClient(db.url, (c) => c.query("update public.tenants set status = 'suspended' where id = $1", [fx.tenants.globex]));
  try {
    const suspended = await withTenant({ userId: fx.users.globexAdmin }, (tx) => listAlerts(tx.db, { q: "powershell OR vpn", page: 1 }));
    assert.equal(suspended.total, 0);
  } finally {
    await withClient(db.url, (c) => c.query("update public.tenants set status = 'active' where id = $1", [fx.tenants.globex]));
  }
});

test("the count stops at the cap plus one; bad arguments are refused with a clear error", async () => {
  await withTenant({ userId: fx.users.msspAdmin }, async ({ client }) => {
    const call = (args: string) => client.query(`select matched, page, ids from search.alert_page(${args})`);
    const { rows: [capped] } = await call(`'powershell OR vpn', null, null, null, null, false, null, false, false, null, null, 'newest', 1, 2, 3`);
    assert.equal(capped.matched, 4, "cap 3: counted to 4, the list then says 3+");
    // A small scope turns bitmap scans off for its own statements only: the rest of the transaction plans as before.
    const { rows: [after] } = await client.query<{ on: string }>("select current_setting('enable_bitmapscan') as on");
    assert.equal(after.on, "on");
    const refused: [string, RegExp][] = [
      [`'', null, null, null, null, false, null, false, false, null, null, 'newest', 1, 25, 100`, /1 to 200 characters/],
      [`'vpn', null, null, null, null, false, null, false, false, null, null, 'newest; drop table x', 1, 25, 100`, /unknown sort/],
      [`'vpn', null, null, null, null, false, null, false, false, null, null, 'newest', 0, 25, 100`, /out of range/],
      [`'vpn', null, null, null, null, false, null, false, false, null, null, 'newest', 1, 5000, 100`, /out of range/],
    ];
    for (const [args, message] of refused) {
      await client.query("savepoint s");
      await assert.rejects(call(args), message);
      await client.query("rollback to savepoint s");
    }
  });
});

test("anon may not call it", async () => {
  await withClient(db.url, async (c) => {
    await c.query("begin");
    try {
      await c.query("set local role anon");
      await assert.rejects(c.query(`select * from search.alert_page('vpn', null, null, null, null, false, null, false, false, null, null, 'newest', 1, 25, 100)`), /permission denied/);
    } finally {
      await c.query("rollback");
    }
  });
});

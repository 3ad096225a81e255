// The alert list's total from the rollups (lib/alerts/list-count.ts): for every
// filter the rollups can answer, the total equals a direct count of the
// matching alerts, before and after alerts arrive, change status and severity,
// and are deleted; the tenants named as readable never widen it past RLS; the
// filters the rollups cannot answer still take the counted path.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { listAlerts, type AlertFilters } from "@/lib/alerts/list";
import { rollupCount, ROLLUP_COUNT_MAX_TENANTS } from "@/lib/alerts/list-count";
import { withTenant } from "@/lib/db/with-tenant";
import { insertFixtures, type Fixtures, type TenantSlug } from "./helpers/fixtures";
import { createTestDatabase, withClient, type TestDatabase } from "./helpers/test-database";

let db: TestDatabase;
let fx: Fixtures;

const SEVERITIES = ["critical", "high", "medium", "low", "info"];
const STATUSES = ["new", "acknowledged", "in_progress", "resolved", "false_positive"];
const SLUGS: TenantSlug[] = ["acme", "acme-eu", "acme-us", "globex", "other-co"];

/** `n` alerts per tenant over 20 days around midnight UTC, severities and statuses mixed. */
async function addAlerts(n: number, offset: number) {
  await withClient(db.url, async (c) => {
    let k = offset;
    for (const slug of SLUGS) {
      for (let i = 0; i < n; i++, k++) {
        const status = STATUSES[k % 5];
        await c.query(
          `insert into public.alerts (tenant_id, title, severity, source, status, detected_at, resolved_at, close_reason)
           values ($1, 'alert ' || $5, $2, 'edr', $3, timestamptz '2026-11-01T00:00:00Z' + make_interval(mins => $4),
                   case when $3 in ('resolved', 'false_positive') then now() end,
                   case when $3 in ('resolved', 'false_positive') then 'closed in the test' end)`,
          [fx.tenants[slug], SEVERITIES[(k * 3) % 5], status, ((k * 997) % (20 * 24)) * 60 - 30, k],
        );
      }
    }
  });
}

before(async () => {
  db = await createTestDatabase();
  fx = await insertFixtures(db.url);
  await addAlerts(40, 0);
});
after(() => db?.drop());

/** The matching alerts counted directly, as the owner, among `tenantIds`. */
async function direct(filters: AlertFilters, tenantIds: string[]): Promise<number> {
  const where = ["tenant_id = any($1::uuid[])"];
  const params: unknown[] = [tenantIds];
  if (filters.severity) where.push(`severity = $${params.push(filters.severity)}`);
  if (filters.status === "open") where.push("status in ('new', 'acknowledged', 'in_progress')");
  if (filters.from) where.push(`detected_at >= $${params.push(filters.from)}::date at time zone 'UTC'`);
  if (filters.to) where.push(`detected_at < ($${params.push(filters.to)}::date + 1) at time zone 'UTC'`);
  if (filters.tenant) where.push(`tenant_id = (select id from public.tenants where slug = $${params.push(filters.tenant)})`);
  return withClient(db.url, async (c) => (await c.query<{ n: number }>(`select count(*)::int as n from public.alerts where ${where.join(" and ")}`, params)).rows[0].n);
}

const ANSWERED: Omit<AlertFilters, "page">[] = [
  {},
  { severity: "high" },
  { status: "open" },
  { status: "open", severity: "critical" },
  { from: "2026-11-05" },
  { to: "2026-11-05" },
  { from: "2026-11-03", to: "2026-11-12", severity: "low" },
  { tenant: "acme-eu" },
  { tenant: "acme-us", status: "open" },
  { tenant: "acme", from: "2026-11-10", to: "2026-11-10" },
  { sort: "severity", severity: "medium" },
];

const tenantsOf = (slugs: TenantSlug[]) => slugs.map((s) => fx.tenants[s]);

async function compareAll(label: string) {
  const callers: { user: "acmeAdmin" | "globexAdmin"; readable: TenantSlug[] }[] = [
    { user: "acmeAdmin", readable: ["acme", "acme-eu", "acme-us"] },
    { user: "acmeAdmin", readable: ["acme", "acme-us"] },
    { user: "globexAdmin", readable: ["globex"] },
  ];
  for (const { user, readable } of callers) {
    for (const f of ANSWERED) {
      const filters: AlertFilters = { ...f, page: 1 };
      const ids = tenantsOf(readable);
      assert.ok(rollupCount(filters, ids), `the rollups answer ${JSON.stringify(f)}`);
      const page = await withTenant({ userId: fx.users[user] }, (tx) => listAlerts(tx.db, filters, 10, { readableTenantIds: ids }));
      const expected = f.tenant && !readable.includes(f.tenant as TenantSlug) ? 0 : await direct(filters, ids);
      assert.equal(page.total, expected, `${label}: ${user} over ${readable.join(",")} ${JSON.stringify(f)}`);
      assert.equal(page.pageCount, Math.max(1, Math.ceil(expected / 10)));
      assert.ok(page.rows.every((r) => ids.includes(r.tenantId)));
    }
  }
}

test("the total from the rollups equals the direct count for every filter they answer", async () => {
  await compareAll("as seeded");
});

test("the total stays exact as alerts arrive, change and go", async () => {
  await addAlerts(7, 1000);
  await compareAll("after new alerts");
  await withClient(db.url, (c) =>
    c.query(`update public.alerts set status = 'resolved', resolved_at = now(), close_reason = 'closed in the test'
              where status = 'in_progress' and tenant_id = any($1::uuid[])`, [tenantsOf(["acme", "acme-eu"])]),
  );
  await withClient(db.url, (c) =>
    c.query(`update public.alerts set status = 'acknowledged', acknowledged_at = now() where status = 'new' and tenant_id = any($1::uuid[])`, [tenantsOf(["acme-eu", "globex"])]),
  );
  await withClient(db.url, (c) => c.query(`update public.alerts set severity = 'critical' where severity = 'info' and tenant_id = $1`, [fx.tenants["acme-us"]]));
  await compareAll("after triage and a severity change");
  await withClient(db.url, (c) => c.query(`delete from public.alerts where title like 'alert 1%' and tenant_id = any($1::uuid[])`, [tenantsOf(["acme", "globex"])]));
  await compareAll("after deletes");
});

test("naming other tenants as readable does not count their alerts", async () => {
  const every = Object.values(fx.tenants);
  const acme = await withTenant({ userId: fx.users.acmeAdmin }, (tx) => listAlerts(tx.db, { page: 1 }, 10, { readableTenantIds: every }));
  assert.equal(acme.total, await direct({ page: 1 }, tenantsOf(["acme", "acme-eu", "acme-us"])));
  const none = await withTenant({ userId: fx.users.noMemberships }, (tx) => listAlerts(tx.db, { page: 1, status: "open" }, 10, { readableTenantIds: every }));
  assert.deepEqual([none.total, none.rows.length], [0, 0]);
});

test("filters the rollups cannot answer, and wide scopes, take the counted path", () => {
  const ids = tenantsOf(["acme"]);
  for (const f of [{ q: "alert" }, { status: "resolved" as const }, { status: "open" as const, from: "2026-11-02" }, { assignee: "me" }, { group: "none" }]) {
    assert.equal(rollupCount({ ...f, page: 1 }, ids), null, JSON.stringify(f));
  }
  assert.equal(rollupCount({ page: 1 }, undefined), null, "tenants bounded by RLS alone");
  const many = Array.from({ length: ROLLUP_COUNT_MAX_TENANTS + 1 }, () => fx.tenants.acme);
  assert.equal(rollupCount({ page: 1 }, many), null);
});

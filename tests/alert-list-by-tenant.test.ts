// The alert list's page read tenant by tenant (lib/alerts/list-by-tenant.ts)
// must be the page the single walk gives. The oracle: the same caller through
// RLS, once naming its PDP-readable tenants (every visible one, so the same
// rows; the per-tenant read and the rollup count apply) and once naming none
// (only RLS bounds the rows: the single walk and the capped count), and once
// naming them as every visible one (their count then leaves them to the policy). Every
// filter, both time orders, pages up to the depth bound and past the end, and
// ties in detection time (the id breaks them in both reads).
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { sql } from "drizzle-orm";
import { listAlerts, type AlertFilters } from "@/lib/alerts/list";
import { alertsByTenant, BY_TENANT_DEPTH_UP_TO } from "@/lib/alerts/list-by-tenant";
import { withTenant } from "@/lib/db/with-tenant";
import { insertFixtures, type Fixtures, type TenantSlug, type UserName } from "./helpers/fixtures";
import { createTestDatabase, withClient, type TestDatabase } from "./helpers/test-database";

let db: TestDatabase;
let fx: Fixtures;

const SEVERITIES = ["critical", "high", "medium", "low", "info"];
const STATUSES = ["new", "acknowledged", "in_progress", "resolved", "false_positive"];

before(async () => {
  db = await createTestDatabase();
  fx = await insertFixtures(db.url);
  await withClient(db.url, async (c) => {
    // Uneven tenants (acme 90, acme-eu 30, acme-us 6, globex 40), every third alert at the same
    // minute as another tenant's, assignees mixed.
    let k = 0;
    for (const [slug, n] of [["acme", 90], ["acme-eu", 30], ["acme-us", 6], ["globex", 40], ["other-co", 20]] as [TenantSlug, number][]) {
      for (let i = 0; i < n; i++, k++) {
        const status = STATUSES[k % 5];
        await c.query(
          `insert into public.alerts (tenant_id, title, severity, source, status, detected_at, assigned_to, resolved_at, close_reason)
           values ($1, 'alert ' || $6, $2, 'edr', $3, timestamptz '2026-11-01T00:00:00Z' + make_interval(mins => $4), $5,
                   case when $3 in ('resolved', 'false_positive') then now() end,
                   case when $3 in ('resolved', 'false_positive') then 'closed in the test' end)`,
          [fx.tenants[slug], SEVERITIES[(k * 3) % 5], status, k % 3 === 0 ? 600 : (k * 613) % 20_000, k % 4 === 0 ? fx.users.acmeAdmin : null, k],
        );
      }
    }
  });
});
after(() => db?.drop());

const FILTERS: Omit<AlertFilters, "page" | "sort">[] = [
  {},
  { severity: "high" },
  { status: "open" },
  { status: "resolved" },
  { assignee: "me" },
  { assignee: "none", severity: "low" },
  { group: "none" },
  { from: "2026-11-03", to: "2026-11-10" },
  { tenant: "acme-eu" },
  { tenant: "acme-us", status: "open" },
];

const shape = (p: Awaited<ReturnType<typeof listAlerts>>) => ({
  total: p.total, lower: p.totalIsLowerBound, page: p.page, pageCount: p.pageCount, ids: p.rows.map((r) => r.id),
});

test("read tenant by tenant, every page is the single walk's page", async () => {
  const callers: [UserName, TenantSlug | null][] = [["acmeAdmin", null], ["acmeAdmin", "acme-eu"], ["twoCustomers", null], ["globexAdmin", null]];
  let compared = 0;
  for (const [user, active] of callers) {
    const caller = { userId: fx.users[user], activeTenantId: active ? fx.tenants[active] : null };
    const visible = await withTenant(caller, async ({ client }) => (await client.query<{ id: string }>("select tenancy.visible_tenant_ids() as id")).rows.map((r) => r.id));
    for (const f of FILTERS) {
      for (const sort of ["newest", "oldest"] as const) {
        for (const page of [1, 2, 3, 7, 40]) {
          const filters: AlertFilters = { ...f, sort, page };
          const label = `${user}${active ? ` on ${active}` : ""} ${JSON.stringify(filters)}`;
          const [named, policyAlone, walked] = await withTenant(caller, async (tx) => [
            await listAlerts(tx.db, filters, 7, { me: tx.claims.sub, readableTenantIds: visible }),
            // As the alert page sends it when the PDP hides none of them: the tenants left to the policy.
            await listAlerts(tx.db, filters, 7, { me: tx.claims.sub, readableTenantIds: visible, readableIsEveryVisible: true }),
            await listAlerts(tx.db, filters, 7, { me: tx.claims.sub }),
          ]);
          assert.deepEqual(shape(named), shape(walked), label);
          assert.deepEqual(shape(policyAlone), shape(walked), `${label}, tenants left to the policy`);
          compared++;
        }
      }
    }
  }
  assert.ok(compared >= 400, `${compared} pages compared`);
});

test("the per-tenant read applies only where it is bounded", () => {
  const ids = [fx.tenants.acme, fx.tenants["acme-eu"]];
  assert.ok(alertsByTenant({ page: 1 }, ids, 25, undefined, sql`"alerts"."id"`));
  assert.ok(alertsByTenant({ page: 1, sort: "oldest" }, ids, BY_TENANT_DEPTH_UP_TO, undefined, sql`"alerts"."id"`));
  assert.equal(alertsByTenant({ page: 1, sort: "severity" }, ids, 25, undefined, sql`"alerts"."id"`), null, "no per-tenant index for that order");
  assert.equal(alertsByTenant({ page: 1, sort: "updated" }, ids, 25, undefined, sql`"alerts"."id"`), null);
  assert.equal(alertsByTenant({ page: 1, q: "alert" }, ids, 25, undefined, sql`"alerts"."id"`), null, "a search has its own path");
  assert.equal(alertsByTenant({ page: 1 }, ids, BY_TENANT_DEPTH_UP_TO + 1, undefined, sql`"alerts"."id"`), null, "deep pages take the single walk");
  assert.equal(alertsByTenant({ page: 1 }, undefined, 25, undefined, sql`"alerts"."id"`), null, "tenants bounded by RLS alone");
  assert.equal(alertsByTenant({ page: 1 }, [], 25, undefined, sql`"alerts"."id"`), null);
});

test("naming tenants the caller cannot see reads none of their alerts", async () => {
  const every = Object.values(fx.tenants);
  const page = await withTenant({ userId: fx.users.acmeAdmin }, (tx) => listAlerts(tx.db, { page: 1, sort: "newest" }, 200, { readableTenantIds: every.slice(0, 32) }));
  assert.ok(page.rows.length > 0);
  assert.ok(page.rows.every((r) => ["acme", "acme-eu", "acme-us"].includes(fx.slugOf(r.tenantId))), "only acme's subtree");
  const none = await withTenant({ userId: fx.users.noMemberships }, (tx) => listAlerts(tx.db, { page: 1 }, 25, { readableTenantIds: every }));
  assert.deepEqual([none.total, none.rows.length], [0, 0]);
});

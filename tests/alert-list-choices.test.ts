// lib/alerts/list-choices.ts sends the alert list's three small reads as one
// statement; it must answer exactly what the three functions answer, for
// every kind of caller, under the same RLS: the same assignees (in order, and
// none unless asked), the same groups (own and inherited, MSSP's first), the
// same saved filters (the caller's own only, by name), on a real Postgres.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { assigneesFor } from "@/lib/alerts/detail";
import { alertListChoices } from "@/lib/alerts/list-choices";
import { listSavedFilters } from "@/lib/alerts/saved-filters";
import { withTenant } from "@/lib/db/with-tenant";
import { groupsFor } from "@/lib/groups/store";
import { insertFixtures, type Fixtures, type UserName } from "./helpers/fixtures";
import { createTestDatabase, withClient, type TestDatabase } from "./helpers/test-database";

let db: TestDatabase;
let fx: Fixtures;

before(async () => {
  db = await createTestDatabase();
  fx = await insertFixtures(db.url);
  await withClient(db.url, async (c) => {
    // Groups at the MSSP, at acme and at a site; saved filters of two people on acme (and one elsewhere).
    for (const [slug, name] of [["mssp-a", "Tier 1 SOC"], ["acme", "Acme on-call"], ["acme", "Acme nights"], ["acme-eu", "EU desk"], ["globex", "Globex team"]] as const) {
      await c.query("insert into public.assignee_groups (tenant_id, name) values ($1, $2)", [fx.tenants[slug], name]);
    }
    for (const [who, slug, name, query] of [
      ["acmeAdmin", "acme", "Open critical", "?severity=critical&status=new"],
      ["acmeAdmin", "acme", "All mine", "?assignee=me"],
      ["acmeAnalyst", "acme", "Analyst view", "?status=triaged"],
      ["acmeAdmin", "globex", "Not here", "?q=x"],
    ] as const) {
      await c.query("insert into public.alert_saved_filters (tenant_id, user_id, name, query) values ($1, $2, $3, $4)", [fx.tenants[slug], fx.users[who], name, query]);
    }
  });
});
after(() => db?.drop());

const CASES: [UserName, "acme" | "acme-eu" | "globex" | "mssp-a", boolean][] = [
  ["acmeAdmin", "acme", true],
  ["acmeAdmin", "acme", false],
  ["acmeAnalyst", "acme", true],
  ["acmeViewer", "acme", false],
  ["acmeEuAdmin", "acme-eu", true],
  ["globexAdmin", "globex", true],
  ["msspAdmin", "mssp-a", true],
];

describe("the alert list's choices in one statement", () => {
  for (const [who, slug, withAssignees] of CASES) {
    test(`${who} on ${slug}${withAssignees ? "" : ", without assignees"}: the same as the three reads`, async () => {
      const tenantId = fx.tenants[slug];
      const caller = { userId: fx.users[who], activeTenantId: slug === "mssp-a" ? null : tenantId };
      const [one, three] = await withTenant(caller, async (tx) => [
        await alertListChoices(tx, tenantId, withAssignees),
        {
          assignees: withAssignees ? await assigneesFor(tx, tenantId) : [],
          groups: await groupsFor(tx.client, tenantId),
          savedFilters: await listSavedFilters(tx, tenantId),
        },
      ]);
      assert.deepEqual(one, three);
      if (withAssignees) assert.ok(one.assignees.length > 0, "someone can be assigned here");
      else assert.deepEqual(one.assignees, []);
    });
  }

  test("each person sees their own saved filters only, and a tenant's groups reach its sites, not its siblings", async () => {
    const acme = fx.tenants.acme;
    const admin = await withTenant({ userId: fx.users.acmeAdmin, activeTenantId: acme }, (tx) => alertListChoices(tx, acme, true));
    assert.deepEqual(admin.savedFilters.map((f) => f.name), ["All mine", "Open critical"]);
    const analyst = await withTenant({ userId: fx.users.acmeAnalyst, activeTenantId: acme }, (tx) => alertListChoices(tx, acme, true));
    assert.deepEqual(analyst.savedFilters.map((f) => f.name), ["Analyst view"]);
    const eu = fx.tenants["acme-eu"];
    const site = await withTenant({ userId: fx.users.acmeEuAdmin, activeTenantId: eu }, (tx) => alertListChoices(tx, eu, true));
    const names = site.groups.map((g) => g.name);
    assert.ok(names.includes("EU desk") && names.includes("Acme on-call"), `own and inherited: ${names.join(", ")}`);
    assert.ok(!names.includes("Globex team"), "nothing of another customer");
    assert.equal(site.groups.find((g) => g.name === "EU desk")?.inherited, false);
    assert.equal(site.groups.find((g) => g.name === "Acme on-call")?.inherited, true);
  });
});

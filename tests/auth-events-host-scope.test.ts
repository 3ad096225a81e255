// Auth events of a person who is a member under unrelated tenants: each member
// tenant gets its row, but only the tenants on the host's line (the host's
// tenant, its ancestors and descendants; on the console, the branches of the
// person's MSSP memberships) learn the host and the client address. Another
// customer's or another MSSP's row says "another portal" and carries no
// address, so its admins do not learn the other tenant's slug, nor when and
// from where the person signs in there. Rows read back as the owner and,
// for the admins, under RLS.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import pg from "pg";
import { ANOTHER_PORTAL, recordAuthEvent } from "@/lib/auth/events";
import { listAuditEvents } from "@/lib/audit/list";
import { withTenant } from "@/lib/db/with-tenant";
import { insertFixtures, type Fixtures, type TenantSlug, type UserName } from "./helpers/fixtures";
import { createTestDatabase, type TestDatabase } from "./helpers/test-database";

const SOURCE = "203.0.113.77";
let db: TestDatabase;
let fx: Fixtures;
let owner: pg.Client;
/** acme-eu (site under acme), globex (acme's sibling customer) and other-co (another MSSP's customer). */
let spread: string;
/** Staff of mssp-b, and a viewer on acme-eu (mssp-a's). */
let staff: string;

async function person(email: string, memberships: [TenantSlug, string][]): Promise<string> {
  const id = (await owner.query<{ id: string }>("insert into public.users (email, name) values ($1, 'Spread') returning id", [email])).rows[0].id;
  for (const [slug, role] of memberships) {
    await owner.query("insert into public.memberships (tenant_id, user_id, role) values ($1, $2, $3)", [fx.tenants[slug], id, role]);
  }
  return id;
}

before(async () => {
  db = await createTestDatabase();
  fx = await insertFixtures(db.url);
  owner = new pg.Client({ connectionString: db.url });
  await owner.connect();
  spread = await person("spread@example.test", [
    ["acme-eu", "tenant_viewer"],
    ["globex", "tenant_analyst"],
    ["other-co", "tenant_viewer"],
  ]);
  staff = await person("staff@example.test", [
    ["mssp-b", "mssp_analyst"],
    ["acme-eu", "tenant_viewer"],
  ]);
});
after(async () => {
  await owner?.end();
  await db?.drop();
});

/** The details of the newest row of `action` per tenant slug, as stored. */
async function detailsBySlug(userId: string, requestId: string): Promise<Record<string, Record<string, unknown>>> {
  const { rows } = await owner.query<{ slug: TenantSlug; details: Record<string, unknown> }>(
    `select t.slug, a.details from public.audit_log a join public.tenants t on t.id = a.tenant_id
      where a.actor_id = $1 and a.request_id = $2 order by t.slug`,
    [userId, requestId],
  );
  return Object.fromEntries(rows.map((r) => [r.slug, r.details]));
}

async function signIn(userId: string, requestId: string, host: string | null) {
  await recordAuthEvent({ type: "sign-in", userId, method: "password", source: SOURCE }, { context: { requestId, host } });
  return detailsBySlug(userId, requestId);
}

describe("host and source only on the host's line", () => {
  test("signed in on acme's host: acme-eu (below acme) keeps them; globex and other-co learn neither", async () => {
    const rows = await signIn(spread, "scope-acme", "acme.localhost:3000");
    assert.deepEqual(Object.keys(rows).sort(), ["acme-eu", "globex", "other-co"], "one row per member tenant, as before");
    assert.deepEqual(rows["acme-eu"], { method: "password", host: "acme", source: SOURCE });
    for (const slug of ["globex", "other-co"]) {
      assert.deepEqual(rows[slug], { method: "password", host: ANOTHER_PORTAL }, slug);
    }
  });

  test("signed in on other-co's host: only other-co's row names it; mssp-a's customers learn nothing of it", async () => {
    const rows = await signIn(spread, "scope-other-co", "other-co.localhost:3000");
    assert.deepEqual(rows["other-co"], { method: "password", host: "other-co", source: SOURCE });
    assert.deepEqual(rows["acme-eu"], { method: "password", host: ANOTHER_PORTAL });
    assert.deepEqual(rows.globex, { method: "password", host: ANOTHER_PORTAL });
  });

  test("signed in on an ancestor's host (mssp-a): its customers' rows below keep them, another MSSP's does not", async () => {
    const rows = await signIn(spread, "scope-mssp-a", "mssp-a.localhost:3000");
    assert.equal(rows["acme-eu"].host, "mssp-a");
    assert.equal(rows.globex.source, SOURCE);
    assert.deepEqual(rows["other-co"], { method: "password", host: ANOTHER_PORTAL });
  });

  test("on the console: the branch of the person's MSSP membership keeps them, another MSSP's customer does not", async () => {
    const rows = await signIn(staff, "scope-console", "localhost:3000");
    assert.deepEqual(rows["mssp-b"], { method: "password", host: "console", source: SOURCE });
    assert.deepEqual(rows["acme-eu"], { method: "password", host: ANOTHER_PORTAL });
  });

  test("no host known (outside a request): no row gets the address", async () => {
    const rows = await signIn(spread, "scope-none", null);
    assert.equal(Object.keys(rows).length, 3);
    for (const details of Object.values(rows)) assert.deepEqual(details, { method: "password" });
  });

  test("under RLS, globex's and other-co's admins read no trace of acme or of the address", async () => {
    const seen = async (viewer: UserName) =>
      withTenant({ userId: fx.users[viewer], activeTenantId: null }, async (tx) => {
        const page = await listAuditEvents(tx.db, { action: "auth:", page: 1 }, 500);
        return page.rows.filter((r) => r.actorId === spread && r.requestId === "scope-acme");
      });
    for (const viewer of ["globexAdmin", "otherCoAdmin"] as UserName[]) {
      const rows = await seen(viewer);
      assert.equal(rows.length, 1, `${viewer} still sees that the person signed in`);
      const text = JSON.stringify(rows[0].details);
      assert.ok(!text.includes("acme") && !text.includes(SOURCE), `${viewer}: ${text}`);
    }
    const acme = await seen("acmeAdmin");
    assert.equal(acme.length, 1);
    assert.equal(acme[0].details.source, SOURCE, "acme's admins (above acme-eu) see where from");
  });
});

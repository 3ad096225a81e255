// The audit trail: written in the same transaction as the change, chained per
// tenant with gapless seq under concurrency, append-only for every role
// (authenticated, service_role, even the owner), recorded only as oneself
// into a tenant in scope (through audit.record: people hold no INSERT), and
// readable only by MSSP and tenant admins.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import pg from "pg";
import { recordAudit, recordDenied, scrubDetails } from "@/lib/audit/record";
import { canViewAudit, listAuditEvents, loadAuditView } from "@/lib/audit/list";
import { canonicalEncoding, GENESIS_HASH, linkHash } from "@/lib/audit/verify";
import { withServiceRole } from "@/lib/db/service-role";
import { withTenant } from "@/lib/db/with-tenant";
import { emailOf, insertFixtures, type Fixtures, type TenantSlug, type UserName } from "./helpers/fixtures";
import { as, asRolledBack, assertRefused, assertRows, attempt, slugsOf } from "./helpers/sql";
import { createTestDatabase, withClient, type TestDatabase } from "./helpers/test-database";

let db: TestDatabase;
let fx: Fixtures;
let owner: pg.Client;

before(async () => {
  db = await createTestDatabase();
  fx = await insertFixtures(db.url);
  owner = new pg.Client({ connectionString: db.url });
  await owner.connect();
});
after(async () => {
  await owner.end();
  await db.drop();
});

const ROLLBACK = new Error("the change fails after its audit row was written");

interface StoredRow {
  tenant_id: string;
  seq: string;
  occurred_us: string;
  actor_id: string | null;
  actor_email: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  outcome: string;
  request_id: string | null;
  details: string;
  details_json: Record<string, unknown>;
  prev_hash: Buffer;
  hash: Buffer;
}

async function chainOf(slug: TenantSlug): Promise<StoredRow[]> {
  const { rows } = await owner.query<StoredRow>(
    `select tenant_id::text, seq::text, (extract(epoch from occurred_at) * 1000000)::bigint::text as occurred_us,
            actor_id::text, actor_email, action, target_type, target_id, outcome, request_id,
            details::text as details, details as details_json, prev_hash, hash
       from public.audit_log a where tenant_id = $1 order by a.seq`,
    [fx.tenants[slug]],
  );
  return rows;
}

/** Every link holds: seq 1..n, prev_hash = previous hash, hash recomputed from the columns. */
function assertChainIntact(rows: StoredRow[]): void {
  let prev = GENESIS_HASH;
  rows.forEach((r, i) => {
    assert.equal(r.seq, String(i + 1), "seq is gapless from 1");
    assert.ok(r.prev_hash.equals(prev), `prev_hash of seq ${r.seq} is the previous row's hash`);
    const canonical = canonicalEncoding({
      tenantId: r.tenant_id,
      seq: r.seq,
      occurredAtMicros: r.occurred_us,
      actorId: r.actor_id,
      actorEmail: r.actor_email,
      action: r.action,
      targetType: r.target_type,
      targetId: r.target_id,
      outcome: r.outcome,
      requestId: r.request_id,
      detailsJson: r.details,
    });
    assert.ok(linkHash(prev, canonical).equals(r.hash), `hash of seq ${r.seq} recomputes`);
    prev = r.hash;
  });
}

const event = (slug: TenantSlug, action = "alerts:triage", extra: Record<string, unknown> = {}) => ({
  tenantId: fx.tenants[slug],
  action,
  targetType: "alert",
  targetId: fx.alerts[slug][0],
  outcome: "success" as const,
  requestId: `req-${action}`,
  ...extra,
});

describe("recordAudit writes in the caller's transaction", () => {
  test("a committed change leaves one row: actor from the session, email from users, time and chain from the database", async () => {
    await as(fx, "acmeAnalyst", async (tx) => {
      await tx.client.query("update public.alerts set status = 'acknowledged' where tenant_id = $1 and id = $2", [fx.tenants.acme, fx.alerts.acme[0]]);
      await recordAudit(tx, event("acme", "alerts:triage", { details: { from: "new", to: "acknowledged" }, requestId: "req-1" }));
    });
    const [row] = await chainOf("acme");
    assert.equal(row.seq, "1");
    assert.equal(row.actor_id, fx.users.acmeAnalyst);
    assert.equal(row.actor_email, emailOf("acmeAnalyst"));
    assert.equal(row.action, "alerts:triage");
    assert.equal(row.target_type, "alert");
    assert.equal(row.target_id, fx.alerts.acme[0]);
    assert.equal(row.outcome, "success");
    assert.equal(row.request_id, "req-1");
    assert.deepEqual(row.details_json, { from: "new", to: "acknowledged" });
    assert.ok(row.prev_hash.equals(GENESIS_HASH));
    assertChainIntact([row]);
  });

  test("a change that throws after recording leaves no audit row, and the chain does not skip a number", async () => {
    const beforeRows = await chainOf("acme");
    await assert.rejects(
      as(fx, "acmeAdmin", async (tx) => {
        await tx.client.query("delete from public.alerts where tenant_id = $1 and id = $2", [fx.tenants.acme, fx.alerts.acme[1]]);
        await recordAudit(tx, event("acme", "alerts:delete"));
        throw ROLLBACK;
      }),
      (e) => e === ROLLBACK,
    );
    assert.deepEqual((await chainOf("acme")).map((r) => r.seq), beforeRows.map((r) => r.seq));
    const alert = await owner.query("select 1 from public.alerts where id = $1", [fx.alerts.acme[1]]);
    assert.equal(alert.rowCount, 1, "the change rolled back too");

    await as(fx, "acmeAdmin", (tx) => recordAudit(tx, event("acme", "alerts:read")));
    const afterRows = await chainOf("acme");
    assert.equal(afterRows.length, beforeRows.length + 1);
    assertChainIntact(afterRows);
  });

  test("a refused change (RLS) with its audit row: both roll back, the denial is recorded separately", async () => {
    let refusal: unknown;
    await as(fx, "acmeViewer", async (tx) => {
      await recordAudit(tx, event("acme", "alerts:triage"));
      await tx.client.query("update public.alerts set status = 'resolved' where tenant_id = $1", [fx.tenants.acme]);
      await tx.client.query("insert into public.alerts (tenant_id, title, severity, source) values ($1, 'x', 'low', 'x')", [fx.tenants.acme]);
    }).catch((e) => (refusal = e));
    assert.equal((refusal as { code?: string }).code, "42501");
    const n = (await chainOf("acme")).length;
    // After the refused transaction is over: the denial, in its own transaction.
    await recordDenied(
      { userId: fx.users.acmeViewer, email: emailOf("acmeViewer") },
      { tenantId: fx.tenants.acme, action: "alerts:triage", targetType: "alert", requestId: "req-denied", details: { reason: "viewer" } },
    );
    const rows = await chainOf("acme");
    assert.equal(rows.length, n + 1);
    const last = rows[rows.length - 1];
    assert.equal(last.outcome, "denied");
    assert.equal(last.actor_id, fx.users.acmeViewer);
    assert.equal(last.actor_email, emailOf("acmeViewer"));
    assert.equal(last.request_id, "req-denied");
    assertChainIntact(rows);
  });

  test("recordDenied with no known user keeps the given email", async () => {
    await recordDenied({ userId: null, email: "nobody@example.test" }, { tenantId: fx.tenants.globex, action: "auth:sign-in" });
    const rows = await chainOf("globex");
    const last = rows[rows.length - 1];
    assert.equal(last.actor_id, null);
    assert.equal(last.actor_email, "nobody@example.test");
    assert.equal(last.outcome, "denied");
  });

  test("the actor email comes from users, not from the writer", async () => {
    await recordDenied({ userId: fx.users.globexAdmin, email: "someone-else@example.test" }, { tenantId: fx.tenants.globex, action: "users:manage" });
    const rows = await chainOf("globex");
    assert.equal(rows[rows.length - 1].actor_email, emailOf("globexAdmin"));
  });

  test("recordAudit also takes the transaction's drizzle db; outside a request the request id is null", async () => {
    await as(fx, "globexAdmin", (tx) => recordAudit(tx.db, { tenantId: fx.tenants.globex, action: "settings:manage", outcome: "failure" }));
    const rows = await chainOf("globex");
    const last = rows[rows.length - 1];
    assert.equal(last.actor_id, fx.users.globexAdmin);
    assert.equal(last.request_id, null);
    assert.equal(last.outcome, "failure");
    assert.equal(last.target_type, null);
    assertChainIntact(rows);
  });

  test("secrets in details never reach the row", async () => {
    await as(fx, "globexAdmin", (tx) =>
      recordAudit(tx, {
        tenantId: fx.tenants.globex,
        action: "credentials:manage",
        outcome: "success",
        details: {
          name: "edr-api",
          password: "hunter2",
          apiKey: "AKIA123",
          nested: { client_secret: "s3cr3t", accessToken: "tok", otpCode: "123456", kept: 1 },
          list: [{ token: "x", label: "y" }],
          when: new Date("2026-01-02T03:04:05Z"),
          long: "a".repeat(2000),
        },
      }),
    );
    const rows = await chainOf("globex");
    const stored = rows[rows.length - 1];
    for (const secret of ["hunter2", "AKIA123", "s3cr3t", "tok\"", "123456"]) {
      assert.ok(!stored.details.includes(secret), `${secret} is not stored`);
    }
    assert.deepEqual(Object.keys(stored.details_json).sort(), ["list", "long", "name", "nested", "when"]);
    assert.deepEqual(stored.details_json.nested, { kept: 1 });
    assert.deepEqual(stored.details_json.list, [{ label: "y" }]);
    assert.equal(stored.details_json.when, "2026-01-02T03:04:05.000Z");
    assert.equal((stored.details_json.long as string).length, 501);
  });

  test("scrubDetails drops secret-looking keys at any depth", () => {
    assert.deepEqual(scrubDetails({ Password: 1, sessionToken: 2, a: { privateKey: 3, b: [{ code: 4, c: 5 }] } }), { a: { b: [{ c: 5 }] } });
    assert.deepEqual(scrubDetails(undefined), {});
  });

  test("an invalid event is refused before it reaches the database", async () => {
    await assert.rejects(as(fx, "acmeAdmin", (tx) => recordAudit(tx, { ...event("acme"), action: "Drop Table" })), { name: "ZodError" });
    await assert.rejects(as(fx, "acmeAdmin", (tx) => recordAudit(tx, { ...event("acme"), tenantId: "not-a-uuid" })), { name: "ZodError" });
  });
});

describe("the chain under concurrency", () => {
  test("20 parallel writers on one tenant (every 4th rolling back) leave a gapless, intact chain", async () => {
    const tenants: TenantSlug[] = ["acme-eu", "acme-us"];
    const writers = Array.from({ length: 20 }, (_, i) => {
      const slug = tenants[i % 5 === 0 ? 1 : 0];
      return as(fx, "acmeAdmin", async (tx) => {
        await recordAudit(tx, event(slug, "alerts:triage", { requestId: `parallel-${i}`, details: { i } }));
        // Hold the chain lock a little while others queue behind it.
        await tx.client.query("select pg_sleep(0.01)");
        if (i % 4 === 3) throw ROLLBACK;
      }).then(
        () => ({ i, slug, committed: true }),
        (e) => {
          if (e !== ROLLBACK) throw e;
          return { i, slug, committed: false };
        },
      );
    });
    const results = await Promise.all(writers);
    for (const slug of tenants) {
      const rows = await chainOf(slug);
      const committed = results.filter((r) => r.slug === slug && r.committed).map((r) => `parallel-${r.i}`).sort();
      assert.deepEqual(rows.map((r) => r.request_id).sort(), committed, `${slug}: exactly the committed writers`);
      assertChainIntact(rows);
      // Time follows seq.
      for (let k = 1; k < rows.length; k++) assert.ok(BigInt(rows[k].occurred_us) >= BigInt(rows[k - 1].occurred_us));
    }
  });

  test("the writer cannot choose seq, time, hashes or chain position", async () => {
    // The service role, which may INSERT directly (people cannot at all).
    await withServiceRole("audit.record-denied", (sdb) =>
      sdb.$client.query(
        `insert into public.audit_log (tenant_id, seq, occurred_at, actor_id, action, outcome, prev_hash, hash)
         values ($1, 999, '2001-01-01', $2, 'alerts:triage', 'success', decode(repeat('ab', 32), 'hex'), decode(repeat('cd', 32), 'hex'))`,
        [fx.tenants["acme-eu"], fx.users.acmeAdmin],
      ),
    );
    const rows = await chainOf("acme-eu");
    const last = rows[rows.length - 1];
    assert.notEqual(last.seq, "999");
    assert.ok(BigInt(last.occurred_us) > 1_600_000_000_000_000n);
    assertChainIntact(rows);
  });
});

describe("append-only, for every role", () => {
  const MUTATIONS = [
    ["UPDATE", "update public.audit_log set action = 'tampered' where tenant_id = $1"],
    ["DELETE", "delete from public.audit_log where tenant_id = $1"],
    ["TRUNCATE", "truncate public.audit_log"],
  ] as const;

  async function snapshot() {
    return (await owner.query("select tenant_id, seq, action, hash from public.audit_log order by 1, 2")).rows;
  }

  for (const [verb, statement] of MUTATIONS) {
    test(`${verb} as authenticated (an MSSP admin who can read the rows) is refused`, async () => {
      const before = await snapshot();
      await asRolledBack(fx, "msspAdmin", async (tx) => {
        const visible = await attempt(tx.client, "select 1 from public.audit_log where tenant_id = $1", [fx.tenants.acme]);
        assertRows(visible);
        assertRefused(await attempt(tx.client, statement, verb === "TRUNCATE" ? [] : [fx.tenants.acme]));
      });
      assert.deepEqual(await snapshot(), before);
    });

    test(`${verb} as service_role (bypasses RLS) is refused`, async () => {
      const before = await snapshot();
      await withServiceRole("audit.verify", async (sdb) => {
        const client = sdb.$client;
        assertRows(await attempt(client, "select 1 from public.audit_log where tenant_id = $1", [fx.tenants.acme]));
        assertRefused(await attempt(client, statement, verb === "TRUNCATE" ? [] : [fx.tenants.acme]));
      });
      assert.deepEqual(await snapshot(), before);
    });

    test(`${verb} as the owner (superuser) is refused by the trigger`, async () => {
      const before = await snapshot();
      await owner.query("begin");
      try {
        const o = await attempt(owner, statement, verb === "TRUNCATE" ? [] : [fx.tenants.acme]);
        assertRefused(o);
        assert.match((o as { message: string }).message, /append-only/);
      } finally {
        await owner.query("rollback");
      }
      assert.deepEqual(await snapshot(), before);
    });
  }

  test("the owner's UPDATE is refused even when it matches no row", async () => {
    await owner.query("begin");
    try {
      assertRefused(await attempt(owner, "update public.audit_log set action = 'x' where false"));
    } finally {
      await owner.query("rollback");
    }
  });

  test("nobody but the owner holds UPDATE, DELETE or TRUNCATE on the table", async () => {
    const { rows } = await owner.query(`
      select grantee, privilege_type from information_schema.role_table_grants
       where table_schema = 'public' and table_name = 'audit_log' and grantee <> (select tableowner from pg_tables where tablename = 'audit_log')
       order by 1, 2`);
    assert.deepEqual(
      rows.map((r) => `${r.grantee}:${r.privilege_type}`),
      ["authenticated:SELECT", "service_role:INSERT", "service_role:SELECT"],
    );
  });

  test("the chain heads are out of reach of authenticated", async () => {
    await asRolledBack(fx, "msspAdmin", async (tx) => {
      assertRefused(await attempt(tx.client, "select * from audit.chain_heads"));
      assertRefused(await attempt(tx.client, "update audit.chain_heads set seq = 1"));
    });
  });

  test("anon can neither read nor write", async () => {
    await withClient(db.url, async (c) => {
      await c.query("begin");
      await c.query("set local role anon");
      assertRefused(await attempt(c, "select 1 from public.audit_log"));
      assertRefused(
        await attempt(c, "insert into public.audit_log (tenant_id, action, outcome) values ($1, 'x', 'success')", [fx.tenants.acme]),
      );
      await c.query("rollback");
    });
  });
});

describe("who may write which rows", () => {
  const insert = "insert into public.audit_log (tenant_id, actor_id, action, outcome) values ($1, $2, 'alerts:triage', 'success')";

  test("a user cannot write a row directly, as themselves or anyone else; recordAudit writes as them", async () => {
    await asRolledBack(fx, "acmeAnalyst", async (tx) => {
      assertRefused(await attempt(tx.client, insert, [fx.tenants.acme, fx.users.acmeAdmin]));
      assertRefused(await attempt(tx.client, insert, [fx.tenants.acme, null]));
      assertRefused(await attempt(tx.client, insert, [fx.tenants.acme, fx.users.acmeAnalyst]));
      await recordAudit(tx, { tenantId: fx.tenants.acme, action: "alerts:triage", outcome: "success" });
      const { rows } = await tx.client.query("select count(*)::int as n from public.audit_log");
      assert.equal(rows[0].n, 0, "an analyst still reads no audit row");
    });
  });

  const OUT_OF_SCOPE: [UserName, TenantSlug, TenantSlug?][] = [
    ["acmeAdmin", "globex"],
    ["acmeAdmin", "mssp-a"],
    ["acmeEuAdmin", "acme-us"],
    ["acmeEuAdmin", "acme"],
    ["msspBAdmin", "acme"],
    ["msspAdmin", "other-co"],
    ["noMemberships", "acme"],
    // The active tenant narrows: acme's admin, working in acme-eu, cannot write into acme-us.
    ["acmeAdmin", "acme-us", "acme-eu"],
  ];
  for (const [user, target, active] of OUT_OF_SCOPE) {
    test(`${user}${active ? ` (active ${active})` : ""} cannot write into ${target}`, async () => {
      await asRolledBack(
        fx,
        user,
        async (tx) => {
          assertRefused(await attempt(tx.client, insert, [fx.tenants[target], fx.users[user]]));
          await assert.rejects(
            recordAudit(tx, { tenantId: fx.tenants[target], action: "alerts:triage", outcome: "success" }),
            (e: { code?: string }) => e.code === "42501",
          );
        },
        active,
      );
    });
  }

  test("every member, viewers included, may record their own actions in their tenants (through recordAudit only)", async () => {
    const before = (await chainOf("acme-eu")).length;
    await as(fx, "acmeViewer", async (tx) => {
      assertRefused(await attempt(tx.client, insert, [fx.tenants["acme-eu"], fx.users.acmeViewer]));
      await recordAudit(tx, { tenantId: fx.tenants["acme-eu"], action: "alerts:read", outcome: "success" });
    });
    const rows = await chainOf("acme-eu");
    assert.equal(rows.length, before + 1);
    assert.equal(rows.at(-1)?.actor_id, fx.users.acmeViewer);
    assertChainIntact(rows);
  });
});

describe("who may read which rows", () => {
  before(async () => {
    // At least one row in every tenant.
    for (const slug of Object.keys(fx.tenants) as TenantSlug[]) {
      await recordDenied({ userId: fx.users.noMemberships }, { tenantId: fx.tenants[slug], action: "alerts:read", requestId: `seed-${slug}` });
    }
  });

  const CASES: [UserName, TenantSlug[], TenantSlug?][] = [
    ["msspAdmin", ["acme", "acme-eu", "acme-us", "globex", "mssp-a"]],
    ["msspBAdmin", ["mssp-b", "other-co"]],
    ["acmeAdmin", ["acme", "acme-eu", "acme-us"]],
    ["acmeEuAdmin", ["acme-eu"]],
    ["globexAdmin", ["globex"]],
    ["msspAdmin", ["acme", "acme-eu", "acme-us"], "acme"],
    ["acmeAdmin", ["acme-eu"], "acme-eu"],
    ["msspAnalyst", []],
    ["acmeAnalyst", []],
    ["acmeViewer", []],
    ["twoCustomers", []],
    ["noMemberships", []],
  ];
  for (const [user, expected, active] of CASES) {
    test(`${user}${active ? ` (active ${active})` : ""} sees audit rows of ${expected.length ? expected.join(", ") : "no tenant"}`, async () => {
      const rows = await as(fx, user, async (tx) => (await tx.client.query("select tenant_id from public.audit_log")).rows, active);
      assert.deepEqual(slugsOf(fx, rows), expected);
      const page = await as(fx, user, (tx) => listAuditEvents(tx.db, { page: 1 }, 500), active);
      assert.deepEqual([...new Set(page.rows.map((r) => r.tenantSlug))].sort(), expected);
      assert.equal(await as(fx, user, (tx) => canViewAudit(tx.db), active), expected.length > 0);
    });
  }
});

describe("the audit list", () => {
  test("filters narrow by action prefix, outcome, actor email, tenant and date; pages are stable", async () => {
    const all = await as(fx, "msspAdmin", (tx) => listAuditEvents(tx.db, { page: 1 }, 1000));
    assert.ok(all.total > 20);
    // Newest first.
    for (let i = 1; i < all.rows.length; i++) assert.ok(all.rows[i - 1].occurredAt >= all.rows[i].occurredAt);

    const denied = await as(fx, "msspAdmin", (tx) => listAuditEvents(tx.db, { page: 1, outcome: "denied" }, 1000));
    assert.ok(denied.total > 0 && denied.rows.every((r) => r.outcome === "denied"));

    const alerts = await as(fx, "msspAdmin", (tx) => listAuditEvents(tx.db, { page: 1, action: "alerts" }, 1000));
    assert.ok(alerts.total > 0 && alerts.rows.every((r) => r.action.startsWith("alerts")));
    const exact = await as(fx, "msspAdmin", (tx) => listAuditEvents(tx.db, { page: 1, action: "users:manage" }, 1000));
    assert.deepEqual([...new Set(exact.rows.map((r) => r.action))], ["users:manage"]);

    const actor = await as(fx, "msspAdmin", (tx) => listAuditEvents(tx.db, { page: 1, actor: "ACME-VIEWER" }, 1000));
    assert.ok(actor.total > 0 && actor.rows.every((r) => r.actorEmail === emailOf("acmeViewer")));
    const wildcard = await as(fx, "msspAdmin", (tx) => listAuditEvents(tx.db, { page: 1, actor: "%" }, 1000));
    assert.equal(wildcard.total, 0, "% in the filter matches itself, not everything");

    const globex = await as(fx, "msspAdmin", (tx) => listAuditEvents(tx.db, { page: 1, tenant: "globex" }, 1000));
    assert.ok(globex.total > 0 && globex.rows.every((r) => r.tenantSlug === "globex"));
    const foreign = await as(fx, "msspAdmin", (tx) => listAuditEvents(tx.db, { page: 1, tenant: "other-co" }, 1000));
    assert.equal(foreign.total, 0, "a tenant filter outside the scope shows nothing");

    const today = new Date().toISOString().slice(0, 10);
    const dated = await as(fx, "msspAdmin", (tx) => listAuditEvents(tx.db, { page: 1, from: today, to: today }, 1000));
    assert.equal(dated.total, all.total);
    const past = await as(fx, "msspAdmin", (tx) => listAuditEvents(tx.db, { page: 1, from: "2020-01-01", to: "2020-12-31" }, 1000));
    assert.equal(past.total, 0);

    const p1 = await as(fx, "msspAdmin", (tx) => listAuditEvents(tx.db, { page: 1 }, 7));
    const p2 = await as(fx, "msspAdmin", (tx) => listAuditEvents(tx.db, { page: 2 }, 7));
    assert.equal(p1.pageCount, Math.ceil(all.total / 7));
    const keys = (p: typeof p1) => p.rows.map((r) => `${r.tenantId}:${r.seq}`);
    assert.deepEqual([...keys(p1), ...keys(p2)], keys(all).slice(0, 14));
    const beyond = await as(fx, "msspAdmin", (tx) => listAuditEvents(tx.db, { page: 99_999 }, 7));
    assert.equal(beyond.page, p1.pageCount, "a page past the end shows the last page");
  });

  test("loadAuditView: admins get rows and the tenants they may audit; others are told it is for admins", async () => {
    const admin = await as(fx, "acmeAdmin", (tx) => loadAuditView(tx, { page: 1 }), "acme");
    assert.equal(admin.allowed, true);
    assert.deepEqual(admin.tenants.map((t) => t.slug), ["acme", "acme-eu", "acme-us"]);
    assert.ok(admin.events.total > 0);
    const analyst = await as(fx, "acmeAnalyst", (tx) => loadAuditView(tx, { page: 1 }), "acme");
    assert.deepEqual(analyst, { allowed: false, hiddenTenants: 0, tenants: [], tenantCount: 0, tenantFilter: null, events: { rows: [], total: 0, page: 1, pageCount: 1 } });
  });
});

describe("the same row seen twice", () => {
  test("withTenant and the page see the same committed row the owner sees", async () => {
    const mine = await withTenant({ userId: fx.users.globexAdmin, activeTenantId: fx.tenants.globex }, (tx) =>
      listAuditEvents(tx.db, { page: 1, action: "settings:manage" }),
    );
    assert.equal(mine.total, 1);
    assert.equal(mine.rows[0].actorEmail, emailOf("globexAdmin"));
  });
});

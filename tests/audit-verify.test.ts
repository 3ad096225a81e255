// The verifier (lib/audit/verify.ts, npm run audit:verify): the TypeScript
// canonical encoding is byte-identical to the database's, an intact trail
// verifies, and every way the owner can tamper with rows once the
// append-only trigger is disabled (edit, edit + rehash, delete in the middle,
// cut the tail, append a row, drop the head) is reported as the first broken
// link of exactly that tenant, at exactly that seq.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import pg from "pg";
import { recordAudit, recordDenied } from "@/lib/audit/record";
import { canonicalEncoding, formatVerifyReport, linkHash, verifyAuditChains, type VerifyReport } from "@/lib/audit/verify";
import { insertFixtures, type Fixtures, type TenantSlug } from "./helpers/fixtures";
import { as } from "./helpers/sql";
import { createTestDatabase, type TestDatabase } from "./helpers/test-database";

let db: TestDatabase;
let fx: Fixtures;
let owner: pg.Client;

/** Rows written per tenant before any tampering. */
const ROWS_PER_TENANT = 12;
const TAMPERED: TenantSlug[] = ["acme", "acme-eu", "acme-us", "globex", "mssp-b", "other-co"];

// Strings that stress the encoding: quotes, backslashes, control characters,
// non-ASCII, emoji, JSON look-alikes; numbers jsonb keeps as written.
const AWKWARD = [
  'quote " and backslash \\ and slash /',
  "tab\tnewline\nreturn\rbell\u0007 nul-adjacent \u001f",
  "é ü ß 東京 🙂 \u2028 \u00a0",
  '{"not": "json"}',
];

before(async () => {
  db = await createTestDatabase();
  fx = await insertFixtures(db.url);
  owner = new pg.Client({ connectionString: db.url });
  await owner.connect();
  for (const slug of Object.keys(fx.tenants) as TenantSlug[]) {
    for (let n = 1; n <= ROWS_PER_TENANT; n++) {
      const odd = n % 2 === 1;
      await as(fx, slug.startsWith("mssp-b") || slug === "other-co" ? "msspBAdmin" : "msspAdmin", (tx) =>
        recordAudit(tx, {
          tenantId: fx.tenants[slug],
          action: odd ? "alerts:triage" : "users:manage",
          targetType: odd ? "alert" : null,
          targetId: odd ? AWKWARD[n % AWKWARD.length] : null,
          outcome: odd ? "success" : "failure",
          requestId: odd ? `req-${slug}-${n}` : null,
          details: { n, label: AWKWARD[(n + 1) % AWKWARD.length], nested: { list: [1, "two", null, true], deep: { x: AWKWARD[n % AWKWARD.length] } } },
        }),
      );
    }
    await recordDenied({ userId: null, email: `Ünïcode+${slug}@example.test` }, { tenantId: fx.tenants[slug], action: "auth:sign-in", details: {} });
  }
  // Numbers jsonb keeps exactly as written (1.50, 1e3), written as the owner.
  await owner.query(`
    insert into public.audit_log (tenant_id, actor_id, action, outcome, details)
    values ($1, null, 'billing:view', 'success', '{"amount": 1.50, "big": 1e3, "neg": -0.0, "s": "x"}'::jsonb)`, [fx.tenants["mssp-a"]]);
});
after(async () => {
  await owner.end();
  await db.drop();
});

/** Runs `sql` as the owner with every user trigger of audit_log disabled: the only way to tamper. */
async function tamper(sql: string, params: unknown[] = []): Promise<void> {
  await owner.query("begin");
  try {
    await owner.query("alter table public.audit_log disable trigger user");
    await owner.query(sql, params);
    await owner.query("alter table public.audit_log enable trigger user");
    await owner.query("commit");
  } catch (error) {
    await owner.query("rollback");
    throw error;
  }
}

function breakOf(report: VerifyReport, slug: TenantSlug) {
  return report.breaks.filter((b) => b.tenantSlug === slug);
}

describe("the canonical encoding", () => {
  test("TypeScript and the database encode every row byte for byte the same, and the stored hash recomputes", async () => {
    const { rows } = await owner.query(`
      select a.tenant_id::text, a.seq::text, (extract(epoch from a.occurred_at) * 1000000)::bigint::text as occurred_us,
             a.actor_id::text, a.actor_email, a.action, a.target_type, a.target_id, a.outcome, a.request_id,
             a.details::text as details, a.prev_hash, a.hash,
             audit.canonical(a.tenant_id, a.seq, a.occurred_at, a.actor_id, a.actor_email, a.action,
                             a.target_type, a.target_id, a.outcome, a.request_id, a.details) as db_canonical
        from public.audit_log a order by a.tenant_id, a.seq`);
    assert.equal(rows.length, Object.keys(fx.tenants).length * (ROWS_PER_TENANT + 1) + 1);
    for (const r of rows) {
      const ts = canonicalEncoding({
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
      assert.equal(ts, r.db_canonical);
      assert.ok(linkHash(r.prev_hash, ts).equals(r.hash), `hash of ${r.tenant_id}/${r.seq}`);
    }
    assert.ok(rows.some((r) => r.details.includes("1.50")), "jsonb numbers survive as written");
  });

  test("the encoding does not depend on the session's time zone or date style", async () => {
    const sqlText = `select audit.canonical(a.tenant_id, a.seq, a.occurred_at, a.actor_id, a.actor_email, a.action,
                       a.target_type, a.target_id, a.outcome, a.request_id, a.details) as c
                  from public.audit_log a order by a.tenant_id, a.seq limit 5`;
    const utc = (await owner.query(sqlText)).rows;
    await owner.query("begin");
    await owner.query("set local timezone = 'Pacific/Chatham'; set local datestyle = 'SQL, DMY'; set local extra_float_digits = 0");
    const other = (await owner.query(sqlText)).rows;
    await owner.query("rollback");
    assert.deepEqual(other, utc);
  });
});

describe("verifying", () => {
  test("an intact trail verifies: every chain, every row", async () => {
    const report = await verifyAuditChains({ batchSize: 5 });
    assert.equal(report.ok, true, formatVerifyReport(report));
    assert.equal(report.chains.length, Object.keys(fx.tenants).length);
    assert.equal(report.rows, Object.keys(fx.tenants).length * (ROWS_PER_TENANT + 1) + 1);
    assert.equal(formatVerifyReport(report), `7 chains, ${report.rows} rows verified, all intact`);
    const acme = report.chains.find((c) => c.tenantSlug === "acme")!;
    const head = await owner.query("select seq::int, encode(hash, 'hex') as hash from audit.chain_heads where tenant_id = $1", [fx.tenants.acme]);
    assert.deepEqual({ seq: acme.headSeq, hash: acme.headHash }, head.rows[0]);
  });

  test("the CLI says so and exits 0", () => {
    const r = runCli();
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^7 chains, \d+ rows verified, all intact$/m);
  });

  test("an edited row: that tenant, that seq, expected vs stored hash", async () => {
    await tamper("update public.audit_log set action = 'alerts:read' where tenant_id = $1 and seq = 7", [fx.tenants.acme]);
    const report = await verifyAuditChains({ batchSize: 5 });
    assert.equal(report.ok, false);
    assert.deepEqual(report.breaks.map((b) => [b.tenantSlug, b.seq, b.reason]), [["acme", 7, "hash mismatch"]]);
    const [b] = report.breaks;
    const stored = await owner.query("select encode(hash, 'hex') as h from public.audit_log where tenant_id = $1 and seq = 7", [fx.tenants.acme]);
    assert.equal(b.stored, stored.rows[0].h);
    assert.notEqual(b.expected, b.stored);
    assert.equal(b.tenantId, fx.tenants.acme);
  });

  test("an edited row whose own hash was recomputed: the next link breaks", async () => {
    // Rewrite seq 4's target and give it a correct hash for its new content:
    // seq 5 still points at the old hash.
    await tamper(
      `update public.audit_log a
          set target_id = 'forged',
              hash = extensions.digest(a.prev_hash || convert_to(audit.canonical(a.tenant_id, a.seq, a.occurred_at, a.actor_id,
                       a.actor_email, a.action, a.target_type, 'forged', a.outcome, a.request_id, a.details), 'UTF8'), 'sha256')
        where tenant_id = $1 and seq = 4`,
      [fx.tenants["acme-eu"]],
    );
    const breaks = breakOf(await verifyAuditChains(), "acme-eu");
    assert.deepEqual(breaks.map((b) => [b.seq, b.reason]), [[5, "prev_hash mismatch"]]);
  });

  test("a row deleted from the middle: reported as missing at its seq", async () => {
    await tamper("delete from public.audit_log where tenant_id = $1 and seq = 10", [fx.tenants.globex]);
    const breaks = breakOf(await verifyAuditChains({ batchSize: 4 }), "globex");
    assert.deepEqual(breaks.map((b) => [b.seq, b.reason]), [[10, "missing row"]]);
  });

  test("the last row cut off: the chain head still knows it", async () => {
    const last = ROWS_PER_TENANT + 1;
    await tamper("delete from public.audit_log where tenant_id = $1 and seq = $2", [fx.tenants["acme-us"], last]);
    const breaks = breakOf(await verifyAuditChains(), "acme-us");
    assert.deepEqual(breaks.map((b) => [b.seq, b.reason]), [[last, "missing row"]]);
  });

  test("a row appended without the chain: reported after the head", async () => {
    await tamper(
      `insert into public.audit_log (tenant_id, seq, occurred_at, actor_id, action, outcome, details, prev_hash, hash)
       select tenant_id, seq + 1, now(), null, 'tenants:provision', 'success', '{}', hash, hash
         from audit.chain_heads where tenant_id = $1`,
      [fx.tenants["mssp-b"]],
    );
    const breaks = breakOf(await verifyAuditChains(), "mssp-b");
    assert.deepEqual(breaks.map((b) => [b.seq, b.reason]), [[ROWS_PER_TENANT + 2, "unexpected row"]]);
  });

  test("a chain head deleted: reported", async () => {
    await owner.query("delete from audit.chain_heads where tenant_id = $1", [fx.tenants["other-co"]]);
    const breaks = breakOf(await verifyAuditChains(), "other-co");
    assert.deepEqual(breaks.map((b) => [b.seq, b.reason]), [[ROWS_PER_TENANT + 1, "missing head"]]);
  });

  test("all at once: one break per tampered tenant, the untouched chains still verify", async () => {
    const report = await verifyAuditChains({ batchSize: 3 });
    assert.deepEqual(report.breaks.map((b) => b.tenantSlug).sort(), [...TAMPERED].sort());
    const intact = report.chains.filter((c) => !TAMPERED.includes(c.tenantSlug as TenantSlug)).map((c) => c.tenantSlug);
    assert.deepEqual(intact, ["mssp-a"]);
    assert.equal(report.chains.find((c) => c.tenantSlug === "mssp-a")!.rows, ROWS_PER_TENANT + 2);
  });

  test("one tenant only, by slug", async () => {
    const report = await verifyAuditChains({ tenantSlug: "mssp-a" });
    assert.equal(report.ok, true);
    assert.deepEqual(report.chains.map((c) => c.tenantSlug), ["mssp-a"]);
  });

  test("the CLI reports the first broken link per tenant and exits 1", () => {
    const r = runCli();
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stdout, /6 of 7 chains BROKEN/);
    assert.match(r.stdout, new RegExp(`acme \\(${fx.tenants.acme}\\): first broken link at seq 7: hash mismatch`));
    assert.match(r.stdout, /globex \([0-9a-f-]+\): first broken link at seq 10: missing row/);
    assert.match(r.stdout, /expected [0-9a-f]{64}\n\s+stored\s+[0-9a-f]{64}/);
    const one = runCli("--tenant", "mssp-a", "--heads");
    assert.equal(one.status, 0, one.stderr);
    assert.match(one.stdout, /^1 chain, \d+ rows verified, all intact$/m);
    assert.match(one.stdout, /mssp-a seq \d+ [0-9a-f]{64}/);
  });

  test("appending still works after tampering, and the new rows chain on the head", async () => {
    await as(fx, "acmeAdmin", (tx) => recordAudit(tx, { tenantId: fx.tenants.acme, action: "alerts:read", outcome: "success" }));
    const breaks = breakOf(await verifyAuditChains(), "acme");
    assert.deepEqual(breaks.map((b) => b.seq), [7], "still the first broken link, not the new row");
  });
});

function runCli(...args: string[]) {
  const r = spawnSync(process.execPath, ["--import", "tsx", path.join(process.cwd(), "scripts", "audit-verify.ts"), ...args], {
    env: { ...process.env, DATABASE_URL: db.url },
    encoding: "utf8",
    timeout: 60_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

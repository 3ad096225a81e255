// What a member can SELECT straight from the tables (SQL as `authenticated`, as a Supabase Data API
// serves `public`) is no more than the portal shows that member after the PDP (migration
// 20261201032400, docs/security-model.md "What members read directly"):
//
//   * the tenant's configuration (settings, workflow rules, their history and runs, notification
//     channels with a webhook's URL and an e-mail channel's recipients): the roles `settings:view`
//     allows (MSSP admins and analysts, tenant admins), not a customer's analysts and viewers;
//   * jobs and their steps (payloads, results, errors, the worker holding one): the MSSP's staff, whose
//     console alone shows them;
//   * an API key's secret_hash: nobody as `authenticated` (admins list the rest).
//
// The portal's own reads still answer: effective settings through settings.effective for every member,
// the workflows page's data for an admin, the API keys list for an admin.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { insertFixtures, type Fixtures, type UserName } from "./helpers/fixtures";
import { as, attempt, assertRefused } from "./helpers/sql";
import { createTestDatabase, withClient, type TestDatabase } from "./helpers/test-database";
import { listApiKeys } from "@/lib/api/keys/store";
import { listChannels } from "@/lib/notify/channels";
import { rulesFor } from "@/lib/rules/store";

let db: TestDatabase;
let fx: Fixtures;
const ids = { channel: randomUUID(), rule: randomUUID(), alert: randomUUID(), job: randomUUID(), key: randomUUID() };
const WEBHOOK = "https://hooks.chat.example/services/T000/B000/the-url-is-the-credential";

before(async () => {
  db = await createTestDatabase();
  fx = await insertFixtures(db.url);
  const acme = fx.tenants.acme;
  await withClient(db.url, async (c) => {
    await c.query(`insert into public.tenant_settings (tenant_id, key, value) values ($1, 'notifications.emails', '["soc-lead@acme.example"]')`, [acme]);
    await c.query(
      `insert into public.notification_channels (tenant_id, id, name, kind, url, secret_sealed, key_version, secret_hint)
       values ($1, $2, 'SOC chat', 'webhook', $3, decode(repeat('ab', 40), 'hex'), 1, 'abcd')`,
      [acme, ids.channel, WEBHOOK],
    );
    await c.query(`insert into public.workflow_rules (tenant_id, id, name, definition) values ($1, $2, 'Critical to the lead', '{"when": {}}')`, [acme, ids.rule]);
    await c.query(`insert into public.alerts (tenant_id, id, title, severity, source) values ($1, $2, 'Beacon', 'high', 'edr')`, [acme, ids.alert]);
    await c.query(
      `insert into public.workflow_rule_runs (tenant_id, alert_id, rule_tenant_id, rule_id, rule_version, stage, outcome)
       values ($1, $2, $1, $3, 1, 'match', 'applied')`,
      [acme, ids.alert, ids.rule],
    );
    await c.query(`insert into public.jobs (tenant_id, id, kind, payload, last_error) values ($1, $2, 'tenant.provision', '{"adminEmail": "first-admin@acme.example"}', 'worker internals')`, [acme, ids.job]);
    await c.query(`insert into public.job_steps (tenant_id, job_id, position, name, output) values ($1, $2, 0, 'invite', '{"mail": "x"}')`, [acme, ids.job]);
    await c.query(
      `insert into public.api_keys (tenant_id, id, name, secret_hash, scopes, expires_at, created_by)
       values ($1, $2, 'SIEM', decode(repeat('cd', 32), 'hex'), '{alerts:read}', now() + interval '30 days', $3)`,
      [acme, ids.key, fx.users.acmeAdmin],
    );
  });
});
after(() => db?.drop());

const TABLES = {
  tenant_settings: "select key from public.tenant_settings where tenant_id = $1",
  notification_channels: "select url, recipients from public.notification_channels where tenant_id = $1",
  workflow_rules: "select definition from public.workflow_rules where tenant_id = $1",
  workflow_rule_versions: "select definition from public.workflow_rule_versions where tenant_id = $1",
  workflow_rule_runs: "select outcome from public.workflow_rule_runs where tenant_id = $1",
  jobs: "select payload, last_error, locked_by from public.jobs where tenant_id = $1",
  job_steps: "select output from public.job_steps where tenant_id = $1",
} as const;
type Table = keyof typeof TABLES;
const CONFIGURATION: Table[] = ["tenant_settings", "notification_channels", "workflow_rules", "workflow_rule_versions", "workflow_rule_runs"];
const JOBS: Table[] = ["jobs", "job_steps"];

/** How many of acme's rows of each table `user` reads with plain SQL as authenticated. */
async function counts(user: UserName): Promise<Record<Table, number>> {
  return as(fx, user, async (tx) => {
    const out = {} as Record<Table, number>;
    for (const [table, sql] of Object.entries(TABLES) as [Table, string][]) {
      const o = await attempt(tx.client, sql, [fx.tenants.acme]);
      assert.ok(o.ok, `${user} ${table}: ${o.ok ? "" : o.message}`);
      out[table] = o.rowCount;
    }
    return out;
  });
}

describe("what members read straight from the tables matches the PDP", () => {
  test("control: the owner's fixture rows exist", async () => {
    const n = await withClient(db.url, async (c) => {
      const out: Record<string, number> = {};
      for (const [table, sql] of Object.entries(TABLES)) out[table] = (await c.query(sql, [fx.tenants.acme])).rowCount ?? 0;
      return out;
    });
    for (const table of Object.keys(TABLES)) assert.ok(n[table] > 0, table);
  });

  for (const user of ["acmeViewer", "acmeAnalyst"] as const) {
    test(`a customer's ${user === "acmeViewer" ? "viewer" : "analyst"} (no settings:view) reads no configuration and no job of their own tenant`, async () => {
      const n = await counts(user);
      for (const table of [...CONFIGURATION, ...JOBS]) assert.equal(n[table], 0, `${user} reads ${table}`);
      // ... while what the portal shows them still answers: their own tenant's alerts, and the
      // effective configuration through settings.effective (a security definer), the stored value included.
      await as(fx, user, async (tx) => {
        assert.equal((await tx.client.query("select 1 from public.alerts where tenant_id = $1 and id = $2", [fx.tenants.acme, ids.alert])).rowCount, 1);
        const { rows } = await tx.client.query<{ value: unknown }>(
          "select value from settings.effective(array[$1::uuid]) where key = 'notifications.emails'",
          [fx.tenants.acme],
        );
        assert.deepEqual(rows.map((r) => r.value), [["soc-lead@acme.example"]]);
      });
    });
  }

  test("a customer's admin (settings:view) reads the configuration, and the workflows page's reads answer; not the jobs", async () => {
    const n = await counts("acmeAdmin");
    for (const table of CONFIGURATION) assert.ok(n[table] > 0, `acmeAdmin reads ${table}`);
    for (const table of JOBS) assert.equal(n[table], 0, `acmeAdmin reads ${table}`);
    await as(fx, "acmeAdmin", async (tx) => {
      assert.deepEqual((await listChannels(tx, fx.tenants.acme)).map((c) => c.url), [WEBHOOK]);
      assert.deepEqual((await rulesFor(tx, fx.tenants.acme)).map((r) => r.id), [ids.rule]);
    });
  });

  for (const user of ["msspAdmin", "msspAnalyst"] as const) {
    test(`the MSSP's ${user === "msspAdmin" ? "admin" : "analyst"} reads the customer's configuration and its jobs`, async () => {
      const n = await counts(user);
      for (const table of [...CONFIGURATION, ...JOBS]) assert.ok(n[table] > 0, `${user} reads ${table}`);
    });
  }

  test("another MSSP's admin reads none of it (control: RLS between tenants)", async () => {
    const n = await counts("msspBAdmin");
    for (const table of [...CONFIGURATION, ...JOBS]) assert.equal(n[table], 0, table);
  });
});

describe("API keys: listed without their secret_hash", () => {
  test("an admin cannot read a key's secret_hash; the rest of the row and the keys list still answer", async () => {
    await as(fx, "acmeAdmin", async (tx) => {
      assertRefused(await attempt(tx.client, "select secret_hash from public.api_keys where tenant_id = $1", [fx.tenants.acme]));
      assertRefused(await attempt(tx.client, "select * from public.api_keys where tenant_id = $1", [fx.tenants.acme]));
      const o = await attempt(tx.client, "select name, scopes, last_used_ip from public.api_keys where tenant_id = $1 and id = $2", [fx.tenants.acme, ids.key]);
      assert.ok(o.ok && o.rowCount === 1, o.ok ? "" : o.message);
      assert.ok((await listApiKeys(tx, fx.tenants.acme)).some((k) => k.id === ids.key));
    });
    await as(fx, "msspAdmin", async (tx) => {
      assertRefused(await attempt(tx.client, "select secret_hash from public.api_keys where tenant_id = $1", [fx.tenants.acme]));
    });
  });
});

// Last: it rolls the migration back and forward on this file's database.
describe("rollback of 20261201032400", () => {
  const NAME = "20261201032400_member_reads_match_the_pdp";
  const TABLE_NAMES = [...Object.keys(TABLES), "api_keys"];
  const catalog = () =>
    withClient(db.url, async (c) => ({
      policies: (
        await c.query(
          `select tablename, policyname, cmd, qual from pg_policies where schemaname = 'public' and tablename = any($1) and cmd = 'SELECT' order by 1, 2`,
          [TABLE_NAMES],
        )
      ).rows,
      acl: (await c.query(`select relacl::text as acl from pg_class where oid = 'public.api_keys'::regclass`)).rows[0].acl,
      columns: (await c.query(`select attname, attacl::text as acl from pg_attribute where attrelid = 'public.api_keys'::regclass and attnum > 0 and not attisdropped order by attnum`)).rows,
    }));
  const sql = async (dir: "migrations" | "rollbacks") =>
    (await import("node:fs/promises")).readFile(`supabase/${dir}/${NAME}${dir === "rollbacks" ? ".down" : ""}.sql`, "utf8");

  test("down: every member reads the seven tables again and admins every column of a key, as before; up applies again", async () => {
    const migrated = await catalog();
    await withClient(db.url, async (c) => c.query(await sql("rollbacks")));
    const down = await catalog();
    for (const p of down.policies) {
      assert.match(p.policyname, /is visible to members of the tenant or an ancestor$|are visible to (members of the tenant or an ancestor|admins of the tenant or an ancestor)$/, p.policyname);
      if (p.tablename !== "api_keys") assert.equal(p.qual, "(tenant_id = ANY (( SELECT tenancy.visible_ids() AS visible_ids)::uuid[]))", p.tablename);
    }
    assert.match(down.acl, /authenticated=r\//);
    assert.ok(down.columns.every((c: { acl: string | null }) => !c.acl?.includes("authenticated=r")), "no column grants left");
    assert.equal((await counts("acmeViewer")).notification_channels, 1, "a viewer reads the channel again");
    await withClient(db.url, async (c) => c.query(await sql("migrations")));
    assert.deepEqual(await catalog(), migrated);
  });
});

// A bulk triage is audited in every tenant whose alerts it touched, not only
// in the list's tenant (lib/alerts/bulk-audit.ts): an MSSP analyst who
// bulk-closes Acme's alerts from the console leaves a row in Acme's own trail,
// listing Acme's alerts only; another customer's admins read theirs, and
// nobody's trail names the other's alerts. The chains stay valid.
// First: installs Next's request storage before any next/* module loads (see the helper).
import { auditMark, auditSince, callAction, enrolMfa, loadAction, sessionCookie, type FormFields } from "./helpers/actions";
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { verifyAuditChains } from "@/lib/audit/verify";
import { withTenant } from "@/lib/db/with-tenant";
import { useFixtureEnv } from "./helpers/fixture-env";
import { type TenantSlug, type UserName } from "./helpers/fixtures";
import { withClient } from "./helpers/test-database";

const env = useFixtureEnv();
const CONSOLE = "localhost:3000";
const hostOf = (slug: TenantSlug) => `${slug}.localhost:3000`;
const BULK_ACK = "lib/actions/alerts/bulk-triage.ts#bulkAcknowledge";
const BULK_CLOSE = "lib/actions/alerts/bulk-triage.ts#bulkClose";

env.before(async () => {
  await enrolMfa(env.person("msspAnalyst"));
  for (const user of ["msspAnalyst", "acmeAnalyst"] as const) await sessionCookie(env.person(user));
});

async function alertIn(tenant: TenantSlug, status = "acknowledged"): Promise<string> {
  const [row] = await env.owner<{ id: string }>(
    `insert into public.alerts (tenant_id, title, severity, source, status, detected_at) values ($1, 'bulk audit test', 'high', 'edr', $2, now()) returning id`,
    [env.fx.tenants[tenant], status],
  );
  return row.id;
}

type Result = { ok: boolean; error?: string; message?: string; data?: unknown };
async function act(id: string, user: UserName, host: string, fields: FormFields): Promise<Result> {
  return (await callAction(await loadAction(id), { person: env.person(user), host }, fields)) as Result;
}

type Row = { tenant_id: string; action: string; outcome: string; details: { results?: { tenant_id: string; alert_id: string; outcome: string }[]; via_tenant_id?: string } };
const idsOf = (row: Row | undefined) => (row?.details.results ?? []).map((r) => r.alert_id).sort();
const key = (tenant: TenantSlug, id: string) => `${env.fx.tenants[tenant]}:${id}`;

/** What `user` reads of the trail under RLS, as the /audit page does. */
async function trailOf(user: UserName, tenant: TenantSlug, action: string, mark: string): Promise<Row[]> {
  return withTenant({ userId: env.fx.users[user], activeTenantId: env.fx.tenants[tenant] }, async (tx) =>
    (
      await tx.client.query<Row>(
        "select tenant_id, action, outcome, details from public.audit_log where action = $1 and occurred_at > $2::timestamptz order by occurred_at, seq",
        [action, mark],
      )
    ).rows,
  );
}

describe("bulk triage audited in each affected tenant", () => {
  test("the console: one close across two customers and a site; each tenant's trail has its own row with only its own alerts; the chains verify", async () => {
    const acme = [await alertIn("acme"), await alertIn("acme")].sort();
    const eu = await alertIn("acme-eu");
    const globex = await alertIn("globex");
    const foreign = await alertIn("other-co");
    const mark = await auditMark(env.db.url);
    const r = await act(BULK_CLOSE, "msspAnalyst", CONSOLE, {
      tenantId: env.fx.tenants["mssp-a"],
      alerts: [key("acme", acme[0]), key("globex", globex), key("acme-eu", eu), key("acme", acme[1]), key("other-co", foreign)].join(","),
      resolution: "resolved",
      reason: "Contained by EDR",
    });
    assert.equal(r.ok, true, JSON.stringify(r));
    assert.equal(r.message, "4 closed, 1 not changed.");

    const rows = (await auditSince(env.db.url, mark)) as unknown as Row[];
    const byTenant = new Map(rows.map((row) => [row.tenant_id, row]));
    assert.equal(rows.length, 4, JSON.stringify(rows.map((x) => x.tenant_id)));
    for (const row of rows) assert.equal(row.action, "alerts:bulk-close");
    // The list's tenant (the MSSP) keeps the whole picture, as before.
    assert.equal(byTenant.get(env.fx.tenants["mssp-a"])?.details.results?.length, 5);
    // Each customer and site: only its own alerts, naming the list it came from.
    assert.deepEqual(idsOf(byTenant.get(env.fx.tenants.acme)), acme);
    assert.deepEqual(idsOf(byTenant.get(env.fx.tenants["acme-eu"])), [eu]);
    assert.deepEqual(idsOf(byTenant.get(env.fx.tenants.globex)), [globex]);
    for (const slug of ["acme", "acme-eu", "globex"] as const) {
      const row = byTenant.get(env.fx.tenants[slug])!;
      assert.equal(row.outcome, "success");
      assert.equal(row.details.via_tenant_id, env.fx.tenants["mssp-a"]);
      assert.ok(row.details.results!.every((x) => x.tenant_id === env.fx.tenants[slug] && x.outcome === "changed"));
    }
    // The other MSSP's customer, named only by the form: nothing written there.
    assert.ok(!byTenant.has(env.fx.tenants["other-co"]));

    // What each customer's admins read in their own /audit.
    const acmeSees = await trailOf("acmeAdmin", "acme", "alerts:bulk-close", mark);
    assert.deepEqual(acmeSees.map((x) => x.tenant_id).sort(), [env.fx.tenants.acme, env.fx.tenants["acme-eu"]].sort());
    assert.ok(!JSON.stringify(acmeSees).includes(globex), "Acme's trail does not name Globex's alert");
    const globexSees = await trailOf("globexAdmin", "globex", "alerts:bulk-close", mark);
    assert.deepEqual(globexSees.map((x) => x.tenant_id), [env.fx.tenants.globex]);
    assert.deepEqual(idsOf(globexSees[0]), [globex]);
    for (const id of [...acme, eu]) assert.ok(!JSON.stringify(globexSees).includes(id), "Globex's trail does not name Acme's alerts");

    const report = await verifyAuditChains();
    assert.ok(report.ok, JSON.stringify(report.breaks));
  });

  test("a customer's host: the customer's row lists every result; its site gets a row of its own alerts", async () => {
    const own = await alertIn("acme", "new");
    const site = await alertIn("acme-us", "new");
    const mark = await auditMark(env.db.url);
    const r = await act(BULK_ACK, "acmeAnalyst", hostOf("acme"), { tenantId: env.fx.tenants.acme, alerts: [key("acme", own), key("acme-us", site)].join(",") });
    assert.equal(r.ok, true, JSON.stringify(r));
    const rows = (await auditSince(env.db.url, mark)) as unknown as Row[];
    // The site's row is written first (deepest first), the list's tenant last (the guard's row).
    assert.deepEqual(rows.map((x) => x.tenant_id), [env.fx.tenants["acme-us"], env.fx.tenants.acme]);
    assert.deepEqual(idsOf(rows[0]), [site]);
    assert.deepEqual(idsOf(rows[1]), [own, site].sort());
    const usSees = await trailOf("acmeUsAdmin", "acme-us", "alerts:bulk-acknowledge", mark);
    assert.deepEqual(usSees.map((x) => idsOf(x)), [[site]]);
  });

  test("a tenant all of whose alerts were refused gets a denied row; one with nothing seen gets none", async () => {
    const acme = await alertIn("acme", "new");
    const globex = await alertIn("globex", "new");
    await withClient(env.db.url, (c) =>
      c.query(`insert into public.tenant_settings (tenant_id, key, value) values ($1, 'features.alert_triage', 'false')`, [env.fx.tenants.globex]),
    );
    try {
      const mark = await auditMark(env.db.url);
      const r = await act(BULK_ACK, "msspAnalyst", CONSOLE, { tenantId: env.fx.tenants["mssp-a"], alerts: [key("acme", acme), key("globex", globex)].join(",") });
      assert.equal(r.ok, true, JSON.stringify(r));
      const rows = (await auditSince(env.db.url, mark)) as unknown as Row[];
      const globexRow = rows.find((x) => x.tenant_id === env.fx.tenants.globex);
      assert.equal(globexRow?.outcome, "denied");
      assert.deepEqual(idsOf(globexRow), [globex]);
      assert.equal(rows.find((x) => x.tenant_id === env.fx.tenants.acme)?.outcome, "success");
      assert.equal(rows.length, 3);
    } finally {
      await withClient(env.db.url, (c) => c.query(`delete from public.tenant_settings where tenant_id = $1 and key = 'features.alert_triage'`, [env.fx.tenants.globex]));
    }
  });
});

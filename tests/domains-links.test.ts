// Links to a tenant use its primary host (issue 14 point 3: "so do
// invitations and links in emails"): its earliest verified custom domain (in
// grace included) when it has one, else its subdomain; a pending or unrouted
// domain is never linked. Against a real Postgres and a real SMTP server:
// the invitation email (lib/team/links.ts through lib/tenancy/origin.ts) and
// the health-change email (lib/health/notify.ts) as sent, and the SQL that
// alert and health notifications read the domain with (lib/domains
// primaryDomainSql, in the job's own service-role transaction).
import assert from "node:assert/strict";
import { after, before, beforeEach, describe, test } from "node:test";
import { withServiceRole } from "@/lib/db/service-role";
import { withTenant } from "@/lib/db/with-tenant";
import { primaryDomainSql } from "@/lib/domains/resolve";
import { notifyTransition } from "@/lib/health/notify";
import { runJobsUntilIdle } from "@/lib/jobs";
import { MAIL_TASK, registerMailDelivery } from "@/lib/mail/deliver";
import { setSettingValue } from "@/lib/settings";
import { inviteByEmail } from "@/lib/team/invite";
import { publicOriginForTenant } from "@/lib/tenancy/origin";
import { insertFixtures, type Fixtures } from "./helpers/fixtures";
import { linkIn, startSmtpServer, useSmtp, type TestSmtpServer } from "./helpers/smtp";
import { as } from "./helpers/sql";
import { createTestDatabase, withClient, type TestDatabase } from "./helpers/test-database";

let db: TestDatabase;
let fx: Fixtures;
let smtp: TestSmtpServer;

const owner = <T = Record<string, unknown>>(sql: string, params: unknown[] = []) => withClient(db.url, async (c) => (await c.query(sql, params)).rows as T[]);
const deliver = () => runJobsUntilIdle({ kinds: [MAIL_TASK] });

before(async () => {
  process.env.NEXTAUTH_SECRET = "domains-links-test-secret";
  db = await createTestDatabase();
  fx = await insertFixtures(db.url);
  smtp = await startSmtpServer();
  useSmtp(smtp);
  registerMailDelivery();
  // Acme: two verified domains (the earlier one is primary) and a pending one; acme-eu: one in grace;
  // acme-us: only an unrouted one; Globex: only a pending one.
  await owner(
    `insert into public.custom_domains (tenant_id, domain, skeleton, token, status, verified_at, missing_since) values
       ($1, 'soc.acme.test', 'soc.acme.test', 'links-token-acme-1-0123456789abcdef', 'verified', now() - interval '2 days', null),
       ($1, 'later.acme.test', 'later.acme.test', 'links-token-acme-2-0123456789abcdef', 'verified', now(), null),
       ($1, 'pending.acme.test', 'pending.acme.test', 'links-token-acme-3-0123456789abcdef', 'pending', null, null),
       ($2, 'eu.acme.test', 'eu.acme.test', 'links-token-acme-eu-0123456789abcdef', 'grace', now() - interval '3 days', now() - interval '1 hour'),
       ($3, 'us.acme.test', 'us.acme.test', 'links-token-acme-us-0123456789abcdef', 'unrouted', now() - interval '9 days', null),
       ($4, 'portal.globex.test', 'portal.globex.test', 'links-token-globex-0123456789abcdef', 'pending', null, null)`,
    [fx.tenants.acme, fx.tenants["acme-eu"], fx.tenants["acme-us"], fx.tenants.globex],
  );
});
after(async () => {
  await smtp?.stop();
  await db?.drop();
});
beforeEach(() => smtp.clear());

describe("links to a tenant with a custom domain", () => {
  test("the primary custom domain: the earliest verified or in grace; never a pending or unrouted one", async () => {
    const primary = await withServiceRole("tenancy.resolve-host", async (q) => {
      const { rows } = await q.$client.query<{ slug: string; domain: string | null }>(
        `select t.slug, ${primaryDomainSql("t.id")} as domain from public.tenants t where t.id = any($1) order by t.slug`,
        [[fx.tenants.acme, fx.tenants["acme-eu"], fx.tenants["acme-us"], fx.tenants.globex]],
      );
      return Object.fromEntries(rows.map((r) => [r.slug, r.domain]));
    });
    assert.deepEqual(primary, { acme: "soc.acme.test", "acme-eu": "eu.acme.test", "acme-us": null, globex: null });
    const acme = new URL(publicOriginForTenant("acme", primary.acme));
    assert.equal(acme.hostname, "soc.acme.test");
    assert.equal(new URL(publicOriginForTenant("globex", primary.globex)).hostname, "globex.localhost");
  });

  test("an invitation to a tenant with a verified domain links to that domain; without one, to its subdomain", async () => {
    for (const [tenant, host] of [
      ["acme", "soc.acme.test"],
      ["globex", "globex.localhost"],
    ] as const) {
      const email = `links.invitee.${tenant}@example.test`;
      await withTenant({ userId: fx.users.msspAdmin }, (tx) => inviteByEmail(tx.db, { tenantId: fx.tenants[tenant], email, role: "tenant_viewer", invitedBy: fx.users.msspAdmin, timeZone: "UTC" }));
      await deliver();
      const link = new URL(linkIn(await smtp.waitFor((m) => m.to === email && /invited/.test(m.subject))));
      assert.equal(link.hostname, host, tenant);
      assert.equal(link.pathname, "/invite");
      assert.match(link.hash, /^#token=/);
    }
  });

  test("a health-change email links to the tenant's custom domain", async () => {
    await as(fx, "acmeAdmin", (tx) => setSettingValue(tx, { tenantId: fx.tenants.acme, key: "notifications.emails", raw: "soc@acme.example.test" }));
    const queued = await withServiceRole("health.evaluate", (q) =>
      notifyTransition(q, {
        tenantId: fx.tenants.acme,
        id: "1",
        from: "healthy",
        to: "degraded",
        reasons: [{ kind: "collector", level: "degraded", reason: "Collector 'edr-east' silent for 15 min" }] as never,
        at: new Date(),
      }),
    );
    assert.equal(queued, 1);
    await deliver();
    const link = new URL(linkIn(await smtp.waitFor((m) => m.to === "soc@acme.example.test")));
    assert.equal(link.hostname, "soc.acme.test");
    assert.equal(link.pathname, "/status");
  });
});

// What a signed-in admin can write straight into public.jobs, public.invitations and public.api_keys
// through `authenticated` (SQL as them, a Supabase Data API), past the server actions:
//   - jobs (migration 20261201030800): only an MSSP admin queues, only a key rotation or a bulk run,
//     due at once. A customer's admin cannot park a 'vault.rotate-dek' or 'lifecycle.offboard' job
//     with run_after = 9999 that the MSSP's rotation and the offboarding would then join for ever;
//     an MSSP admin cannot choose run_after, status or result either. enqueueJob as an MSSP admin,
//     and the service path's scheduled jobs, still work.
//   - invitations (migration 20261201030810, lib/team/accept.ts): only the columns the invite
//     action writes, created now and expiring within 8 days; an invitation that skipped the action's
//     limits.users check cannot be accepted past the limit (clear message, nothing changed).
//   - API keys (migration 20261201030820): created_at, last use and revocation are not the
//     creator's to write, so the 366-day bound holds from the real creation time.
// Real Postgres with its RLS, grants and triggers, real Cerbos; each attempt is a withTenant transaction.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { createApiKey } from "@/lib/api/keys/store";
import { tenantResource } from "@/lib/authz";
import { BULK_JOB_KIND } from "@/lib/bulk";
import { withServiceRole } from "@/lib/db/service-role";
import type { TenantTx } from "@/lib/db/with-tenant";
import { EnqueueError, enqueueJob, enqueueServiceJob } from "@/lib/jobs";
import { OFFBOARD_KIND } from "@/lib/lifecycle/offboard";
import { issueCode } from "@/lib/mail";
import { acceptInvitationWithCode, userLimitReached } from "@/lib/team/accept";
import { TeamError } from "@/lib/team/errors";
import { inviteByEmail } from "@/lib/team/invite";
import { hashInviteToken, newInviteToken } from "@/lib/team/tokens";
import { ROTATE_DEK_KIND, ROTATE_KEK_KIND } from "@/lib/vault/rotation";
import { useFixtureEnv } from "./helpers/fixture-env";
import type { UserName } from "./helpers/fixtures";
import { asRolledBack, assertRefused, assertRows, attempt } from "./helpers/sql";

process.env.NEXTAUTH_SECRET ??= "direct-write-guards-test-secret";
const env = useFixtureEnv();

/** Each statement as `who`, in one rolled-back transaction: its outcome (a refusal rolls back only itself). */
const tryAs = (who: UserName, statements: [string, unknown[]][]) =>
  asRolledBack(env.fx, who, async (tx: TenantTx) => {
    const out = [];
    for (const [sql, params] of statements) out.push(await attempt(tx.client, sql, params));
    return out;
  });

describe("jobs", () => {
  test("a customer's admin cannot park a job that the MSSP's rotation or the offboarding would join", async () => {
    const acme = env.fx.tenants.acme;
    const outcomes = await tryAs("acmeAdmin", [
      // The audit's reproduction: a rotation due in the year 9999.
      ["insert into public.jobs (tenant_id, kind, run_after, created_by) values ($1, 'vault.rotate-dek', '9999-01-01', auth.uid())", [acme]],
      ["insert into public.jobs (tenant_id, kind, run_after, created_by) values ($1, 'lifecycle.offboard', '9999-01-01', auth.uid())", [acme]],
      // Not even due at once: a customer's admin queues no job at all.
      ["insert into public.jobs (tenant_id, kind, created_by) values ($1, 'vault.rotate-dek', auth.uid())", [acme]],
      ["insert into public.jobs (tenant_id, kind, created_by) values ($1, 'bulk.run', auth.uid())", [acme]],
    ]);
    for (const o of outcomes) assertRefused(o);
    await assert.rejects(
      env.as("acmeAdmin", (tx) => enqueueJob(tx, { tenantId: acme, kind: ROTATE_DEK_KIND })),
      (e: { code?: string }) => e.code === "42501",
    );
    assert.deepEqual(await env.owner("select kind from public.jobs where tenant_id = $1 and status in ('queued', 'running')", [acme]), []);

    // The MSSP's rotation and the offboarding each make their own job, due now.
    const rotation = await env.as("msspAdmin", (tx) => enqueueJob(tx, { tenantId: acme, kind: ROTATE_DEK_KIND }));
    assert.equal(rotation.created, true);
    assert.equal(rotation.job.createdBy, env.fx.users.msspAdmin);
    assert.ok(rotation.job.runAfter.getTime() <= Date.now() + 5_000, "due at once");
    const purgeAfter = new Date(Date.now() + 30 * 24 * 3600 * 1000);
    const offboard = await enqueueServiceJob({ tenantId: acme, kind: OFFBOARD_KIND, runAfter: purgeAfter });
    assert.equal(offboard.created, true, "the service path schedules its own job");
    assert.equal(offboard.job.runAfter.getTime(), purgeAfter.getTime());
    await env.owner("delete from public.jobs where tenant_id = $1", [acme]);
  });

  test("an MSSP admin queues only key rotations and bulk runs, as themselves, with none of the worker's columns", async () => {
    const acme = env.fx.tenants.acme;
    const outcomes = await tryAs("msspAdmin", [
      ["insert into public.jobs (tenant_id, kind, run_after, created_by) values ($1, 'vault.rotate-dek', '9999-01-01', auth.uid())", [acme]],
      ["insert into public.jobs (tenant_id, kind, created_by) values ($1, 'lifecycle.offboard', auth.uid())", [acme]],
      ["insert into public.jobs (tenant_id, kind, created_by) values ($1, 'test.anything', auth.uid())", [acme]],
      ["insert into public.jobs (tenant_id, kind, result, created_by) values ($1, 'vault.rotate-dek', '{}', auth.uid())", [acme]],
      ["insert into public.jobs (tenant_id, kind, started_at, created_by) values ($1, 'vault.rotate-dek', now(), auth.uid())", [acme]],
      ["insert into public.jobs (tenant_id, kind, status, created_by) values ($1, 'vault.rotate-dek', 'queued', auth.uid())", [acme]],
      ["insert into public.jobs (tenant_id, kind, created_by) values ($1, 'vault.rotate-dek', $2)", [acme, env.fx.users.acmeAdmin]],
      // Another MSSP's customer.
      ["insert into public.jobs (tenant_id, kind, created_by) values ($1, 'vault.rotate-dek', auth.uid())", [env.fx.tenants["other-co"]]],
    ]);
    for (const o of outcomes) assertRefused(o);
    // The kinds the app queues for people, named as lib/ names them: each one is accepted.
    const allowed = await asRolledBack(env.fx, "msspAdmin", async (tx) => [
      await enqueueJob(tx, { tenantId: acme, kind: ROTATE_DEK_KIND }),
      await enqueueJob(tx, { tenantId: env.fx.tenants["mssp-a"], kind: ROTATE_KEK_KIND, maxAttempts: 3 }),
      await enqueueJob(tx, { tenantId: env.fx.tenants["mssp-a"], kind: BULK_JOB_KIND, maxAttempts: 10 }),
    ]);
    assert.deepEqual(allowed.map((e) => e.created), [true, true, true]);
    // A person's job is never scheduled for later: the queue refuses before SQL does.
    await assert.rejects(
      asRolledBack(env.fx, "msspAdmin", (tx) => enqueueJob(tx, { tenantId: acme, kind: ROTATE_DEK_KIND, runAfter: new Date(Date.now() + 3_600_000) })),
      (e: Error) => e instanceof EnqueueError,
    );
  });
});

describe("invitations", () => {
  test("an admin's direct invitation takes only the columns the invite action writes, expiring within 8 days", async () => {
    const acme = env.fx.tenants.acme;
    const insert = (cols: string, values: string) => [
      `insert into public.invitations (tenant_id, email, role, token_hash, invited_by, ${cols})
       values ($1, 'direct-' || gen_random_uuid() || '@example.test', 'tenant_viewer', sha256(gen_random_uuid()::text::bytea), auth.uid(), ${values})`,
      [acme],
    ] as [string, unknown[]];
    const [tenYears, created, accepted, system, revoked, sevenDays] = await tryAs("acmeAdmin", [
      insert("expires_at", "now() + interval '10 years'"),
      insert("created_at, expires_at", "now() + interval '10 years', now() + interval '10 years 1 day'"),
      insert("expires_at, accepted_at", "now() + interval '7 days', now()"),
      insert("expires_at, issued_by_system", "now() + interval '7 days', true"),
      insert("expires_at, revoked_at", "now() + interval '7 days', null"),
      insert("expires_at", "now() + interval '7 days'"),
    ]);
    assertRefused(tenYears);
    assertRefused(created);
    assertRefused(accepted);
    assertRefused(system);
    assertRefused(revoked);
    assertRows(sevenDays, 1); // positive control: what the invite action writes

    // The invite action itself still works (7 days).
    const sent = await env.as("acmeAdmin", (tx) =>
      inviteByEmail(tx.db, { tenantId: acme, email: "through-the-action@example.test", role: "tenant_viewer", invitedBy: env.fx.users.acmeAdmin, timeZone: "UTC" }),
    );
    const days = (sent.expiresAt.getTime() - Date.now()) / (24 * 3600 * 1000);
    assert.ok(days > 6.9 && days <= 7, `expires in ${days} days`);
    await env.owner("delete from public.invitations where id = $1", [sent.id]);
  });

  test("an invitation that skipped the limit check cannot be accepted past limits.users; nothing changes", async () => {
    const acme = env.fx.tenants.acme;
    const [{ n: members }] = await env.owner<{ n: number }>("select count(*)::int as n from public.memberships where tenant_id = $1", [acme]);
    await env.owner("insert into public.tenant_settings (tenant_id, key, value) values ($1, 'limits.users', $2::jsonb)", [acme, String(members)]);
    // At the limit, the admin writes an invitation straight into the table (no requireUserCapacity).
    const { token } = newInviteToken();
    const email = "one-too-many@example.test";
    const [planted] = await env.as("acmeAdmin", async (tx) =>
      (
        await tx.client.query<{ id: string }>(
          `insert into public.invitations (tenant_id, email, role, token_hash, invited_by, expires_at)
           values ($1, $2, 'tenant_viewer', $3, auth.uid(), now() + interval '7 days') returning id`,
          [acme, email, hashInviteToken(token)],
        )
      ).rows,
    );
    const { code } = await withServiceRole("team.invitation", (db) => issueCode(db, { purpose: "invitation", subject: planted.id, email }));
    const state = async () => ({
      users: await env.owner("select id from public.users where email = $1", [email]),
      members: (await env.owner<{ n: number }>("select count(*)::int as n from public.memberships where tenant_id = $1", [acme]))[0].n,
      invitation: (await env.owner("select accepted_at, accepted_by, revoked_at from public.invitations where id = $1", [planted.id]))[0],
      audit: await env.owner("select seq from public.audit_log where tenant_id = $1 and action = 'team:accept-invite'", [acme]),
    });
    const before = await state();

    await assert.rejects(
      acceptInvitationWithCode(token, code, { kind: "new", name: "One too many", password: "a-long-invitee-password-2026" }),
      (e: Error) => e instanceof TeamError && e.message === userLimitReached("Tenant acme", members),
    );
    assert.deepEqual(await state(), before, "no account, no membership, the invitation still open, no audit row");

    // Positive control: with a place free, the same invitation and code are accepted.
    await env.owner("update public.tenant_settings set value = $2::jsonb where tenant_id = $1 and key = 'limits.users'", [acme, String(members + 1)]);
    const done = await acceptInvitationWithCode(token, code, { kind: "new", name: "Now there is room", password: "a-long-invitee-password-2026" });
    assert.equal(done.created, true);
    assert.equal((await state()).members, members + 1);
    await env.owner("delete from public.tenant_settings where tenant_id = $1 and key = 'limits.users'", [acme]);
  });
});

describe("API keys", () => {
  test("a key's creation time, last use and revocation are not the creator's to write; the 366-day bound holds", async () => {
    const acme = env.fx.tenants.acme;
    const insert = (cols: string, values: string) => [
      `insert into public.api_keys (tenant_id, id, name, secret_hash, scopes, created_by, ${cols})
       values ($1, gen_random_uuid(), 'direct', sha256(gen_random_uuid()::text::bytea), '{collectors:write}', auth.uid(), ${values})`,
      [acme],
    ] as [string, unknown[]];
    const [decade, lastUse, revoked, tooLong, year] = await tryAs("acmeAdmin", [
      // The audit's reproduction: created "in ten years", so a lifetime of one day passes the check.
      insert("created_at, expires_at", "now() + interval '10 years', now() + interval '10 years 1 day'"),
      insert("expires_at, last_used_at, last_used_ip", "now() + interval '30 days', now(), '192.0.2.1'"),
      insert("expires_at, revoked_at, revoked_by", "now() + interval '30 days', null, null"),
      insert("expires_at", "now() + interval '10 years'"),
      insert("expires_at", "now() + interval '365 days'"),
    ]);
    assertRefused(decade);
    assertRefused(lastUse);
    assertRefused(revoked);
    assertRefused(tooLong, "23514"); // the lifetime check, from the real creation time
    assertRows(year, 1); // positive control: what createApiKey writes

    const created = await env.as("acmeAdmin", async (tx) => {
      const resource = await tenantResource(tx.db, acme);
      assert.ok(resource);
      return createApiKey(tx, { tenant: resource, name: "through the action", scopes: ["alerts:read"], expiresInDays: 30 });
    });
    const [row] = await env.owner<{ created_at: Date; last_used_at: Date | null; revoked_at: Date | null }>(
      "select created_at, last_used_at, revoked_at from public.api_keys where id = $1",
      [created.id],
    );
    assert.ok(Math.abs(row.created_at.getTime() - Date.now()) < 60_000);
    assert.equal(row.last_used_at, null);
    assert.equal(row.revoked_at, null);
  });
});

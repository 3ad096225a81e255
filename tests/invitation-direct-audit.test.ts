// Every invitation an admin creates or revokes is in the audit trail exactly once, whichever way
// they did it (migration 20261201031800): through the portal's actions (lib/actions/guard.ts writes
// team:invite / team:resend-invite / team:revoke-invite), or straight through `authenticated` (SQL as
// them, a Supabase Data API), where the database writes the row at commit. A revoked invitation is
// not opened again, and its revocation time is the database's. The chains stay valid. Last: the
// migration's rollback brings the gap back (a direct invitation recorded nowhere), and it applies again.
// Real Postgres with its RLS, grants and triggers, real Cerbos.
// First: Next's request storage must be installed before any next/* module loads (helpers/actions).
import { callAction, loadAction, sessionCookie, type FormFields } from "./helpers/actions";
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { verifyAuditChains } from "@/lib/audit/verify";
import type { TenantTx } from "@/lib/db/with-tenant";
import { useFixtureEnv } from "./helpers/fixture-env";
import { asRolledBack, assertRefused, attempt } from "./helpers/sql";
import { withClient } from "./helpers/test-database";
import { migrationFile } from "./helpers/migration-files";

const env = useFixtureEnv();
const ACME_HOST = "acme.localhost:3000";
const MIGRATION = "20261201031800_invitation_writes_audited";

env.before(() => sessionCookie(env.person("acmeAdmin")));

interface Row {
  action: string;
  actor_id: string | null;
  target_id: string | null;
  details: Record<string, unknown>;
}

/** The audit rows naming `invitationId` (as target, or as the invitation a resend replaced). */
const rowsFor = (invitationId: string) =>
  env.owner<Row>(
    `select action, actor_id, target_id, details from public.audit_log
      where (target_type = 'invitation' and target_id = $1) or details ->> 'replaces' = $1
      order by seq`,
    [invitationId],
  );

/** An invitation written straight into the table as acme's admin (what the insert policy allows), committed. */
async function directInvite(email: string): Promise<string> {
  return env.as(
    "acmeAdmin",
    async (tx: TenantTx) =>
      (
        await tx.client.query<{ id: string }>(
          `insert into public.invitations (tenant_id, email, role, token_hash, invited_by, expires_at)
           values ($1, $2, 'tenant_viewer', decode(md5($2), 'hex'), auth.uid(), now() + interval '7 days') returning id`,
          [env.fx.tenants.acme, email],
        )
      ).rows[0].id,
  );
}

type Result = { ok: boolean; error?: string };
async function act(id: string, fields: FormFields): Promise<Result> {
  const result = (await callAction(await loadAction(id), { person: env.person("acmeAdmin"), host: ACME_HOST }, fields)) as Result;
  assert.ok(result.ok, JSON.stringify(result));
  return result;
}
const invitationOf = async (email: string) =>
  (await env.owner<{ id: string }>("select id from public.invitations where email = $1 and revoked_at is null", [email]))[0].id;

describe("invitations written straight through authenticated", () => {
  test("a direct invitation is recorded once, as its admin, at commit", async () => {
    const id = await directInvite("direct-audit-1@example.test");
    const rows = await rowsFor(id);
    assert.deepEqual(rows, [
      {
        action: "team:invite",
        actor_id: env.fx.users.acmeAdmin,
        target_id: id,
        details: { email: "direct-audit-1@example.test", role: "tenant_viewer", via: "direct_write" },
      },
    ]);
  });

  test("a direct revocation is recorded once, dated by the database; revoking again changes nothing; reopening is refused", async () => {
    const id = await directInvite("direct-audit-2@example.test");
    await env.as("acmeAdmin", (tx) => tx.client.query("update public.invitations set revoked_at = '2000-01-01' where id = $1", [id]));
    const [{ revoked_at: first }] = await env.owner<{ revoked_at: Date }>("select revoked_at from public.invitations where id = $1", [id]);
    assert.ok(Date.now() - first.getTime() < 60_000, `revoked now, not at the time written: ${first.toISOString()}`);
    await env.as("acmeAdmin", (tx) => tx.client.query("update public.invitations set revoked_at = now() + interval '1 day' where id = $1", [id]));
    const [{ revoked_at: again }] = await env.owner<{ revoked_at: Date }>("select revoked_at from public.invitations where id = $1", [id]);
    assert.equal(again.getTime(), first.getTime(), "revoking again keeps the first time");
    const reopened = await asRolledBack(env.fx, "acmeAdmin", (tx) => attempt(tx.client, "update public.invitations set revoked_at = null where id = $1", [id]));
    assertRefused(reopened);
    assert.deepEqual(
      (await rowsFor(id)).map((r) => [r.action, r.actor_id, r.details.via]),
      [
        ["team:invite", env.fx.users.acmeAdmin, "direct_write"],
        ["team:revoke-invite", env.fx.users.acmeAdmin, "direct_write"],
      ],
    );
  });

  test("a direct write that rolls back leaves no row", async () => {
    const before = await env.owner<{ n: number }>("select count(*)::int as n from public.audit_log");
    await asRolledBack(env.fx, "acmeAdmin", (tx) =>
      tx.client.query(
        `insert into public.invitations (tenant_id, email, role, token_hash, invited_by, expires_at)
         values ($1, 'direct-audit-rolled-back@example.test', 'tenant_viewer', decode(md5('rolled-back'), 'hex'), auth.uid(), now() + interval '7 days')`,
        [env.fx.tenants.acme],
      ),
    );
    assert.deepEqual(await env.owner("select count(*)::int as n from public.audit_log"), before);
  });
});

describe("invitations through the portal's actions", () => {
  test("invite, resend and revoke: one row each, the action's, none by the database", async () => {
    const email = "action-audit@example.test";
    await act("lib/actions/team/invite-member.ts#inviteMember", { tenantId: env.fx.tenants.acme, email, role: "tenant_viewer" });
    const first = await invitationOf(email);
    await act("lib/actions/team/resend-invitation.ts#resendInvitation", { tenantId: env.fx.tenants.acme, invitationId: first });
    const second = await invitationOf(email);
    assert.notEqual(second, first);
    await act("lib/actions/team/revoke-invitation.ts#revokeInvitation", { tenantId: env.fx.tenants.acme, invitationId: second });
    const rows = [...(await rowsFor(first)), ...(await rowsFor(second))];
    const seen = [...new Map(rows.map((r) => [JSON.stringify(r), r])).values()];
    assert.deepEqual(
      seen.map((r) => [r.action, r.target_id, r.details.via ?? null]),
      [
        ["team:invite", first, null],
        ["team:resend-invite", second, null],
        ["team:revoke-invite", second, null],
      ],
    );
    assert.ok(seen.every((r) => r.actor_id === env.fx.users.acmeAdmin));
  });

  test("the chains verify", async () => {
    const report = await verifyAuditChains();
    assert.ok(report.ok, JSON.stringify(report.breaks));
  });
});

describe("the migration's rollback", () => {
  const sqlOf = (dir: "migrations" | "rollbacks") => migrationFile(dir, MIGRATION);
  const triggers = () =>
    env.owner<{ tgname: string }>("select tgname from pg_trigger where tgrelid = 'public.invitations'::regclass and tgname like any ('{invitations_audited_%,invitations_revoke_guard}') order by 1");

  test("down: a direct invitation is recorded nowhere again; up: it is recorded", async () => {
    assert.equal((await triggers()).length, 3);
    await withClient(env.db.url, async (c) => c.query(await sqlOf("rollbacks")));
    assert.deepEqual(await triggers(), []);
    const unrecorded = await directInvite("direct-audit-after-rollback@example.test");
    assert.deepEqual(await rowsFor(unrecorded), [], "without the migration, nothing records it");
    await withClient(env.db.url, async (c) => c.query(await sqlOf("migrations")));
    assert.equal((await triggers()).length, 3);
    const recorded = await directInvite("direct-audit-after-reapply@example.test");
    assert.equal((await rowsFor(recorded)).length, 1);
  });
});

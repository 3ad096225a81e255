// Provisioning (issue 8, point 2) on the real Postgres and PDP: a customer
// under an MSSP and a site under a site, through the workflow's six steps;
// a double submission makes one tenant; bad input and the tree's rules are
// refused with nothing created; a worker SIGKILLed after each step's work
// (before the step is recorded) leaves the next worker to finish with one
// tenant, one key, one invitation.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { after, before, describe, test } from "node:test";
import pg from "pg";
import { verifyAuditChains } from "@/lib/audit/verify";
import { withServiceRole } from "@/lib/db/service-role";
import { registerJobHandler, runJobsUntilIdle } from "@/lib/jobs";
import { provisionTenant, PROVISION_KIND } from "@/lib/lifecycle/provision";
import { provisionHandler, PROVISION_STEPS } from "@/lib/lifecycle/provision-workflow";
import { provisionSchema } from "@/lib/lifecycle/schemas";
import { insertFixtures, type Fixtures } from "./helpers/fixtures";
import { createTestDatabase, type TestDatabase } from "./helpers/test-database";

let db: TestDatabase;
let fx: Fixtures;
let owner: pg.Client;

before(async () => {
  db = await createTestDatabase();
  fx = await insertFixtures(db.url);
  owner = new pg.Client({ connectionString: db.url });
  await owner.connect();
  registerJobHandler(PROVISION_KIND, provisionHandler());
});
after(async () => {
  await owner.end();
  await db.drop();
});

const lifecycle = <T>(fn: Parameters<typeof withServiceRole<T>>[1]) => withServiceRole("lifecycle.workflow", fn);

function request(slug: string, parent = fx.tenants["mssp-a"], extra: Record<string, unknown> = {}) {
  return provisionSchema.parse({ tenantId: parent, name: `Tenant ${slug}`, slug, adminEmail: `Admin@${slug}.example`, ...extra });
}

async function state(slug: string) {
  const { rows } = await owner.query(
    `select t.id, t.status, t.kind, t.plan, coalesce(settings.value_of(t.id, 'session.mfa_required') = 'true'::jsonb, false) as require_mfa, p.slug as parent,
            (select count(*)::int from public.tenant_settings ts where ts.tenant_id = t.id) as own_settings,
            (select count(*)::int from keyring.tenant_keys k where k.tenant_id = t.id and k.status = 'active') as keys,
            (select count(*)::int from public.invitations i where i.tenant_id = t.id and i.role = 'tenant_admin') as invitations,
            (select array_agg(s.status order by s.position) from public.job_steps s join public.jobs j on j.tenant_id = s.tenant_id and j.id = s.job_id
              where j.tenant_id = t.id and j.kind = $2) as steps
       from public.tenants t left join public.tenants p on p.id = t.parent_id where t.slug = $1`,
    [slug, PROVISION_KIND],
  );
  return rows[0];
}

describe("provisioning", () => {
  test("a customer under an MSSP runs every step and ends active, with its key, settings and first admin's invitation", async () => {
    // Set at the MSSP: the new customer inherits it (lib/settings), nothing is copied.
    await owner.query("insert into public.tenant_settings (tenant_id, key, value) values ($1, 'session.mfa_required', 'true')", [fx.tenants["mssp-a"]]);
    const p = await lifecycle((sdb) => provisionTenant(sdb, request("wayne", undefined, { plan: "enterprise" }), fx.users.msspAdmin));
    assert.equal(p.created, true);
    // The link is emailed by the workflow (lib/team/invite.ts), shown to nobody (issue 9, finding 3).
    assert.equal(p.invitationTo, "admin@wayne.example", "the form and the command say who gets it");
    assert.ok(!JSON.stringify(p.job.payload).includes("invite"), "no invitation token or hash in the job's payload");
    assert.equal((await state("wayne")).status, "provisioning");
    assert.deepEqual((await runJobsUntilIdle({ kinds: [PROVISION_KIND] })).outcomes, ["succeeded"]);
    const s = await state("wayne");
    assert.deepEqual(
      { status: s.status, kind: s.kind, plan: s.plan, mfa: s.require_mfa, own: s.own_settings, keys: s.keys, invitations: s.invitations, steps: s.steps },
      { status: "active", kind: "customer", plan: "enterprise", mfa: true, own: 0, keys: 1, invitations: 1, steps: PROVISION_STEPS.map(() => "succeeded") },
    );
    const { rows } = await owner.query("select email, invited_by, issued_by_system from public.invitations where tenant_id = $1", [s.id]);
    assert.deepEqual(rows[0], { email: "admin@wayne.example", invited_by: fx.users.msspAdmin, issued_by_system: false });
    // …and its email is in the outbox, in the same step's transaction, for the tenant.
    const mail = await owner.query("select recipient, template, status from mail.outbox where tenant_id = $1", [s.id]);
    assert.deepEqual(mail.rows, [{ recipient: "admin@wayne.example", template: "team.invitation", status: "queued" }]);
    const step = await owner.query("select output from public.job_steps where tenant_id = $1 and name = 'isolation'", [s.id]);
    assert.equal(step.rows[0].output.status, "rendered", "no cluster configured: rendered, not applied");
    // The invitation has its own row, naming it, who asked and the workflow (once: the database's own
    // check for unaudited invitations, migration 20261201031800, is for `authenticated` writes only).
    const audit = await owner.query(
      `select a.action, a.outcome, a.actor_id, a.target_type, a.target_id, a.details - 'mail_id' as details, a.details ? 'mail_id' as mailed
         from public.audit_log a where a.tenant_id = $1 order by a.seq`,
      [s.id],
    );
    const [invitation] = (await owner.query("select id from public.invitations where tenant_id = $1", [s.id])).rows;
    const job = (await owner.query("select id from public.jobs where tenant_id = $1 and kind = $2", [s.id, PROVISION_KIND])).rows[0];
    assert.deepEqual(audit.rows, [
      {
        action: "team:invite", outcome: "success", actor_id: fx.users.msspAdmin, target_type: "invitation", target_id: invitation.id,
        details: { email: "admin@wayne.example", role: "tenant_admin", via: "provisioning", job_id: job.id }, mailed: true,
      },
      {
        // The job's own row: the worker's (no actor), naming who queued it.
        action: "tenant.provisioned", outcome: "success", actor_id: null, target_type: "tenant", target_id: s.id,
        details: { ...audit.rows[1].details, slug: "wayne", job_id: job.id, queued_by: fx.users.msspAdmin }, mailed: false,
      },
    ]);
    const chain = await verifyAuditChains({ tenantSlug: "wayne" });
    assert.deepEqual([chain.ok, chain.rows, chain.breaks], [true, 2, []], "the chain holds");
  });

  test("a site under a site, any depth, inherits its parent's plan", async () => {
    // The form's "same as its parent" sends an empty plan.
    await lifecycle((sdb) => provisionTenant(sdb, request("acme-eu-lab", fx.tenants["acme-eu"], { plan: "" }), fx.users.msspAdmin));
    await runJobsUntilIdle({ kinds: [PROVISION_KIND] });
    const s = await state("acme-eu-lab");
    assert.deepEqual([s.kind, s.parent, s.status, s.plan], ["site", "acme-eu", "active", "standard"]);
  });

  test("a double submission makes one tenant and answers with the first one's workflow", async () => {
    const first = await lifecycle((sdb) => provisionTenant(sdb, request("twice"), fx.users.msspAdmin));
    const second = await lifecycle((sdb) => provisionTenant(sdb, request("twice"), fx.users.msspAdmin));
    assert.equal(second.created, false);
    assert.equal(second.tenant.id, first.tenant.id);
    assert.equal(second.job.id, first.job.id);
    assert.equal(second.invitationTo, first.invitationTo);
    const both = await Promise.allSettled([
      lifecycle((sdb) => provisionTenant(sdb, request("race"), fx.users.msspAdmin)),
      lifecycle((sdb) => provisionTenant(sdb, request("race"), fx.users.msspAdmin)),
    ]);
    assert.ok(both.some((r) => r.status === "fulfilled"));
    const { rows } = await owner.query("select count(*)::int as n from public.tenants where slug = 'race'");
    assert.equal(rows[0].n, 1);
    assert.deepEqual((await runJobsUntilIdle({ kinds: [PROVISION_KIND] })).outcomes, ["succeeded", "succeeded"]);
  });

  test("bad input and the tree's rules are refused, with nothing created", async () => {
    for (const slug of ["www", "api", "admin", "console", "app", "mail", "static"]) {
      const parsed = provisionSchema.safeParse({ tenantId: fx.tenants["mssp-a"], name: "X", slug, adminEmail: "a@b.example" });
      assert.equal(parsed.success, false, slug);
      assert.match(parsed.error!.issues[0].message, /reserved/);
    }
    for (const slug of ["Acme", "a", "acme--x", "-acme", "acme_x", "x".repeat(64)]) {
      assert.equal(provisionSchema.safeParse({ tenantId: fx.tenants["mssp-a"], name: "X", slug, adminEmail: "a@b.example" }).success, false, slug);
    }
    const before = (await owner.query("select count(*)::int as n from public.tenants")).rows[0].n;
    await assert.rejects(lifecycle((sdb) => provisionTenant(sdb, request("acme"), fx.users.msspAdmin)), /"acme" is taken/);
    await assert.rejects(
      lifecycle((sdb) => provisionTenant(sdb, request("orphan", "00000000-0000-4000-8000-000000000000"), fx.users.msspAdmin)),
      /does not exist/,
    );
    await owner.query("update public.tenants set status = 'suspended' where id = $1", [fx.tenants.globex]);
    await assert.rejects(lifecycle((sdb) => provisionTenant(sdb, request("under-suspended", fx.tenants.globex), fx.users.msspAdmin)), /active tenants only/);
    await owner.query("update public.tenants set status = 'active' where id = $1", [fx.tenants.globex]);
    // A site of a customer being offboarded keeps its own "active": a new site under it is refused all the same.
    await owner.query("update public.tenants set status = 'deprovisioning' where id = $1", [fx.tenants.acme]);
    await assert.rejects(
      lifecycle((sdb) => provisionTenant(sdb, request("under-offboarding", fx.tenants["acme-eu"]), fx.users.msspAdmin)),
      /below .*, which is deprovisioning: new tenants go under active tenants only/,
    );
    await owner.query("update public.tenants set status = 'active' where id = $1", [fx.tenants.acme]);
    assert.equal((await owner.query("select count(*)::int as n from public.tenants")).rows[0].n, before);
  });
});

describe("a worker killed after each step", () => {
  for (const step of PROVISION_STEPS) {
    test(`after "${step}": the next worker finishes with one tenant, one key, one invitation`, async () => {
      const slug = `killed-${step}`;
      await lifecycle((sdb) => provisionTenant(sdb, request(slug), fx.users.msspAdmin));
      const child = spawn(process.execPath, ["--import", "tsx", "tests/helpers/lifecycle-worker.ts"], {
        env: { ...process.env, DATABASE_URL: db.appUrl, KILL_AFTER_STEP: step, LOG_LEVEL: "silent", JOBS_WORKER_STALE_MS: "60000" },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let output = "";
      child.stdout.on("data", (d) => (output += d));
      child.stderr.on("data", (d) => (output += d));
      const exit = await new Promise<NodeJS.Signals | null>((resolve) => child.on("exit", (_c, signal) => resolve(signal)));
      assert.equal(exit, "SIGKILL", output);
      const dead = await state(slug);
      const at = PROVISION_STEPS.indexOf(step);
      assert.equal(dead.steps[at], "running", "the killed step is not recorded as done");
      // Time passes: the dead worker's heartbeat goes stale.
      await owner.query("update jobs_engine.workers set last_seen = now() - interval '1 hour'");
      await owner.query("update graphile_worker._private_jobs set locked_at = now() - interval '1 hour' where locked_by is not null");
      assert.deepEqual((await runJobsUntilIdle({ kinds: [PROVISION_KIND] })).outcomes, ["succeeded"]);
      const s = await state(slug);
      assert.deepEqual([s.status, s.keys, s.invitations], ["active", 1, 1]);
      const invites = await owner.query("select count(*)::int as n from public.audit_log where tenant_id = $1 and action = 'team:invite'", [s.id]);
      assert.equal(invites.rows[0].n, 1, "one audit row for the one invitation, whichever step the worker died after");
      assert.ok(s.steps.every((x: string) => x === "succeeded"));
      const attempts = await owner.query("select name, attempts from public.job_steps where tenant_id = $1 order by position", [s.id]);
      for (const r of attempts.rows) assert.equal(r.attempts, PROVISION_STEPS.indexOf(r.name) === at ? 2 : 1, r.name);
    });
  }
});

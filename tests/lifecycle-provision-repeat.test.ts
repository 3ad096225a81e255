// "New customer" submitted again for a tenant still being provisioned, through
// the real action (session, host, RLS, the PDP, the audit row) on a real
// Postgres: a true repeat (same parent, name, address, first admin ignoring
// case, plan) answers with the first tenant and its workflow and names the
// address that workflow will invite (its job's payload), while a corrected
// first admin's email or a changed plan is refused, naming what the first
// submission asked for, with nothing changed: answering it with the first job
// said "the invitation goes to <corrected>" while the workflow mailed the
// first (mistyped) address, perhaps someone else's, control of the tenant.
import { callAction, enrolMfa, loadAction } from "./helpers/actions";
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { PROVISION_KIND } from "@/lib/lifecycle/provision";
import { useFixtureEnv } from "./helpers/fixture-env";

const CONSOLE = "localhost:3000";
const env = useFixtureEnv();

env.before(() => enrolMfa(env.person("msspAdmin")));

interface Result {
  ok: boolean;
  error?: string;
  message?: string;
  data?: { tenantId: string; jobId: string; invitationTo: string; created: boolean };
}

const submit = async (slug: string, adminEmail: string, plan = "") =>
  (await callAction(await loadAction("lib/actions/lifecycle/provision-tenant.ts#provisionTenant"), { person: env.person("msspAdmin"), host: CONSOLE }, {
    tenantId: env.fx.tenants["mssp-a"],
    name: `Customer ${slug}`,
    slug,
    plan,
    adminEmail,
  })) as Result;

/** The tenant's rows: itself, its provisioning jobs (their payloads' first admin) and the audit rows about it. */
async function rowsOf(slug: string) {
  const tenants = await env.owner<{ id: string; plan: string }>("select id, plan from public.tenants where slug = $1", [slug]);
  const jobs = await env.owner<{ id: string; admin: string }>("select id, payload->>'adminEmail' as admin from public.jobs where tenant_id = $1 and kind = $2", [
    tenants[0]?.id,
    PROVISION_KIND,
  ]);
  const audit = await env.owner<{ outcome: string; admin: string | null }>(
    "select outcome, details->>'admin_email' as admin from public.audit_log where action = 'tenant.provision-requested' and details->>'slug' = $1 order by occurred_at, seq",
    [slug],
  );
  return { tenants, jobs, audit };
}

describe("provisioning submitted again", () => {
  test("a corrected first admin's email is refused, naming the address the workflow invites; nothing changes", async () => {
    const first = await submit("typo-co", "it.admin@typo-co.exmaple");
    assert.ok(first.ok && first.data?.created, JSON.stringify(first));
    const before = await rowsOf("typo-co");
    const second = await submit("typo-co", "it.admin@typo-co.example");
    assert.equal(second.ok, false, `accepted as a repeat: ${JSON.stringify(second)}`);
    assert.match(second.error ?? "", /already being provisioned, with its first admin's invitation going to it\.admin@typo-co\.exmaple; nothing was changed/);
    assert.ok(!JSON.stringify(second).includes("it.admin@typo-co.example"), "never says the corrected address is invited");
    const after = await rowsOf("typo-co");
    assert.deepEqual(after.tenants, before.tenants);
    assert.deepEqual(after.jobs, [{ id: first.data!.jobId, admin: "it.admin@typo-co.exmaple" }], "one workflow, still the first address");
    // The refusal's "denied" row names the parent, not the slug: no second row about the customer.
    assert.deepEqual(
      after.audit.map((a) => [a.outcome, a.admin]),
      [["success", "it.admin@typo-co.exmaple"]],
      "no success row recording the corrected address",
    );
  });

  test("a changed isolation plan is refused, not silently dropped", async () => {
    const first = await submit("plan-co", "admin@plan-co.example", "starter");
    assert.ok(first.ok, JSON.stringify(first));
    const second = await submit("plan-co", "admin@plan-co.example", "enterprise");
    assert.equal(second.ok, false, JSON.stringify(second));
    assert.match(second.error ?? "", /already being provisioned, with the Starter isolation plan; nothing was changed/);
    const defaulted = await submit("plan-co", "admin@plan-co.example");
    assert.equal(defaulted.ok, false, "the default plan (Standard) is another plan too");
    const rows = await rowsOf("plan-co");
    assert.deepEqual([rows.tenants.map((t) => t.plan), rows.jobs.length], [["starter"], 1]);
  });

  test("a true repeat (the email in another case) answers with the first tenant, its workflow and its job's address", async () => {
    const first = await submit("twice-co", "Admin@Twice-Co.example", "enterprise");
    assert.ok(first.ok, JSON.stringify(first));
    const second = await submit("twice-co", "ADMIN@twice-co.EXAMPLE", "enterprise");
    assert.ok(second.ok, JSON.stringify(second));
    assert.deepEqual(
      [second.data?.created, second.data?.tenantId, second.data?.jobId, second.data?.invitationTo],
      [false, first.data?.tenantId, first.data?.jobId, "admin@twice-co.example"],
    );
    const rows = await rowsOf("twice-co");
    assert.equal(rows.jobs.length, 1);
    assert.deepEqual(
      rows.audit.map((a) => [a.outcome, a.admin]),
      [
        ["success", "admin@twice-co.example"],
        ["success", "admin@twice-co.example"],
      ],
    );
  });
});

// A removal's answer is said away from its row (the row is gone: its list
// says it, components/ui/row-removals.tsx), so it names what was removed:
// "Member removed." above a list told an admin nothing. Through
// the real actions as Acme's admin on Acme's host, with the matrix's own
// valid inputs (tests/helpers/action-specs.ts).
// First: installs Next's request storage before any next/* module loads (see the helper).
import { ownerQuery } from "./helpers/actions";
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { hostOf, isTenantSpec, runAs, SPECS, type Env } from "./helpers/action-specs";
import { startActionEnv, type ActionEnv } from "./helpers/action-env";

let running: ActionEnv;
let env: Env;
before(async () => {
  running = await startActionEnv({ vendorStub: true, mfa: ["msspAdmin"], signedIn: ["msspAdmin", "acmeAdmin"] });
  env = running.env;
});
after(() => running?.stop());

type Result = { ok: boolean; error?: string; message?: string };

/** The matrix's valid form for the action on Acme, then the action run as Acme's admin on Acme's host. */
async function validOnAcme(actionId: string): Promise<Record<string, string>> {
  const spec = SPECS[actionId];
  assert.ok(isTenantSpec(spec));
  return (await spec.valid(env, "acme")) as Record<string, string>;
}
async function removeAsAcmeAdmin(actionId: string, fields: Record<string, string>): Promise<Result> {
  const result = (await runAs(env, actionId, { person: env.person("acmeAdmin"), host: hostOf("acme") }, fields)) as Result;
  assert.equal(result.ok, true, result.error);
  return result;
}
const one = async <T extends Record<string, unknown>>(sql: string, params: unknown[]) => (await ownerQuery<T>(env.url, sql, params))[0];

describe("a removal's message names what it removed", () => {
  test("a member: their address", async () => {
    const id = "lib/actions/team/remove-member.ts#removeMember";
    const fields = await validOnAcme(id);
    const { email } = await one<{ email: string }>("select email from public.users where id = $1", [fields.userId]);
    assert.equal((await removeAsAcmeAdmin(id, fields)).message, `${email} removed.`);
  });

  test("a custom domain: its name", async () => {
    const id = "lib/actions/domains/remove-domain.ts#removeDomain";
    const fields = await validOnAcme(id);
    const { domain } = await one<{ domain: string }>("select domain from public.custom_domains where id = $1", [fields.domainId]);
    assert.equal((await removeAsAcmeAdmin(id, fields)).message, `${domain} removed. The portal no longer answers on it.`);
  });

  test("a credential: what it is and its name", async () => {
    const id = "lib/actions/credentials/delete-credential.ts#deleteCredential";
    const fields = await validOnAcme(id);
    const result = await removeAsAcmeAdmin(id, fields);
    const audit = await one<{ details: { name: string } }>("select details from public.audit_log where action = 'credential.deleted' and target_id = $1", [fields.credentialId]);
    assert.equal(result.message, `Credential "${audit.details.name}" deleted.`);
  });

  test("an invitation: to whom", async () => {
    const id = "lib/actions/team/revoke-invitation.ts#revokeInvitation";
    const fields = await validOnAcme(id);
    const { email } = await one<{ email: string }>("select email from public.invitations where id = $1", [fields.invitationId]);
    assert.equal((await removeAsAcmeAdmin(id, fields)).message, `The invitation to ${email} is revoked: its link no longer works.`);
  });

  test("a report schedule: which report, how often, for which tenant", async () => {
    const id = "lib/actions/reports/delete-schedule.ts#deleteSchedule";
    const fields = await validOnAcme(id);
    const s = await one<{ kind: string; cadence: string; name: string }>(
      "select s.kind, s.cadence, t.name from public.report_schedules s join public.tenants t on t.id = s.tenant_id where s.id = $1",
      [fields.scheduleId],
    );
    const kind = s.kind === "executive" ? "Executive summary" : "Operational report";
    assert.equal((await removeAsAcmeAdmin(id, fields)).message, `The ${s.cadence} ${kind} of ${s.name} is no longer scheduled. Reports already made stay.`);
  });

  test("a group member: who, and from which group", async () => {
    const id = "lib/actions/groups/remove-group-member.ts#removeGroupMember";
    const fields = await validOnAcme(id);
    const g = await one<{ group: string; person: string }>(
      "select g.name as group, coalesce(nullif(u.name, ''), u.email) as person from public.assignee_groups g, public.users u where g.id = $1 and u.id = $2",
      [fields.groupId, fields.userId],
    );
    assert.equal((await removeAsAcmeAdmin(id, fields)).message, `${g.person} removed from "${g.group}".`);
  });

  test("a saved view: its name; one already gone says so", async () => {
    const id = "lib/actions/alerts/saved-filters.ts#deleteAlertFilter";
    const name = `Open criticals ${Date.now()}`;
    const { id: filterId } = await one<{ id: string }>(
      "insert into public.alert_saved_filters (tenant_id, user_id, name, query) values ($1, $2, $3, '?severity=critical&status=open') returning id",
      [env.fx.tenants.acme, env.fx.users.acmeAdmin, name],
    );
    const fields = { tenantId: env.fx.tenants.acme, filterId };
    assert.equal((await removeAsAcmeAdmin(id, fields)).message, `Saved view "${name}" deleted.`);
    assert.equal((await removeAsAcmeAdmin(id, fields)).message, "That saved view was already gone.");
  });
});

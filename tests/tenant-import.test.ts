// Importing a legacy single-tenant install (lib/lifecycle/archive/import.ts)
// into a newly provisioned tenant, on real Postgres:
//   - a dry run reports what would be created and every rejected row by file,
//     line, field and reason, and writes nothing;
//   - the real run creates exactly that: accounts for portable hashes,
//     invitations for the rest, each emailed through the outbox in the same
//     transaction (the report names the address, never a link or token),
//     memberships, assets, alerts linked to their asset and assignee;
//   - a dry run queues no mail;
//   - the emailed invitation is accepted with the mailed code (issued by the
//     system: an operator's command has no inviter whose right could lapse);
//   - running it again creates nothing, mails nothing and changes nothing.
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { verifyAuditChains } from "@/lib/audit/verify";
import { runJobsUntilIdle } from "@/lib/jobs";
import { ArchiveError, importLegacyData, type ImportReport } from "@/lib/lifecycle/archive";
import { MAIL_TASK, registerMailDelivery } from "@/lib/mail/deliver";
import { acceptInvitationWithCode, sendInvitationCode } from "@/lib/team/accept";
import { emailOf, insertFixtures, type Fixtures } from "./helpers/fixtures";
import { codeIn, linkIn, startSmtpServer, useSmtp, type TestSmtpServer } from "./helpers/smtp";
import { createTestDatabase, withClient, type TestDatabase } from "./helpers/test-database";

const ARGON = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA";

const USERS_CSV = [
  "Email,Name,Role,Password_Hash",
  `ann@legacy.test,"Lovelace, Ann",admin,"${ARGON}"`, // line 2: account from its hash (quoted: it holds commas)
  `bob@legacy.test,"Bob ""the builder""`, // line 3: a quoted name spanning two lines
  `Jones",analyst,`, // (line 4, same record): no hash: invited
  "not-an-email,Carl,viewer,", // line 5: rejected (email)
  `dan@legacy.test,Dan,viewer,$2b$12$abcdefghijklmnopqrstuu5Rlf2J7Ns3kP9O2i5fN4FjH8e1GWwW2`, // line 6: rejected (bcrypt)
  `${emailOf("globexAdmin")},Globex Admin,viewer,`, // line 7: an account that exists already: invited, never attached
  "eve@legacy.test,Eve,owner,", // line 8: rejected (role)
  "",
].join("\r\n");

const ASSETS_JSON = `[
  {"hostname": "WEB-01.corp", "ip_address": "10.0.0.5", "kind": "Server", "criticality": "high"},
  {"hostname": "db-01.corp", "os": "linux", "last_seen_at": "2026-11-01T10:00:00Z"},
  {"hostname": "bad", "ip_address": "10.0.0.300"},
  {"ip_address": "10.0.0.7"}
]`;

const ALERTS_NDJSON = [
  `{"external_id": "L-1", "title": "Beacon to C2", "severity": "Critical", "source": "edr", "hostname": "web-01.corp", "assigned_to": "ann@legacy.test", "detected_at": "2026-11-02T08:00:00Z"}`,
  `{"title": "Brute force", "severity": "medium", "source": "siem", "rule_name": "ssh-bf", "detected_at": "2026-11-03T09:30:00Z", "status": "False Positive"}`,
  `{"external_id": "L-3", "title": "Odd login", "severity": "urgent", "source": "idp", "detected_at": "2026-11-04T00:00:00Z"}`,
  `{"external_id": "L-4", "title": "Cut short", "severity": "low"`,
  "",
].join("\n");

let db: TestDatabase;
let fx: Fixtures;
let dir: string;
let tenantId: string;
let smtp: TestSmtpServer;

before(async () => {
  db = await createTestDatabase();
  smtp = await startSmtpServer();
  useSmtp(smtp);
  registerMailDelivery();
  fx = await insertFixtures(db.url);
  tenantId = await withClient(db.url, async (c) => {
    const { rows } = await c.query("insert into public.tenants (parent_id, slug, name, kind) values ($1, 'legacy-co', 'Legacy Co', 'customer') returning id", [
      fx.tenants["mssp-a"],
    ]);
    return rows[0].id;
  });
  dir = await mkdtemp(path.join(os.tmpdir(), "legacy-"));
  await writeFile(path.join(dir, "users.csv"), USERS_CSV);
  await writeFile(path.join(dir, "assets.json"), ASSETS_JSON);
  await writeFile(path.join(dir, "alerts.ndjson"), ALERTS_NDJSON);
});

after(async () => {
  await smtp.stop();
  await db.drop();
  await rm(dir, { recursive: true, force: true });
});

const state = () =>
  withClient(db.url, async (c) => {
    const q = async (sql: string) => (await c.query(sql, [tenantId])).rows;
    return {
      memberships: await q("select u.email, m.role from public.memberships m join public.users u on u.id = m.user_id where m.tenant_id = $1 order by 1"),
      invitations: await q("select email, role, invited_by, issued_by_system from public.invitations where tenant_id = $1 order by 1"),
      // Every queued message of this tenant, whatever its delivery state.
      mail: await q("select recipient, template from mail.outbox where tenant_id = $1 order by created_at"),
      assets: await q("select id, hostname, host(ip_address) as ip_address, kind, criticality, os from public.assets where tenant_id = $1 order by hostname"),
      alerts: await q(
        `select a.id, a.title, a.severity, a.status, a.hostname, a.asset_id is not null as linked, u.email as assignee
           from public.alerts a left join public.users u on u.id = a.assigned_to where a.tenant_id = $1 order by a.title`,
      ),
      users: (await c.query("select count(*)::int as n from public.users")).rows[0].n,
      allMail: (await c.query("select count(*)::int as n from mail.outbox")).rows[0].n,
    };
  });

const EXPECTED_REJECTED = [
  { file: "alerts.ndjson", line: 3, field: "severity", reason: "one of critical, high, medium, low, info" },
  { file: "alerts.ndjson", line: 4, field: null },
  { file: "assets.json", line: 4, field: "ip_address", reason: "not an IP address" },
  { file: "assets.json", line: 5, field: "hostname", reason: "required" },
  { file: "users.csv", line: 5, field: "email", reason: "not an email address" },
  { file: "users.csv", line: 6, field: "password_hash" },
  { file: "users.csv", line: 8, field: "role", reason: "one of admin, analyst, viewer" },
];

/** No link and no token anywhere in the report: it is shown on the page and printed on the console. */
function assertNoToken(report: ImportReport) {
  assert.doesNotMatch(JSON.stringify(report), /invite#token=|token=/);
  assert.doesNotMatch(JSON.stringify(report), /https?:\/\//);
}

function assertRejected(report: ImportReport) {
  const got = [...report.rejected].sort((a, b) => (a.file === b.file ? a.line - b.line : a.file < b.file ? -1 : 1));
  assert.equal(got.length, EXPECTED_REJECTED.length, JSON.stringify(got, null, 1));
  EXPECTED_REJECTED.forEach((want, i) => {
    for (const [k, v] of Object.entries(want)) assert.equal(got[i][k as keyof typeof want], v, `${want.file}:${want.line} ${k}`);
  });
  assert.match(got.find((r) => r.file === "users.csv" && r.line === 6)!.reason, /only argon2id hashes/);
  assert.match(got.find((r) => r.file === "alerts.ndjson" && r.line === 4)!.reason, /not valid JSON|cut short/);
}

test("a dry run reports what would be created and every rejected row, and writes nothing", async () => {
  const before = await state();
  const report = await importLegacyData({ slug: "legacy-co", from: dir, dryRun: true });
  assert.equal(report.dryRun, true);
  assert.deepEqual(report.users.created, ["ann@legacy.test"]);
  assert.deepEqual(report.users.invited, ["bob@legacy.test", emailOf("globexAdmin")]);
  assert.equal(report.users.existing, 0);
  assert.deepEqual(report.assets, { created: 2, existing: 0 });
  assert.deepEqual(report.alerts, { created: 2, existing: 0 });
  assertNoToken(report);
  assertRejected(report);
  const now = await state();
  assert.deepEqual(now, before);
  assert.equal(now.allMail, 0, "a dry run queues no mail");
});

test("the import creates exactly that; running it again creates nothing", async () => {
  const first = await importLegacyData({ slug: "legacy-co", from: dir, via: "test" });
  assert.deepEqual(first.users.created, ["ann@legacy.test"]);
  assert.equal(first.users.membershipsAdded, 1);
  assert.deepEqual(first.users.invited, ["bob@legacy.test", emailOf("globexAdmin")]);
  // The invitation's link lives only in the email (issue 9, finding 3): not in what the operator sees.
  assertNoToken(first);
  assertRejected(first);
  const after = await state();
  // Globex's admin already has an account: invited, not made a member by the file (their consent first).
  assert.deepEqual(after.memberships, [{ email: "ann@legacy.test", role: "tenant_admin" }]);
  // An operator's command: issued by the system, as a provisioning command's first admin is.
  assert.deepEqual(after.invitations, [
    { email: "bob@legacy.test", role: "tenant_analyst", invited_by: null, issued_by_system: true },
    { email: emailOf("globexAdmin"), role: "tenant_viewer", invited_by: null, issued_by_system: true },
  ]);
  // Queued with the import, for this tenant, in the invitation template: one per invited address, none for new accounts.
  assert.deepEqual([...after.mail].sort((a, b) => (a.recipient < b.recipient ? -1 : 1)), [
    { recipient: "bob@legacy.test", template: "team.invitation" },
    { recipient: emailOf("globexAdmin"), template: "team.invitation" },
  ]);
  assert.equal(after.allMail, 2);
  assert.deepEqual(after.assets.map((a) => [a.hostname, a.ip_address, a.kind, a.criticality, a.os]), [
    ["db-01.corp", null, "workstation", "medium", "linux"],
    ["web-01.corp", "10.0.0.5", "server", "high", "unknown"],
  ]);
  assert.deepEqual(after.alerts.map((a) => [a.title, a.severity, a.status, a.linked, a.assignee]), [
    ["Beacon to C2", "critical", "new", true, "ann@legacy.test"],
    ["Brute force", "medium", "false_positive", false, null],
  ]);

  const again = await importLegacyData({ slug: "legacy-co", from: dir });
  assert.deepEqual(again.users, { created: [], invited: [], existing: 3, membershipsAdded: 0 });
  assert.deepEqual(again.assets, { created: 0, existing: 2 });
  assert.deepEqual(again.alerts, { created: 0, existing: 2 });
  assert.deepEqual(await state(), after, "the open invitation is left as it is, and not mailed again");
  const audit = await withClient(db.url, (c) => c.query("select count(*)::int as n from public.audit_log where tenant_id = $1 and action = 'tenant.imported'", [tenantId]));
  assert.equal(audit.rows[0].n, 2);
  // Each invitation has its own row, once (the second run invited no one): naming it, the address, the
  // role and the workflow; the system's (no actor) for an operator's command.
  const invites = await withClient(db.url, (c) =>
    c.query(
      `select a.actor_id, a.target_id = i.id::text as names_it, a.details - 'mail_id' as details, a.details ? 'mail_id' as mailed
         from public.audit_log a join public.invitations i on i.tenant_id = a.tenant_id and i.email = a.details ->> 'email'
        where a.tenant_id = $1 and a.action = 'team:invite' and a.outcome = 'success' order by a.details ->> 'email'`,
      [tenantId],
    ),
  );
  assert.deepEqual(
    invites.rows,
    ["bob@legacy.test", emailOf("globexAdmin")].sort().map((email) => ({
      actor_id: null,
      names_it: true,
      details: { email, role: email === "bob@legacy.test" ? "tenant_analyst" : "tenant_viewer", via: "import", import_via: "test" },
      mailed: true,
    })),
  );
  assert.deepEqual(((await verifyAuditChains({ tenantSlug: "legacy-co" })).breaks), [], "the chain holds");
});

test("the imported user gets the email, and joins with its link and the mailed code", async () => {
  await runJobsUntilIdle({ kinds: [MAIL_TASK] });
  const mail = await smtp.waitFor((m) => m.to === "bob@legacy.test" && /invited to join Legacy Co/.test(m.subject));
  const link = new URL(linkIn(mail));
  assert.equal(`${link.origin}${link.pathname}`, "http://legacy-co.localhost:3000/invite");
  const token = new URLSearchParams(link.hash.slice(1)).get("token")!;
  assert.match(token, /^[A-Za-z0-9_-]{43}$/);
  assert.equal((await sendInvitationCode(token)).status, "sent");
  await runJobsUntilIdle({ kinds: [MAIL_TASK] });
  const code = codeIn(await smtp.waitFor((m) => m.to === "bob@legacy.test" && /code/i.test(m.subject)));
  const joined = await acceptInvitationWithCode(token, code, { kind: "new", name: "Bob Jones", password: "a-long-imported-password-2026" });
  assert.deepEqual([joined.email, joined.tenantId, joined.role, joined.created], ["bob@legacy.test", tenantId, "tenant_analyst", true]);
  const { memberships } = await state();
  assert.ok(memberships.some((m) => m.email === "bob@legacy.test" && m.role === "tenant_analyst"));
});

test("an address too long to mail is rejected as a row, not by the mail queue", async () => {
  const long = await mkdtemp(path.join(os.tmpdir(), "legacy-long-"));
  await writeFile(path.join(long, "users.csv"), `email,role\n${"a".repeat(250)}@x.test,viewer\nok@legacy.test,viewer\n`);
  const report = await importLegacyData({ slug: "legacy-co", from: long, dryRun: true });
  assert.deepEqual(report.rejected.map((r) => [r.line, r.field, r.reason]), [[2, "email", "at most 254 characters"]]);
  assert.deepEqual(report.users.invited, ["ok@legacy.test"]);
  await rm(long, { recursive: true });
});

test("an unknown tenant, an MSSP or an empty directory is refused", async () => {
  await assert.rejects(importLegacyData({ slug: "nope", from: dir }), (e: ArchiveError) => e.code === "not-found" && /no tenant/.test(e.message));
  await assert.rejects(importLegacyData({ slug: "mssp-a", from: dir }), /is an MSSP/);
  const empty = await mkdtemp(path.join(os.tmpdir(), "legacy-empty-"));
  await assert.rejects(importLegacyData({ slug: "legacy-co", from: empty }), /no users, assets or alerts file/);
  await rm(empty, { recursive: true });
});

test("a site of a customer being offboarded is refused from the CLI path too, and nothing is written", async () => {
  // The offboarding workflow purges the customer's whole subtree: rows imported into a site below it would go with it.
  const acmeEu = fx.tenants["acme-eu"];
  const count = () => withClient(db.url, async (c) => (await c.query("select count(*)::int as n from public.assets where tenant_id = $1", [acmeEu])).rows[0].n);
  const before = await count();
  await withClient(db.url, (c) => c.query("update public.tenants set status = 'deprovisioning' where id = $1", [fx.tenants.acme]));
  try {
    await assert.rejects(importLegacyData({ slug: "acme-eu", from: dir }), (e: ArchiveError) => e.code === "invalid" && /acme is being offboarded \(or was\): nothing can be imported into acme-eu/.test(e.message));
    await assert.rejects(importLegacyData({ slug: "acme", from: dir }), /acme is being offboarded$/);
    assert.equal(await count(), before);
  } finally {
    await withClient(db.url, (c) => c.query("update public.tenants set status = 'active' where id = $1", [fx.tenants.acme]));
  }
});

// npm run access-review (scripts/lib/access-review.ts) over the demo data:
// the tree, every grant where it is held, MFA and sign-in state, open
// invitations, the MSSP-level list, and the count of grants held without the
// MFA they require (which must move when one appears).
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { seedDemo } from "@/lib/demo/seed";
import { DEMO_USERS } from "@/lib/demo/users";
import { formatAccessReview, loadAccessReview } from "@/scripts/lib/access-review";
import { createTestDatabase, withClient } from "./helpers/test-database";

// The seed enrols the demo MSSP users in TOTP only with a secret to seal it under.
process.env.NEXTAUTH_SECRET ??= "access-review-test-secret-0123456789abcdef";
const db = await createTestDatabase({ setEnv: false });
after(() => db.drop());
await withClient(db.url, (c) => seedDemo(c));

test("every demo grant is printed under its tenant, indented by depth, with MFA state", async () => {
  const text = await withClient(db.url, async (c) => formatAccessReview(await loadAccessReview(c)));
  const lines = text.split("\n");
  for (const u of DEMO_USERS) {
    for (const m of u.memberships) {
      const tenantLine = lines.findIndex((l) => l.trim().startsWith(`${m.tenantSlug}  `));
      assert.ok(tenantLine >= 0, m.tenantSlug);
      const next = lines.findIndex((l, i) => i > tenantLine && /^\s+\S+  .*\[/.test(l) && !l.includes("@"));
      const block = lines.slice(tenantLine + 1, next < 0 ? undefined : next);
      assert.ok(block.some((l) => l.includes(`${m.role}`) && l.includes(u.email)), `${u.email} ${m.role} under ${m.tenantSlug}:\n${block.join("\n")}`);
    }
  }
  assert.match(text, /^  sentinel  Sentinel MSSP  \[mssp\]$/m);
  assert.match(text, /^    acme  Acme Corp  \[customer\]$/m);
  assert.match(text, /^      acme-eu-west  Acme EU West  \[site\]$/m);
  assert.match(text, /mssp_admin +mssp\.admin@demo\.test \(Morgan Reyes\): MFA on/);
  assert.match(text, /MSSP-level roles[^\n]*\n  sentinel: mssp_admin/);
  assert.match(text, /0 grants held without the MFA the role or tenant requires/);
});

test("an open invitation, a tenant that requires MFA and a subtree are shown", async () => {
  await withClient(db.url, async (c) => {
    await c.query(`insert into public.tenant_settings (tenant_id, key, value) select id, 'session.mfa_required', 'true' from public.tenants where slug = 'acme'`);
    await c.query(`insert into public.invitations (tenant_id, email, role, token_hash, invited_by, expires_at)
                   select t.id, 'new.person@acme-corp.example', 'tenant_viewer', decode(repeat('ab', 32), 'hex'), u.id, now() + interval '7 days'
                     from public.tenants t, public.users u where t.slug = 'acme' and u.email = 'acme.admin@demo.test'`);
  });
  const text = await withClient(db.url, async (c) => formatAccessReview(await loadAccessReview(c, { rootSlug: "acme" })));
  assert.match(text, /^  acme  Acme Corp  \[customer, requires MFA\]$/m);
  assert.match(text, /invited +new\.person@acme-corp\.example as tenant_viewer by acme\.admin@demo\.test/);
  assert.match(text, /acme\.admin@demo\.test \(Alex Chen\): MFA off.*! MFA required/);
  assert.ok(!text.includes("globex"), "only the subtree");
  assert.doesNotMatch(text, / 0 grants held without the MFA/);
  await withClient(db.url, async (c) => assert.rejects(loadAccessReview(c, { rootSlug: "no-such" }), /No tenant/));
});

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

test("a site's review lists everyone who can reach it: roles held above it, marked inherited, and the live API keys", async () => {
  await withClient(db.url, async (c) => {
    // Live keys on the site and on its customer (which reaches the site), and two that no longer act: revoked, expired.
    await c.query(`insert into public.api_keys (tenant_id, id, name, secret_hash, scopes, created_at, expires_at, created_by)
                   select t.id, gen_random_uuid(), k.name, decode(md5(k.name) || md5(k.name), 'hex'), k.scopes, now() - k.age, now() - k.age + interval '300 days' - k.cut, u.id
                     from (values ('acme-eu-west', 'EU collector', '{collectors:write,alerts:write}'::text[], interval '1 day', interval '0'),
                                  ('acme', 'SIEM export', '{alerts:read}'::text[], interval '1 day', interval '0'),
                                  ('acme-eu-west', 'Old revoked', '{alerts:read}'::text[], interval '1 day', interval '0'),
                                  ('acme-eu-west', 'Old expired', '{alerts:read}'::text[], interval '310 days', interval '0'),
                                  ('globex', 'Globex only', '{alerts:read}'::text[], interval '1 day', interval '0'))
                          as k(slug, name, scopes, age, cut)
                     join public.tenants t on t.slug = k.slug, public.users u where u.email = 'acme.admin@demo.test'`);
    await c.query(`update public.api_keys set revoked_at = now() where name = 'Old revoked'`);
  });
  const review = await withClient(db.url, (c) => loadAccessReview(c, { rootSlug: "acme-eu-west" }));
  const text = formatAccessReview(review);
  // The site's own admin, not inherited; the customer's and the MSSP's people, inherited from where they hold the role.
  assert.match(text, /tenant_admin +site\.admin@demo\.test \([^)]*\): [^\n]*since [^\n(]*$/m);
  assert.match(text, /tenant_admin +acme\.admin@demo\.test [^\n]*\(inherited from acme\)/);
  assert.match(text, /tenant_viewer +acme\.viewer@demo\.test [^\n]*\(inherited from acme\)/);
  assert.match(text, /mssp_admin +mssp\.admin@demo\.test [^\n]*\(inherited from sentinel\)/);
  assert.match(text, /MSSP-level roles[^\n]*\n  sentinel: mssp_admin +mssp\.admin@demo\.test/);
  assert.match(text, /sentinel: mssp_analyst +mssp\.analyst@demo\.test/);
  assert.doesNotMatch(text, /globex\.admin@demo\.test/, "a sibling customer's admin does not reach the site");
  // Live keys, with tenant, name, scopes, creator and expiry; revoked, expired and other customers' are not listed.
  assert.match(text, /Live API keys[^\n]*\n(  [^\n]*\n)*  acme-eu-west: "EU collector" \[collectors:write, alerts:write\], created by acme\.admin@demo\.test [^\n]*, expires \d{4}-/);
  assert.match(text, /  acme: "SIEM export" \[alerts:read\], created by acme\.admin@demo\.test [^\n]*\(inherited from acme\)/);
  assert.doesNotMatch(text, /Old revoked|Old expired|Globex only/);
  assert.match(text, /2 live API keys/);
  assert.match(text, /role grants \(\d+ inherited from above\)/);
  assert.deepEqual(review.apiKeys.map((k) => [k.tenant_slug, k.inherited_from, k.name]).sort(), [["acme", "acme", "SIEM export"], ["acme-eu-west", null, "EU collector"]]);
  // The whole tree's review marks nothing inherited, and lists the other customers' live keys too.
  const all = await withClient(db.url, (c) => loadAccessReview(c));
  assert.ok(all.holders.every((h) => h.inherited_from === null));
  assert.deepEqual(all.apiKeys.map((k) => k.name).sort(), ["EU collector", "Globex only", "SIEM export"]);
});

// Notification channels' limits and switches, through the server actions as
// the browser posts them:
// - "Send test" spends a token of the tenant's budget in the shared rate
//   limiter (lib/notify/test-limit.ts): the test past it is refused with the
//   time to wait, and nothing is queued; another tenant's budget is its own.
// - At most CHANNELS_PER_TENANT (50) channels: the 51st is refused by the
//   action and, as `authenticated` in plain SQL, by the database's trigger
//   (migration 20261201029900); another tenant keeps its room.
// - An email delivery's maximum attempts are its outbox message's (no
//   "attempt 7 of 6").
// - "Replace secret" and "Enable/Disable": admins only, audited, never
//   reaching another tenant's channel; the new secret is in the answer once
//   and in no audit row.
import { callAction, loadAction, sessionCookie, auditMark, auditSince, type FormFields } from "./helpers/actions";
import assert from "node:assert/strict";
import { test } from "node:test";
import { CHANNELS_PER_TENANT } from "@/lib/notify/channels";
import { recentDeliveries } from "@/lib/notify/read";
import { CHANNEL_TEST_BURST } from "@/lib/notify/test-limit";
import { useFixtureEnv } from "./helpers/fixture-env";
import type { TenantSlug, UserName } from "./helpers/fixtures";

const env = useFixtureEnv();
const hostOf = (slug: TenantSlug) => `${slug}.localhost:3000`;
const DENIED = "You don't have permission to do that here.";
const NOT_FOUND = "That channel is not here: it may have been removed, or it belongs to another tenant. Nothing was changed.";

env.before(async () => {
  for (const user of ["acmeAdmin", "acmeAnalyst", "globexAdmin"] as const) await sessionCookie(env.person(user));
});

type Result = { ok: boolean; error?: string; message?: string; data?: Record<string, unknown> };
const A = {
  create: "lib/actions/workflows/create-channel.ts#createChannel",
  test: "lib/actions/workflows/test-channel.ts#testChannel",
  replace: "lib/actions/workflows/channel-settings.ts#replaceChannelSecret",
  enable: "lib/actions/workflows/channel-settings.ts#setChannelEnabled",
};
async function act(id: string, user: UserName, slug: TenantSlug, fields: FormFields): Promise<Result> {
  return (await callAction(await loadAction(id), { person: env.person(user), host: hostOf(slug) }, fields)) as Result;
}
let n = 0;
const uniq = (p: string) => `${p} ${++n} ${Math.random().toString(36).slice(2, 6)}`;
async function emailChannel(slug: TenantSlug): Promise<string> {
  const [c] = await env.owner<{ id: string }>(
    "insert into public.notification_channels (tenant_id, id, name, kind, recipients) values ($1, gen_random_uuid(), $2, 'email', '{soc@example.test}') returning id",
    [env.fx.tenants[slug], uniq("mail")],
  );
  return c.id;
}
const deliveriesOf = async (channelId: string) =>
  (await env.owner<{ n: number }>("select count(*)::int as n from public.notification_deliveries where channel_id = $1", [channelId]))[0].n;
const channelCount = async (slug: TenantSlug) =>
  (await env.owner<{ n: number }>("select count(*)::int as n from public.notification_channels where tenant_id = $1", [env.fx.tenants[slug]]))[0].n;

test(`Send test: ${CHANNEL_TEST_BURST} in a row are queued; the next is refused with the time to wait and queues nothing`, async () => {
  const channelId = await emailChannel("acme");
  const fields = { tenantId: env.fx.tenants.acme, channelId };
  for (let i = 0; i < CHANNEL_TEST_BURST; i++) {
    const r = await act(A.test, "acmeAdmin", "acme", fields);
    assert.equal(r.ok, true, r.error);
  }
  assert.equal(await deliveriesOf(channelId), CHANNEL_TEST_BURST);
  const outboxBefore = (await env.owner<{ n: number }>("select count(*)::int as n from mail.outbox"))[0].n;
  const refused = await act(A.test, "acmeAdmin", "acme", fields);
  assert.equal(refused.ok, false);
  assert.match(refused.error ?? "", /^This tenant has used its channel tests for now \(5 in a row, 20 an hour\)\. Try again in \d+ minutes?; nothing was sent\.$/);
  assert.equal(await deliveriesOf(channelId), CHANNEL_TEST_BURST, "no delivery queued past the limit");
  assert.equal((await env.owner<{ n: number }>("select count(*)::int as n from mail.outbox"))[0].n, outboxBefore, "no mail queued past the limit");
  // Another channel of the same tenant draws from the same budget (50 channels do not make 50 budgets).
  const other = await act(A.test, "acmeAdmin", "acme", { tenantId: env.fx.tenants.acme, channelId: await emailChannel("acme") });
  assert.equal(other.ok, false);
  // Another tenant's budget is its own.
  const globex = await act(A.test, "globexAdmin", "globex", { tenantId: env.fx.tenants.globex, channelId: await emailChannel("globex") });
  assert.equal(globex.ok, true, globex.error);
});

test("an email delivery shows its outbox message's maximum attempts", async () => {
  const channelId = await emailChannel("globex");
  assert.equal((await act(A.test, "globexAdmin", "globex", { tenantId: env.fx.tenants.globex, channelId })).ok, true);
  const [row] = await env.owner<{ max: number; outbox_max: number }>(
    "select d.max_attempts as max, o.max_attempts as outbox_max from public.notification_deliveries d join mail.outbox o on o.id = d.mail_id where d.channel_id = $1",
    [channelId],
  );
  assert.equal(row.max, row.outbox_max);
  // The page reads attempts from the outbox: past the webhook's 6, the maximum still holds them.
  await env.owner("update mail.outbox o set attempts = 7 from public.notification_deliveries d where d.channel_id = $1 and o.id = d.mail_id", [channelId]);
  const views = await env.as("globexAdmin", (tx) => recentDeliveries(tx, env.fx.tenants.globex, 50), "globex");
  const view = views.find((v) => v.channelId === channelId)!;
  assert.equal(view.attempts, 7);
  assert.equal(view.maxAttempts, 8);
});

test(`the ${CHANNELS_PER_TENANT}th channel is added; the next is refused by the action and by the database; other tenants keep their room`, async () => {
  const have = await channelCount("acme");
  await env.owner(
    "insert into public.notification_channels (tenant_id, id, name, kind, recipients) select $1, gen_random_uuid(), 'filler ' || g, 'email', '{soc@example.test}' from generate_series(1, $2::int) g",
    [env.fx.tenants.acme, CHANNELS_PER_TENANT - 1 - have],
  );
  const last = await act(A.create, "acmeAdmin", "acme", { tenantId: env.fx.tenants.acme, name: uniq("last"), kind: "email", recipients: "soc@example.test" });
  assert.equal(last.ok, true, last.error);
  assert.equal(await channelCount("acme"), CHANNELS_PER_TENANT);
  const LIMIT = "This tenant already has 50 notification channels, the most it may have. Remove one it no longer needs first; nothing was changed.";
  for (const fields of <FormFields[]>[
    { name: uniq("one more"), kind: "email", recipients: "soc@example.test" },
    { name: uniq("one more hook"), kind: "webhook", url: "https://hooks.example.com/x" },
  ]) {
    const r = await act(A.create, "acmeAdmin", "acme", { tenantId: env.fx.tenants.acme, ...fields });
    assert.equal(r.ok, false);
    assert.equal(r.error, LIMIT);
  }
  assert.equal(await channelCount("acme"), CHANNELS_PER_TENANT);
  // Plain SQL as the tenant's admin (role authenticated, RLS allows the insert): the trigger refuses it.
  await assert.rejects(
    env.as(
      "acmeAdmin",
      (tx) => tx.client.query("insert into public.notification_channels (tenant_id, id, name, kind, recipients) values ($1, gen_random_uuid(), 'direct', 'email', '{a@example.test}')", [env.fx.tenants.acme]),
      "acme",
    ),
    (e: { code?: string; hint?: string; message?: string }) => e.code === "54000" && e.hint === "channel_limit" && /already has 50 notification channels/.test(e.message ?? ""),
  );
  // The owner too: the database holds the limit, not the form.
  await assert.rejects(env.owner("insert into public.notification_channels (tenant_id, id, name, kind, recipients) values ($1, gen_random_uuid(), 'owner', 'email', '{a@example.test}')", [env.fx.tenants.acme]), /already has 50/);
  assert.equal(await channelCount("acme"), CHANNELS_PER_TENANT);
  // A site below acme keeps its own room.
  const site = await act(A.create, "acmeAdmin", "acme-eu", { tenantId: env.fx.tenants["acme-eu"], name: uniq("site"), kind: "email", recipients: "soc@example.test" });
  assert.equal(site.ok, true, site.error);
});

test("Replace secret: a new secret once, audited without it; refused to an analyst, for an email channel, and for another tenant's channel", async () => {
  const created = await act(A.create, "globexAdmin", "globex", { tenantId: env.fx.tenants.globex, name: uniq("hook"), kind: "webhook", url: "https://hooks.example.com/soc" });
  assert.equal(created.ok, true, created.error);
  const channelId = String(created.data!.id);
  const first = String(created.data!.secret);
  const rowOf = async () => (await env.owner<{ secret_sealed: Buffer; secret_hint: string }>("select secret_sealed, secret_hint from public.notification_channels where id = $1", [channelId]))[0];
  const before = await rowOf();

  const mark = await auditMark(env.db.url);
  const r = await act(A.replace, "globexAdmin", "globex", { tenantId: env.fx.tenants.globex, channelId });
  assert.equal(r.ok, true, r.error);
  const secret = String(r.data!.secret);
  assert.match(secret, /^whsec_[A-Za-z0-9_-]{43}$/);
  assert.notEqual(secret, first);
  const after = await rowOf();
  assert.equal(after.secret_hint, secret.slice(-4));
  assert.notDeepEqual(after.secret_sealed, before.secret_sealed);
  const audit = (await auditSince(env.db.url, mark)).filter((a) => a.action === "workflow.channel-secret-replaced");
  assert.equal(audit.length, 1);
  assert.equal(audit[0].outcome, "success");
  assert.ok(!JSON.stringify(audit).includes(secret), "the new secret is in no audit row");

  // Acme's admin naming globex's channel from acme: not here, nothing changed.
  const foreign = await act(A.replace, "acmeAdmin", "acme", { tenantId: env.fx.tenants.acme, channelId });
  assert.equal(foreign.ok, false);
  assert.equal(foreign.error, NOT_FOUND);
  // ... or naming globex itself: the PDP refuses (not their tenant).
  const cross = await act(A.replace, "acmeAdmin", "acme", { tenantId: env.fx.tenants.globex, channelId });
  assert.equal(cross.ok, false);
  assert.deepEqual(await rowOf(), after);

  const acmeHook = await act(A.create, "acmeAdmin", "acme-eu", { tenantId: env.fx.tenants["acme-eu"], name: uniq("hook"), kind: "webhook", url: "https://hooks.example.com/eu" });
  assert.equal(acmeHook.ok, true, acmeHook.error);
  const analyst = await act(A.replace, "acmeAnalyst", "acme", { tenantId: env.fx.tenants["acme-eu"], channelId: String(acmeHook.data!.id) });
  assert.equal(analyst.ok, false);
  assert.equal(analyst.error, DENIED);

  const email = await act(A.replace, "globexAdmin", "globex", { tenantId: env.fx.tenants.globex, channelId: await emailChannel("globex") });
  assert.equal(email.ok, false);
  assert.equal(email.error, "Only a webhook has a signing secret. Nothing was changed.");
});

test("Enable/Disable: a disabled channel takes no test; refused to an analyst and for another tenant's channel", async () => {
  const channelId = await emailChannel("acme-eu");
  const fields = { tenantId: env.fx.tenants["acme-eu"], channelId };
  const enabledOf = async () => (await env.owner<{ enabled: boolean }>("select enabled from public.notification_channels where id = $1", [channelId]))[0].enabled;

  const analyst = await act(A.enable, "acmeAnalyst", "acme", { ...fields, enabled: "false" });
  assert.equal(analyst.ok, false);
  assert.equal(analyst.error, DENIED);
  const foreign = await act(A.enable, "globexAdmin", "globex", { tenantId: env.fx.tenants.globex, channelId, enabled: "false" });
  assert.equal(foreign.ok, false);
  assert.equal(foreign.error, NOT_FOUND);
  assert.equal(await enabledOf(), true);

  const mark = await auditMark(env.db.url);
  const off = await act(A.enable, "acmeAdmin", "acme-eu", { ...fields, enabled: "false" });
  assert.equal(off.ok, true, off.error);
  assert.equal(await enabledOf(), false);
  const audit = (await auditSince(env.db.url, mark)).filter((a) => a.action === "workflow.channel-changed");
  assert.equal(audit.length, 1);
  assert.equal(audit[0].details.enabled, false);

  const test = await act(A.test, "acmeAdmin", "acme-eu", fields);
  assert.equal(test.ok, false);
  assert.match(test.error ?? "", /is disabled\. Nothing was sent\./);
  assert.equal(await deliveriesOf(channelId), 0);

  const on = await act(A.enable, "acmeAdmin", "acme-eu", { ...fields, enabled: "true" });
  assert.equal(on.ok, true, on.error);
  assert.equal(await enabledOf(), true);
});

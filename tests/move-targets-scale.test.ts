// The Move form's new parent (lib/lifecycle/move-targets.ts) on a real
// Postgres with RLS and the real PDP, through the real action:
//   - with a few candidates it lists them, suspended parents included (move.ts
//     accepts them), never one being offboarded nor below one, nor the parent;
//   - past TENANT_SELECT_UP_TO (600 customers under one MSSP) the page sends no
//     list and the form is a name-or-address field; the action resolves a
//     parent typed by its slug that sorted past the 500th (the old list's cut,
//     so it could never be chosen), or by its whole name; naming none or
//     several, or another MSSP's customer, is refused on the field with
//     nothing moved and nothing audited.
import { callAction, enrolMfa, loadAction } from "./helpers/actions";
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { AppRouterContext } from "next/dist/shared/lib/app-router-context.shared-runtime";
import { TenantDetailView } from "@/components/lifecycle/tenant-detail-view";
import { loadTenantDetail } from "@/lib/lifecycle/detail-page";
import { moveTargetsFor } from "@/lib/lifecycle/move-targets";
import { TENANT_SELECT_UP_TO } from "@/lib/tenancy/tenant-filter";
import { useFixtureEnv } from "./helpers/fixture-env";
import type { UserName } from "./helpers/fixtures";

const CONSOLE = "localhost:3000";
const CUSTOMERS = 600;
const big = (i: number) => `big-${String(i).padStart(4, "0")}`;

const env = useFixtureEnv();

const routed = (el: React.ReactElement) =>
  renderToStaticMarkup(createElement(AppRouterContext.Provider, { value: { back() {}, forward() {}, refresh() {}, push() {}, replace() {}, prefetch() {}, hmrRefresh() {} } as never }, el));

const idOf = async (slug: string) => (await env.owner<{ id: string }>("select id from public.tenants where slug = $1", [slug]))[0].id;
const parentOf = async (slug: string) =>
  (await env.owner<{ parent: string }>("select p.slug as parent from public.tenants t join public.tenants p on p.id = t.parent_id where t.slug = $1", [slug]))[0].parent;
const targets = (user: UserName, slug: string) => env.as(user, async (tx) => moveTargetsFor(tx, { id: await idOf(slug), kind: "site" }));
const move = async (who: UserName, tenantId: string, newParentId: string) =>
  (await callAction(await loadAction("lib/actions/lifecycle/move-tenant.ts#moveTenant"), { person: env.person(who), host: CONSOLE }, { tenantId, newParentId })) as {
    ok: boolean;
    error?: string;
    fieldErrors?: Record<string, string[]>;
  };
/** Every tenant.moved row about `tenantId`, its outcome (a denied one names it in its details). */
const movedAudits = async (tenantId: string) =>
  (
    await env.owner<{ outcome: string }>(
      "select outcome from public.audit_log where action = 'tenant.moved' and (target_id = $1 or details->>'requested_tenant_id' = $1) order by occurred_at, seq",
      [tenantId],
    )
  ).map((r) => r.outcome);

env.before(async () => {
  for (const who of ["msspAdmin", "msspBAdmin"] as const) await enrolMfa(env.person(who));
});

describe("the Move form's new parent", () => {
  test("a few candidates: listed, suspended parents included, none being offboarded nor below one", async () => {
    const b = env.fx.tenants["mssp-b"];
    const add = (parent: string, slug: string, kind: string, status = "active") =>
      env.owner("insert into public.tenants (parent_id, slug, name, kind, status) values ($1, $2, $3, $4, $5)", [parent, slug, `Bee ${slug}`, kind, status]);
    await add(b, "bee-active", "customer");
    await add(b, "bee-paused", "customer", "suspended");
    await add(b, "bee-closing", "customer", "deprovisioning");
    await add(await idOf("bee-closing"), "bee-closing-site", "site");
    await add(env.fx.tenants["other-co"], "bee-site", "site");
    const offered = await targets("msspBAdmin", "bee-site");
    assert.equal(offered.typedAmong, null);
    assert.deepEqual(
      offered.targets.map((t) => t.label).sort(),
      ["Bee bee-active (customer, mssp-b)", "Bee bee-paused (customer, mssp-b)"],
      "the current parent (other-co), an offboarding customer and its site are not offered",
    );
    const paused = await idOf("bee-paused");
    assert.ok(offered.targets.some((t) => t.id === paused), "the suspended customer is offered");
    // And the action accepts it, as move.ts does.
    const moved = await move("msspBAdmin", await idOf("bee-site"), paused);
    assert.ok(moved.ok, JSON.stringify(moved));
    assert.equal(await parentOf("bee-site"), "bee-paused");
  });

  test(`past ${TENANT_SELECT_UP_TO} candidates: no list, a typed field; a slug past the old 500th moves it`, async () => {
    await env.owner(
      `insert into public.tenants (parent_id, slug, name, kind)
       select $1, 'big-' || lpad(i::text, 4, '0'), 'Big customer ' || lpad(i::text, 4, '0'), 'customer' from generate_series(1, $2) i`,
      [env.fx.tenants["mssp-a"], CUSTOMERS],
    );
    const site = env.fx.tenants["acme-eu"];
    const offered = await targets("msspAdmin", "acme-eu");
    assert.deepEqual(offered.targets, [], "no option per tenant");
    // 600 customers, globex and the sibling site acme-us; acme (its parent) is not a candidate.
    assert.equal(offered.typedAmong, CUSTOMERS + 2);

    // What the page draws: a text field in newParentId's place, no option of any customer.
    const detail = (await env.as("msspAdmin", (tx) => loadTenantDetail(tx, "acme-eu")))!;
    assert.ok(detail.can["tenants:move"]);
    const html = routed(createElement(TenantDetailView, { t: detail, moveTargets: offered.targets, moveTypedAmong: offered.typedAmong, domain: "localhost" }));
    const field = html.match(/<input[^>]*name="newParentId"[^>]*>/)?.[0] ?? "";
    assert.match(field, /placeholder="Name or slug \(602 possible parents\)"/, html);
    assert.doesNotMatch(html, /<select[^>]*name="newParentId"/);
    assert.doesNotMatch(html, /big-0|Big customer/);

    // The old list's cut: the first 500 candidates by path. big-0599 sorted past it.
    const [{ rank }] = await env.owner<{ rank: number }>(
      `select rank from (select c.slug, row_number() over (order by c.path)::int as rank from public.tenants c
         where c.kind in ('customer', 'site') and c.status = 'active' and c.path operator(extensions.<@) 'mssp_a'::extensions.ltree) r where slug = 'big-0599'`,
    );
    assert.ok(rank > 500, `big-0599 is candidate ${rank}`);

    const bySlug = await move("msspAdmin", site, big(599));
    assert.ok(bySlug.ok, JSON.stringify(bySlug));
    assert.equal(await parentOf("acme-eu"), big(599));
    const byName = await move("msspAdmin", site, "big customer 0598");
    assert.ok(byName.ok, JSON.stringify(byName));
    assert.equal(await parentOf("acme-eu"), big(598));
    assert.deepEqual(await movedAudits(site), ["success", "success"]);
  });

  test("naming none, several or another MSSP's customer is refused on the field; nothing moved or audited", async () => {
    const site = env.fx.tenants["acme-eu"];
    const before = await parentOf("acme-eu");
    const several = await move("msspAdmin", site, "Big customer 05");
    assert.equal(several.error, "Check the highlighted fields.");
    assert.match(several.fieldErrors?.newParentId?.join(" ") ?? "", /That names 99 possible new parents: Big customer 0500 \(big-0500\)/);
    for (const typed of ["No such customer", "other-co", "Tenant other-co"]) {
      const none = await move("msspAdmin", site, typed);
      assert.equal(none.ok, false, typed);
      assert.match(none.fieldErrors?.newParentId?.join(" ") ?? "", /No possible new parent you can see is called that/, typed);
      assert.ok(!JSON.stringify(none).includes("mssp-b"), "the refusal names nothing of the other MSSP");
    }
    // Its own parent is no candidate either (move.ts would refuse it).
    assert.equal((await move("msspAdmin", site, before)).ok, false);
    assert.equal(await parentOf("acme-eu"), before);
    assert.deepEqual(await movedAudits(site), ["success", "success"], "no row for the refused attempts");
  });
});

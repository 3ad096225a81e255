// locale.time_zone on the console's tenant lifecycle and bulk pages: the
// customer page (its status change, the end of its grace period, its
// offboarding's scheduled start), the Restore page (an archive's time) and the
// bulk runs (list and run page) show times on the caller's MSSP's clock with
// the zone's name, never a bare UTC time. The MSSP's zone, not the customer's:
// an operator reads every customer's page on one clock. Real Postgres, RLS,
// the PDP and the settings resolver; the pages' markup rendered last.
// First: Next's request storage before any next/* module loads (the views import server actions).
import "./helpers/next-async-storage";
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { createElement, type ReactElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { AppRouterContext } from "next/dist/shared/lib/app-router-context.shared-runtime";
import { RunList } from "@/components/bulk/run-list";
import { RunView } from "@/components/bulk/run-view";
import { TenantDetailView } from "@/components/lifecycle/tenant-detail-view";
import { planRun, selectionSchema } from "@/lib/bulk";
import { loadBulkHome, loadRunPage } from "@/lib/bulk/page-data";
import { loadTenantDetail } from "@/lib/lifecycle/detail-page";
import { OFFBOARD_KIND } from "@/lib/lifecycle/offboard";
import { statusNote, statusReasonWords } from "@/lib/lifecycle/status-note";
import { loadRestorePage } from "@/lib/lifecycle/web/access";
import { useFixtureEnv } from "./helpers/fixture-env";

const env = useFixtureEnv();

/** Client components calling useRouter need an app router above them (a static render has none). */
const routed = (el: ReactElement) =>
  renderToStaticMarkup(createElement(AppRouterContext.Provider, { value: { back() {}, forward() {}, refresh() {}, push() {}, replace() {}, prefetch() {}, hmrRefresh() {} } as never }, el));

/** The words a reader sees (the markup's text, not its attributes: a <time>'s dateTime is an instant in UTC on purpose). */
const text = (html: string) => html.replace(/<[^>]*>/g, " ");

async function setZone(tenantId: string, zone: string | null) {
  await env.owner("delete from public.tenant_settings where tenant_id = $1 and key = 'locale.time_zone'", [tenantId]);
  if (zone) await env.owner("insert into public.tenant_settings (tenant_id, key, value) values ($1, 'locale.time_zone', $2::jsonb)", [tenantId, JSON.stringify(zone)]);
}
const msspZone = (zone: string | null) => setZone(env.fx.tenants["mssp-a"], zone);

// December: Paris is UTC+1, so 11:30 UTC reads 12:30 there.
const CHANGED_AT = "2026-12-01T11:30:00.000Z";
// Far ahead, so the page still counts it as in the grace period and the workflow as scheduled.
const GRACE_ENDS = "2099-12-03T08:05:00.000Z";
const RUN_AT = "2026-12-05T08:12:00.000Z";

/** A customer of mssp-a in its grace period, its offboarding queued for the end of it; its own zone New York (which the console ignores). */
async function offboardingCustomer(): Promise<string> {
  const [t] = await env.owner<{ id: string }>(
    `insert into public.tenants (parent_id, slug, name, kind, status, status_reason, status_changed_at, status_changed_by, deprovision_after)
     values ($1, 'zone-co', 'Zone Co', 'customer', 'deprovisioning', 'offboarding (was active)', $2, $4, $3) returning id`,
    [env.fx.tenants["mssp-a"], CHANGED_AT, GRACE_ENDS, env.fx.users.msspAdmin],
  );
  await env.owner("insert into public.jobs (tenant_id, kind, status, run_after) values ($1, $2, 'queued', $3)", [t.id, OFFBOARD_KIND, GRACE_ENDS]);
  await setZone(t.id, "America/New_York");
  return t.id;
}

async function plannedRun(): Promise<string> {
  const run = await env.as("msspAdmin", (tx) =>
    planRun(tx, {
      runTenantId: env.fx.tenants["mssp-a"],
      selection: selectionSchema.parse({ rootId: env.fx.tenants.acme }),
      params: { operation: "setting", key: "sla.low.ack_minutes", mode: "set", value: "600" },
    }),
  );
  await env.owner("update public.bulk_runs set created_at = $2 where id = $1", [run.id, RUN_AT]);
  return run.id;
}

describe("locale.time_zone on the console's lifecycle and bulk pages", () => {
  test("nothing set: the loaders say UTC", async () => {
    const home = await env.as("msspAdmin", (tx) => loadBulkHome(tx));
    assert.equal(home?.timeZone, "UTC");
    const detail = await env.as("msspAdmin", (tx) => loadTenantDetail(tx, "acme"));
    assert.equal(detail?.timeZone, "UTC");
    assert.equal((await env.as("msspAdmin", (tx) => loadRestorePage(tx))).timeZone, "UTC");
  });

  test("the customer page: the MSSP's zone (not the customer's own), in the status line, the grace period and the scheduled offboarding", async () => {
    const id = await offboardingCustomer();
    await msspZone("Europe/Paris");
    try {
      const t = await env.as("msspAdmin", (tx) => loadTenantDetail(tx, "zone-co"));
      assert.ok(t && t.id === id);
      assert.equal(t.timeZone, "Europe/Paris");
      assert.ok(t.offboarding && t.can["tenants:deprovision"], "the offboarding timeline and its controls are on the page");
      const html = routed(createElement(TenantDetailView, { t, moveTargets: [], domain: "localhost" }));
      // The status line: when it changed, who started it and what it was before, in words (the stored
      // "offboarding (was active)" is the machine's: lib/lifecycle/offboard.ts reads it back).
      assert.match(
        html,
        new RegExp(`data-testid="status-reason">Offboarding since <time dateTime="${CHANGED_AT}">01 Dec 2026, 12:30 Europe/Paris</time>, started by [^<@]+@[^<]+ \\(it was active before\\)\\.</p>`),
      );
      assert.doesNotMatch(html, /offboarding \(was/);
      // The offboarding card: when the grace period ends.
      assert.match(html, new RegExp(`after <strong><time dateTime="${GRACE_ENDS}">03 Dec 2099, 09:05 Europe/Paris</time></strong>`));
      // The workflow timeline: when the queued offboarding starts.
      assert.match(html, new RegExp(`Scheduled for <time dateTime="${GRACE_ENDS}">03 Dec 2099, 09:05 Europe/Paris</time> \\(the grace period\\)`));
      assert.doesNotMatch(text(html), /GMT|UTC|New_York/, "no time left on the UTC clock, none on the customer's own");
    } finally {
      await msspZone(null);
      await setZone(id, null);
    }
  });

  test("the bulk pages: the run's time in the MSSP's zone, named in the list's header and after the time on the run page", async () => {
    const runId = await plannedRun();
    await msspZone("Europe/Paris");
    try {
      const home = await env.as("msspAdmin", (tx) => loadBulkHome(tx));
      assert.equal(home?.timeZone, "Europe/Paris");
      const list = renderToStaticMarkup(createElement(RunList, { runs: home!.runs, timeZone: home!.timeZone }));
      assert.match(list, />Run<span class="block font-normal normal-case tracking-normal">Europe\/Paris<\/span><\/th>/);
      assert.match(list, new RegExp(`<time dateTime="${RUN_AT}">05 Dec 2026, 09:12</time> · `));

      const page = await env.as("msspAdmin", (tx) => loadRunPage(tx, runId, {}));
      assert.equal(page?.timeZone, "Europe/Paris");
      const view = routed(createElement(RunView, { data: page! }));
      assert.match(view, new RegExp(`, <time dateTime="${RUN_AT}">05 Dec 2026, 09:12 Europe/Paris</time>`));
      for (const html of [list, view]) assert.doesNotMatch(text(html), /08:12|UTC/, "not on the UTC clock");

      // The Restore page's loader hands the same zone to the browser, which formats the manifest's time with it.
      assert.equal((await env.as("msspAdmin", (tx) => loadRestorePage(tx))).timeZone, "Europe/Paris");
      // Another MSSP's zone is none of this: mssp-b's admin reads UTC.
      assert.equal((await env.as("msspBAdmin", (tx) => loadBulkHome(tx)))?.timeZone, "UTC");
    } finally {
      await msspZone(null);
    }
  });
});

describe("a status reason in words (lib/lifecycle/status-note.ts); the stored reasons stay the machine's", () => {
  const at = "2026-12-06T23:57:00.000Z";
  const words = (n: ReturnType<typeof statusNote>) => (n ? `${n.before}${n.at?.text ?? ""}${n.after}` : null);
  test("offboarding, called off, offboarded, an operator's suspension; nothing for an active tenant", () => {
    const base = { changedAt: at, changedBy: "ops@example.com", timeZone: "UTC" };
    assert.equal(
      words(statusNote({ ...base, status: "deprovisioning", reason: "offboarding (was suspended)" })),
      "Offboarding since 06 Dec 2026, 23:57 UTC, started by ops@example.com (it was suspended before).",
    );
    assert.equal(words(statusNote({ ...base, changedAt: null, changedBy: null, status: "deprovisioning", reason: "offboarding (was active)" })), "Offboarding (it was active before).");
    assert.equal(
      words(statusNote({ ...base, status: "suspended", reason: "offboarding called off" })),
      "Suspended again since 06 Dec 2026, 23:57 UTC, when ops@example.com called its offboarding off (it was suspended before).",
    );
    assert.equal(words(statusNote({ ...base, status: "deprovisioned", reason: "offboarded" })), "Offboarded on 06 Dec 2026, 23:57 UTC, offboarding started by ops@example.com.");
    assert.equal(
      words(statusNote({ ...base, status: "suspended", reason: "Contract paused by the customer" })),
      "Suspended since 06 Dec 2026, 23:57 UTC by ops@example.com. Reason: Contract paused by the customer",
    );
    assert.equal(statusNote({ ...base, status: "active", reason: null }), null);
    // The customers list: a few words beside the status badge, none where they would repeat it.
    assert.equal(statusReasonWords("deprovisioning", "offboarding (was active)"), "Offboarding started (it was active before)");
    assert.equal(statusReasonWords("deprovisioned", "offboarded"), null);
    assert.equal(statusReasonWords("suspended", "Contract paused by the customer"), "Contract paused by the customer");
    assert.equal(statusReasonWords("active", "offboarding called off"), null);
  });
});

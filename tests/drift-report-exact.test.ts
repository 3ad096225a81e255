// The drift report (lib/settings/drift.ts) finds differences from the
// customers' own settings rows instead of resolving every customer's
// configuration. This proves the shortcut gives exactly what the registry's
// own resolution (lib/settings/resolve.ts effectiveConfigs) says, on data made
// to trip it: a value set at the MSSP that a customer repeats (no drift) or
// leaves for the default (drift), a setting locked at the MSSP that customers
// still hold rows for (no drift), a stored value the registry no longer
// accepts (read as the default), and a customer that locks its own value for
// its sites (still drift when the value differs).
import "./helpers/next-async-storage";
import assert from "node:assert/strict";
import { isDeepStrictEqual } from "node:util";
import { test } from "node:test";
import { loadDriftReports, type DriftReport } from "@/lib/settings/drift";
import { DRIFT_SETTINGS } from "@/lib/settings/drift-query";
import { effectiveConfigs } from "@/lib/settings/resolve";
import { useFixtureEnv } from "./helpers/fixture-env";

const env = useFixtureEnv();

env.before(async () => {
  const mssp = env.fx.tenants["mssp-a"];
  // 130 customers: "Drift 001" … "Drift 130" (the customers that differ fill two pages of 50).
  await env.owner(
    `insert into public.tenants (parent_id, slug, name, kind)
     select $1, 'drift-' || lpad(g::text, 3, '0'), 'Drift ' || lpad(g::text, 3, '0'), 'customer' from generate_series(1, 130) g`,
    [mssp],
  );
  await env.owner(
    `with c as (select id, substr(slug, 7)::int as n from public.tenants where slug like 'drift-%')
     insert into public.tenant_settings (tenant_id, key, value, locked)
     -- even: the MSSP's own time zone (no drift); odd: UTC, the default (drift); every 9th locks its own for its sites
     select id, 'locale.time_zone', case when n % 2 = 0 then '"Europe/Berlin"' else '"UTC"' end::jsonb, n % 9 = 0
       from c
     union all
     -- the user limit is locked at the MSSP: these rows cannot take effect
     select id, 'limits.users', '5'::jsonb, false from c where n % 4 = 0
     union all
     -- a value the registry refuses (a negative asset limit) reads as the default: no drift
     select id, 'limits.assets', '-3'::jsonb, false from c where n % 5 = 0
     union all
     -- an asset limit of its own: drift
     select id, 'limits.assets', '500'::jsonb, false from c where n % 7 = 0 and n % 5 <> 0`,
  );
  // The MSSP's own values, set after the customers' (a lock set later leaves their rows in place): a
  // time zone (customers inherit it), and a lock on the user limit.
  await env.owner(
    `insert into public.tenant_settings (tenant_id, key, value, locked) values
       ($1, 'locale.time_zone', '"Europe/Berlin"', false),
       ($1, 'limits.users', '40', true)
     on conflict (tenant_id, key) do update set value = excluded.value, locked = excluded.locked`,
    [mssp],
  );
});

/** Every customer's differing settings over all the report's pages: slug → keys. */
async function reported(): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  let report: DriftReport | undefined;
  for (let page = 1; ; page++) {
    [report] = await env.as("msspAdmin", (tx) => loadDriftReports(tx, { q: null, setting: null, page }));
    assert.ok(report, "the MSSP admin gets mssp-a's report");
    for (const row of report.rows) out.set(row.slug, Object.keys(row.cells).sort());
    if (page >= report.pageCount) break;
  }
  return out;
}

test("the drift report equals the registry's resolution of every customer, page after page", async () => {
  const customers = await env.owner<{ id: string; slug: string }>(`select id, slug from public.tenants where parent_id = $1`, [env.fx.tenants["mssp-a"]]);
  const expected = new Map<string, string[]>();
  await env.as("msspAdmin", async (tx) => {
    const configs = await effectiveConfigs(tx, [env.fx.tenants["mssp-a"], ...customers.map((c) => c.id)]);
    const base = configs.get(env.fx.tenants["mssp-a"])!;
    for (const c of customers) {
      const mine = configs.get(c.id)!;
      const keys = DRIFT_SETTINGS.filter((d) => !isDeepStrictEqual(mine.get(d.key).value, base.get(d.key).value)).map((d) => d.key).sort();
      if (keys.length > 0) expected.set(c.slug, keys);
    }
  });
  // The data trips each rule: some customers differ, and the locked and refused rows made none differ.
  assert.ok(expected.size > 50, `expected drift on many customers, got ${expected.size}`);
  assert.ok(![...expected.values()].some((keys) => keys.includes("limits.users")), "a setting locked at the MSSP never differs");
  const got = await reported();
  assert.deepEqual(new Map([...got].sort()), new Map([...expected].sort()));

  const [first] = await env.as("msspAdmin", (tx) => loadDriftReports(tx));
  assert.equal(first.customersWithDrift, expected.size);
  for (const s of first.settings) {
    const n = [...expected.values()].filter((keys) => keys.includes(s.key)).length;
    assert.equal(s.differing, n, `customers differing on ${s.key}`);
  }
  assert.equal(first.settings.find((s) => s.key === "limits.users")?.locked, true);
});

// What /compare says about itself, on a real Postgres with RLS and the real PDP:
//   - "Ignored the N customers ticked" only when a group actually replaced
//     them: a plan group the page ignores (unknown plan) leaves the ticked
//     customers compared, and the page must not say they were ignored;
//   - an operator of two MSSPs: each customer's percentile is among its own
//     MSSP's other customers, so the page names that count (per row), not
//     "the MSSP's other {population − 1}" of a population spanning both.
import assert from "node:assert/strict";
import { test } from "node:test";
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { CompareView, percentileBasis } from "@/components/analytics/compare-view";
import { loadComparison } from "@/lib/analytics/compare";
import { parseCompareQuery } from "@/lib/analytics/compare-query";
import { useFixtureEnv } from "./helpers/fixture-env";

const env = useFixtureEnv();
const NOW = new Date();
const UNKNOWN_PLAN = "plan:00000000-0000-4000-8000-00000000abcd";

env.before(async () => {
  // A second customer of mssp-b, and msspBAdmin made an admin of mssp-a too: an operator of two MSSPs
  // (mssp-a: acme, globex; mssp-b: other-co, second-co).
  await env.owner("insert into public.tenants (parent_id, slug, name, kind) values ($1, 'second-co', 'Second Co', 'customer')", [env.fx.tenants["mssp-b"]]);
  await env.owner("insert into public.memberships (tenant_id, user_id, role) values ($1, $2, 'mssp_admin')", [env.fx.tenants["mssp-a"], env.fx.users.msspBAdmin]);
});

const compare = (user: "msspAdmin" | "msspBAdmin", search: Record<string, string | string[]>) => {
  const parsed = parseCompareQuery(search, NOW);
  return env.as(user, async (tx) => ({ ...parsed, data: await loadComparison(tx, parsed.query, NOW) }));
};
const page = (r: Awaited<ReturnType<typeof compare>>) =>
  renderToStaticMarkup(createElement(CompareView, { data: r.data, query: r.data.groupIgnored ? { ...r.query, group: null } : r.query }));

test("an ignored plan group: the ticked customers are compared, and nothing says they were ignored", async () => {
  const r = await compare("msspAdmin", { c: ["acme", "globex"], group: UNKNOWN_PLAN });
  assert.equal(r.data.groupIgnored, true);
  assert.deepEqual(r.data.rows.map((x) => x.slug).sort(), ["acme", "globex"]);
  assert.equal(r.data.ticksIgnored, 0);
  assert.ok(!r.problems.some((p) => /ticked/.test(p)), r.problems.join("\n"));
  assert.doesNotMatch(page(r), /customers ticked/);
});

test("a group the page uses: the ticked customers are said to be ignored, once", async () => {
  const r = await compare("msspAdmin", { c: ["acme", "globex"], group: "size:under_50" });
  assert.equal(r.data.group?.label.startsWith("Size"), true);
  assert.equal(r.data.ticksIgnored, 2);
  assert.ok(!r.problems.some((p) => /ticked/.test(p)), "the parser cannot know whether the group is used");
  assert.equal(page(r).match(/Ignored the 2 customers ticked: a peer group replaces/g)?.length, 1);
  const none = await compare("msspAdmin", { group: "size:under_50" });
  assert.equal(none.data.ticksIgnored, 0);
});

test("one MSSP: the percentiles are among the MSSP's other customers, population − 1", async () => {
  const r = await compare("msspAdmin", { c: ["acme", "globex"] });
  assert.equal(r.data.mssps, 1);
  assert.equal(r.data.population, 2);
  assert.deepEqual(r.data.rows.map((x) => x.peers), [1, 1]);
  assert.equal(percentileBasis(r.data), "Percentiles: better than that share of the MSSP's other 1 customer");
});

test("an operator of two MSSPs: each row's percentile names its own MSSP's peers; the median says it spans both", async () => {
  const r = await compare("msspBAdmin", { c: ["acme", "globex", "other-co", "second-co"] });
  assert.equal(r.data.mssps, 2);
  assert.equal(r.data.population, 4);
  // Each customer's peers are its own MSSP's one other customer, not the population's 3.
  assert.deepEqual(Object.fromEntries(r.data.rows.map((x) => [x.slug, x.peers])), { acme: 1, globex: 1, "other-co": 1, "second-co": 1 });
  const html = page(r);
  assert.doesNotMatch(html, /MSSP(&#x27;|')s other 3 customers/, "not the population spanning both MSSPs");
  assert.match(html, /other customers of the customer(&#x27;|')s own MSSP/);
  assert.match(html, /Median of all 4 customers \(2 MSSPs\)/);
  for (const row of r.data.rows) for (const v of Object.values(row.percentiles)) if (v !== null) assert.ok([0, 50, 100].includes(v), `a percentile among one peer: ${v}`);
});

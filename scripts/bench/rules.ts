// Workflow rule evaluation at scale for `npm run bench` (--only=rules):
// 50 rules on every tenant of the bench MSSP (the MSSP, its 1,000 customers
// and their sites), then new alerts in a site at depth 3, each evaluated by
// the job's own function (lib/rules/engine.ts evaluateAlert: one
// service-role transaction per alert, the rules of the site, its customer and
// the MSSP, 150 in all, in order). Three of the site's rules match some
// alerts: one assigns (through the triage path: trigger check, timeline row,
// audit row), one notifies an email channel (a sealed outbox message and a
// delivery row), one schedules an escalation job; the other 147 match nothing
// (every field and operator of the language is exercised).
//
//   engine   evaluateAlert, alert by alert, as the evaluate job calls it.
//   bare     the same alert's reads (alert, rules by a plain join up
//            tenants.path), the same parse and match in JS, and the
//            assignment UPDATE and run rows as the owner: no service-role
//            switch, no rules_for visibility check, no triage path, audit,
//            mail or escalation job. The engine runs as service_role, which
//            bypasses RLS, so the ratio is what the engine's guarantees cost,
//            not RLS.
import pg from "pg";
import { inTransaction } from "@/lib/db/with-tenant";
import { parseDefinition, ruleMatches } from "@/lib/rules/language";
import { evaluateAlert, factsOf } from "@/lib/rules/engine";
import { fmtCount, fmtMs, fmtRatio, median, p95 } from "./measure";

export interface RulesBenchInput {
  url: string;
  msspId: string;
  site: { id: string; slug: string };
  assigneeId: string;
  rulesPerTenant?: number;
  alerts?: number;
  log: (line: string) => void;
}

// Non-matching rule shapes, by rule number: every field and operator.
const SHAPES = `(case g % 6
  when 0 then jsonb_build_array(jsonb_build_object('field','severity','op','at_least','value','high'), jsonb_build_object('field','title','op','contains','value','nomatch-' || g))
  when 1 then jsonb_build_array(jsonb_build_object('field','hostname','op','starts_with','value','zz-' || g))
  when 2 then jsonb_build_array(jsonb_build_object('field','source','op','is','value','bench-src-' || g), jsonb_build_object('field','detection_rule','op','contains','value','nomatch'))
  when 3 then jsonb_build_array(jsonb_build_object('field','asset_criticality','op','at_least','value','high'), jsonb_build_object('field','hostname','op','is','value','nomatch-' || g))
  when 4 then jsonb_build_array(jsonb_build_object('field','source','op','is_not','value','x'), jsonb_build_object('field','title','op','is','value','nomatch-' || g))
  else jsonb_build_array(jsonb_build_object('field','severity','op','is','value','info'))
end)`;

async function seedRules(owner: pg.Client, input: RulesBenchInput, perTenant: number): Promise<{ tenants: number; rules: number; channelId: string }> {
  const { rowCount } = await owner.query(
    `insert into public.workflow_rules (tenant_id, name, position, enabled, definition)
     select t.id, 'bench rule ' || g, g, true,
            jsonb_build_object('match', case when g % 6 = 2 then 'any' else 'all' end, 'conditions', ${SHAPES},
                               'actions', jsonb_build_object('assignTo', $2::text, 'notify', '[]'::jsonb))
       from public.tenants t, public.tenants m, generate_series(1, $3::int) g
      where m.id = $1 and t.path operator(extensions.<@) m.path`,
    [input.msspId, input.assigneeId, perTenant],
  );
  const [{ tenants }] = (await owner.query(`select count(distinct tenant_id)::int as tenants from public.workflow_rules`)).rows;
  const channel = await owner.query<{ id: string }>(
    `insert into public.notification_channels (tenant_id, id, name, kind, recipients) values ($1, gen_random_uuid(), 'bench mail', 'email', '{soc@bench.test}') returning id`,
    [input.site.id],
  );
  const channelId = channel.rows[0].id;
  // Three of the site's own rules match: assign, notify by email, escalate.
  const matching: Array<[number, unknown]> = [
    [1, { match: "all", conditions: [{ field: "severity", op: "at_least", value: "high" }], actions: { assignTo: input.assigneeId, notify: [] } }],
    [2, { match: "all", conditions: [{ field: "severity", op: "is", value: "critical" }], actions: { notify: [channelId] } }],
    [3, { match: "all", conditions: [{ field: "hostname", op: "contains", value: "prod" }], actions: { notify: [] }, escalation: { afterMinutes: 15, assignTo: input.assigneeId, notify: [] } }],
  ];
  for (const [g, definition] of matching) {
    await owner.query(`update public.workflow_rules set definition = $3 where tenant_id = $1 and name = $2`, [input.site.id, `bench rule ${g}`, definition]);
  }
  // Workflows on for the site whatever an earlier part set above it (the config part turns
  // features.workflows off at the MSSP to vary the settings; the engine would then match nothing).
  await owner.query(
    `insert into public.tenant_settings (tenant_id, key, value) values ($1, 'features.workflows', 'true'::jsonb)
     on conflict (tenant_id, key) do update set value = excluded.value`,
    [input.site.id],
  );
  await owner.query(`analyze public.workflow_rules`);
  return { tenants, rules: rowCount ?? 0, channelId };
}

async function insertAlerts(owner: pg.Client, siteId: string, n: number, tag: string): Promise<string[]> {
  const { rows } = await owner.query<{ id: string }>(
    `insert into public.alerts (tenant_id, title, severity, source, hostname, detected_at)
     select $1, 'bench ' || $3 || ' ' || i, (array['critical','high','medium','low'])[1 + i % 4], 'edr',
            case when i % 2 = 0 then 'prod-' || i else 'dev-' || i end, now()
       from generate_series(1, $2::int) i
     returning id`,
    [siteId, n, tag],
  );
  return rows.map((r) => r.id);
}

/** The bare side: the same reads, parse and match, and the assignment and run rows, as the owner. */
async function bareEvaluate(siteId: string, alertId: string): Promise<number> {
  return inTransaction(async (client) => {
    const { rows: alerts } = await client.query(
      `select a.tenant_id, a.id, a.title, a.severity, a.source, a.hostname, a.rule_name, a.status, a.created_at, s.criticality as asset_criticality
         from public.alerts a left join public.assets s on s.tenant_id = a.tenant_id and s.id = a.asset_id
        where a.tenant_id = $1 and a.id = $2`,
      [siteId, alertId],
    );
    const a = alerts[0];
    const { rows: rules } = await client.query(
      `select r.tenant_id, r.id, r.version, r.definition
         from public.workflow_rules r join public.tenants t on t.id = r.tenant_id, public.tenants me
        where me.id = $1 and t.path operator(extensions.@>) me.path and r.enabled
        order by extensions.nlevel(t.path), r.position, r.name`,
      [siteId],
    );
    const facts = factsOf(a);
    let matched = 0;
    for (const r of rules) {
      const parsed = parseDefinition(r.definition);
      if (!parsed.ok || !ruleMatches(parsed.definition, facts)) continue;
      matched++;
      await client.query(
        `insert into public.workflow_rule_runs (tenant_id, alert_id, rule_tenant_id, rule_id, rule_version, stage, outcome)
         values ($1, $2, $3, $4, $5, 'match', 'applied') on conflict do nothing`,
        [a.tenant_id, a.id, r.tenant_id, r.id, r.version],
      );
      if (parsed.definition.actions.assignTo) await client.query(`update public.alerts set assigned_to = $3 where tenant_id = $1 and id = $2`, [a.tenant_id, a.id, parsed.definition.actions.assignTo]);
    }
    return matched;
  });
}

const stats = (xs: number[]) => `median ${fmtMs(median(xs))} ms, p95 ${fmtMs(p95(xs))} ms`;

export async function runRulesBench(input: RulesBenchInput): Promise<string[]> {
  const perTenant = input.rulesPerTenant ?? 50;
  const n = input.alerts ?? Number(process.env.BENCH_RULE_ALERTS ?? 500);
  // Email notifications are sealed under a key derived from it (lib/mail/seal.ts).
  process.env.NEXTAUTH_SECRET ??= "bench-only-nextauth-secret-not-used-anywhere-else";
  const owner = new pg.Client({ connectionString: input.url });
  await owner.connect();
  const lines: string[] = [];
  try {
    const t0 = performance.now();
    const seeded = await seedRules(owner, input, perTenant);
    const [{ applicable }] = (
      await owner.query(
        `select count(*)::int as applicable from public.workflow_rules r join public.tenants t on t.id = r.tenant_id, public.tenants me
          where me.id = $1 and t.path operator(extensions.@>) me.path and r.enabled`,
        [input.site.id],
      )
    ).rows;
    input.log(`  seeded ${fmtCount(seeded.rules)} rules on ${fmtCount(seeded.tenants)} tenants in ${((performance.now() - t0) / 1000).toFixed(1)} s; ${applicable} apply to ${input.site.slug}`);
    const engineAlerts = await insertAlerts(owner, input.site.id, n, "engine");
    const bareAlerts = await insertAlerts(owner, input.site.id, n, "bare");

    // Warm-up (not counted): a few alerts of each side.
    const warm = Math.min(10, Math.floor(n / 10));
    for (const id of engineAlerts.slice(0, warm)) await evaluateAlert(input.site.id, id);
    for (const id of bareAlerts.slice(0, warm)) await bareEvaluate(input.site.id, id);

    const engineTimes: number[] = [];
    let matchedRules = 0;
    const e0 = performance.now();
    for (const id of engineAlerts.slice(warm)) {
      const t = performance.now();
      const result = await evaluateAlert(input.site.id, id);
      engineTimes.push(performance.now() - t);
      matchedRules += result.matched.length;
    }
    const engineSeconds = (performance.now() - e0) / 1000;
    const bareTimes: number[] = [];
    let bareMatched = 0;
    const b0 = performance.now();
    for (const id of bareAlerts.slice(warm)) {
      const t = performance.now();
      bareMatched += await bareEvaluate(input.site.id, id);
      bareTimes.push(performance.now() - t);
    }
    const bareSeconds = (performance.now() - b0) / 1000;
    if (bareMatched !== matchedRules) throw new Error(`engine and bare sides disagree: ${matchedRules} vs ${bareMatched} rule matches`);

    // The engine's work really happened: assignments, mail, escalation jobs.
    const [check] = (
      await owner.query(
        `select (select count(*)::int from public.alerts where id = any ($1::uuid[]) and assigned_to is not null) as assigned,
                (select count(*)::int from public.notification_deliveries where alert_id = any ($1::uuid[])) as deliveries,
                (select count(*)::int from graphile_worker.jobs where task_identifier = 'workflows:escalate') as escalations,
                (select count(*)::int from public.audit_log where target_id = any ($1::text[]) and action in ('alert.assigned', 'alert.notified')) as audited`,
        [engineAlerts],
      )
    ).rows;
    const measured = engineAlerts.length - warm;
    const engineRate = measured / engineSeconds;
    const bareRate = (bareAlerts.length - warm) / bareSeconds;
    lines.push(
      `engine (evaluateAlert, one transaction per alert, ${applicable} rules each): ${fmtCount(measured)} alerts, ${engineRate.toFixed(0)} alerts/s, ${stats(engineTimes)}`,
      `bare owner path (same reads, parse and match, assignment and run rows): ${bareRate.toFixed(0)} alerts/s, ${stats(bareTimes)}`,
      `ratio engine/bare: median ${fmtRatio(median(engineTimes) / median(bareTimes))}, p95 ${fmtRatio(p95(engineTimes) / p95(bareTimes))}; throughput ${fmtRatio(bareRate / engineRate)}`,
      `work done by the engine: ${fmtCount(matchedRules)} rule matches (timed alerts); on all ${fmtCount(engineAlerts.length)} alerts incl. warm-up: ${fmtCount(check.assigned)} alerts assigned, ${fmtCount(check.deliveries)} email deliveries, ${fmtCount(check.escalations)} escalations scheduled, ${fmtCount(check.audited)} audit rows`,
    );
    for (const line of lines) input.log(`  ${line}`);
    return lines;
  } finally {
    // The parts timed after this one (the lifecycle bench inserts 200,000
    // alerts) must not find 80,000 enabled rules queueing an evaluation each.
    await owner.query(`delete from public.workflow_rules where name like 'bench rule %'`).catch(() => {});
    await owner.query(`delete from graphile_worker._private_jobs where key like 'workflows:%'`).catch(() => {});
    await owner.end();
  }
}

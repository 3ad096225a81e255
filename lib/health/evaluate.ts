// The evaluation (docs/health.md): every active customer and site, measured
// (measure.ts, set-based), judged (signals.ts, pure), stored, and each change
// of state announced, in ONE service-role transaction (purpose
// health.evaluate) under a transaction-level advisory lock:
//   - the new states are written by one upsert, the transitions by one insert
//     of the tenants whose state differs from the stored one, so re-running
//     an evaluation with nothing changed writes no transition (idempotent);
//   - notifications are queued in the same transaction as their transition:
//     a change is announced exactly once (a run that fails rolls back both);
//   - the first evaluation of a tenant records where it starts (from_state
//     null) and announces nothing: nothing changed.
import { withServiceRole } from "@/lib/db/service-role";
import type { Db } from "@/lib/db/with-tenant";
import { effectiveConfigsAsService } from "@/lib/settings";
import { measure } from "./measure";
import { notifyTransition, type Transition } from "./notify";
import { combineState, computeSignals, reasonsOf, type HealthState, type Signal } from "./signals";
import { thresholdsOf } from "./thresholds";

export interface EvaluationStats {
  tenants: number;
  transitions: number;
  notified: number;
  states: Record<HealthState, number>;
}

export interface EvaluateOptions {
  /** The clock (tests inject one); default: the database's now(). */
  now?: Date;
  /** Only these tenants (an operator's re-check); default: every active customer and site. */
  tenantIds?: readonly string[];
}

/** Evaluates in the caller's service-role transaction. */
export async function evaluateHealthIn(db: Db, opts: EvaluateOptions = {}): Promise<EvaluationStats> {
  const c = db.$client;
  await c.query("select pg_advisory_xact_lock(hashtext('health.evaluate'))");
  const now = opts.now ?? (await c.query<{ now: Date }>("select now()")).rows[0].now;
  const { rows: tenants } = await c.query<{ id: string }>(
    // Active, and nothing above it suspended or offboarding: a site of a suspended customer keeps its own
    // row 'active', but its keys are refused and its collectors go quiet (docs/health.md: not evaluated).
    `select t.id from public.tenants t
      where t.kind <> 'mssp' and t.status = 'active' and ($1::uuid[] is null or t.id = any ($1::uuid[]))
        and not exists (select 1 from public.tenants s where s.status <> 'active' and t.path operator(extensions.<@) s.path)
      order by t.id`,
    [opts.tenantIds ?? null],
  );
  const ids = tenants.map((t) => t.id);
  const stats: EvaluationStats = { tenants: ids.length, transitions: 0, notified: 0, states: { healthy: 0, degraded: 0, down: 0 } };
  if (ids.length === 0) return stats;
  const configs = await effectiveConfigsAsService(db, ids);
  const measured = await measure(db, ids, configs, now);
  const input = ids.map((id) => {
    const signals: Signal[] = computeSignals(measured.get(id)!, thresholdsOf(configs.get(id)!), now);
    const state = combineState(signals);
    stats.states[state]++;
    return { tenant_id: id, state, signals, reasons: reasonsOf(signals) };
  });
  // Every CTE reads the statement's snapshot: `prev` is the state before this upsert.
  const { rows } = await c.query<{ tenant_id: string; id: string; from_state: HealthState | null; to_state: HealthState; reasons: Signal[] }>(
    `with input as (
       select * from jsonb_to_recordset($1::jsonb) as x(tenant_id uuid, state text, signals jsonb, reasons jsonb)
     ),
     prev as (
       select h.tenant_id, h.state from public.tenant_health h where h.tenant_id in (select tenant_id from input)
     ),
     upserted as (
       insert into public.tenant_health as h (tenant_id, state, signals, since, evaluated_at)
       select tenant_id, state, signals, $2, $2 from input
       on conflict (tenant_id) do update
         set since = case when h.state = excluded.state then h.since else excluded.since end,
             state = excluded.state, signals = excluded.signals, evaluated_at = excluded.evaluated_at
       returning h.tenant_id
     )
     insert into public.tenant_health_transitions (tenant_id, from_state, to_state, reasons, occurred_at)
     select i.tenant_id, p.state, i.state, i.reasons, $2
       from input i left join prev p on p.tenant_id = i.tenant_id
      where p.state is distinct from i.state
     returning tenant_id, id::text, from_state, to_state, reasons`,
    [JSON.stringify(input), now],
  );
  stats.transitions = rows.length;
  for (const r of rows) {
    if (r.from_state === null) continue;
    const t: Transition = { tenantId: r.tenant_id, id: r.id, from: r.from_state, to: r.to_state, reasons: r.reasons, at: now };
    const n = await notifyTransition(db, t);
    stats.notified += n;
    if (n > 0) await c.query("update public.tenant_health_transitions set notified = $3 where tenant_id = $1 and id = $2", [r.tenant_id, r.id, n]);
  }
  return stats;
}

/** One evaluation in its own service-role transaction: the scheduled job, the bench, the tests. */
export function evaluateHealth(opts: EvaluateOptions = {}): Promise<EvaluationStats> {
  return withServiceRole("health.evaluate", (db) => evaluateHealthIn(db, opts));
}

// Assigning a plan to many customers, through lib/billing's assignPlan (its
// refusals: a site, another MSSP's plan, an overlapping period, a currency
// mismatch). A customer whose plan for the month has a fixed end is skipped
// (the new period would overlap it: change that assignment first). The undo
// removes the assignment the run made and reopens the one it ended, so the
// customer is billed exactly as before (or at no plan); a customer whose
// plans changed again since the run (a later plan, an end set, the ended one
// changed) is left as it is now, and so is one with an invoice finalized at
// the run's plan (the rule replaceAssignment keeps: a billed assignment stays).
import { ActionRefusal } from "@/lib/actions/refusal";
import { assignPlan, getPlan } from "@/lib/billing";
import { finalizedInvoiceMonth } from "@/lib/billing/assignments";
import type { TenantTx } from "@/lib/db/with-tenant";
import type { OperationParams } from "../model";
import type { OperationImpl, PlanLine } from "./types";

type P = Extract<OperationParams, { operation: "plan" }>;

interface Current {
  tenant_id: string;
  id: string;
  plan_id: string;
  plan_name: string;
  starts_on: string;
  ends_on: string | null;
}

/** Each customer's assignments that cover or follow the month (under RLS: the MSSP's admins). */
async function assignmentsFrom(tx: TenantTx, ids: readonly string[], from: string): Promise<Map<string, Current[]>> {
  const { rows } = await tx.client.query<Current>(
    `select a.tenant_id, a.id, a.plan_id, p.name as plan_name, to_char(a.starts_on, 'YYYY-MM') as starts_on, to_char(a.ends_on, 'YYYY-MM-DD') as ends_on
       from public.billing_plan_assignments a
       join public.billing_plans p on p.tenant_id = a.plan_tenant_id and p.id = a.plan_id
      where a.tenant_id = any ($1::uuid[]) and (a.ends_on is null or a.ends_on > $2::date)
      order by a.starts_on`,
    [ids, `${from}-01`],
  );
  const out = new Map<string, Current[]>();
  for (const r of rows) out.set(r.tenant_id, [...(out.get(r.tenant_id) ?? []), r]);
  return out;
}

/** The customer's plan for the month has a fixed end: a new period from the month would overlap it. */
const fixedEnd = (covering: Current) => `${covering.plan_name} bills until ${covering.ends_on} (a fixed end): skipped (change that assignment first).`;
const covers = (r: Current, from: string) => r.starts_on <= from;

export const planOperation: OperationImpl<P> = {
  actions: () => ["billing:manage"],

  async validate(tx, p, runTenantId) {
    const plan = await getPlan(tx, runTenantId, p.planId);
    if (!plan) throw new ActionRefusal("That plan does not exist (it may have been removed, or it belongs to another MSSP). Nothing was changed.");
    return `Plan ${plan.name} from ${p.from}`;
  },

  async plan(tx, targets, p) {
    const customers = targets.filter((t) => t.kind === "customer").map((t) => t.id);
    const current = await assignmentsFrom(tx, customers, p.from);
    const { rows: plan } = await tx.client.query<{ name: string }>("select name from public.billing_plans where id = $1", [p.planId]);
    const name = plan[0]?.name ?? "the plan";
    return targets.map((t): PlanLine => {
      if (t.kind !== "customer") return { planned: "A site is billed with its customer: skipped.", skip: true };
      const rows = current.get(t.id) ?? [];
      const covering = rows.find((r) => covers(r, p.from));
      const later = rows.find((r) => r.starts_on >= p.from);
      if (covering && covering.plan_id === p.planId && covering.ends_on === null) return { planned: `Already on ${name}: skipped.`, skip: true };
      if (later) return { planned: `Has a plan from ${later.starts_on} on: skipped (end it first).`, skip: true };
      if (covering && covering.ends_on !== null) return { planned: fixedEnd(covering), skip: true };
      return { planned: `${covering ? covering.plan_name : "No plan"} → ${name} from ${p.from}`, skip: false };
    });
  },

  async apply(tx, target, p, actorId) {
    if (target.kind !== "customer") return { status: "skipped", message: "A site is billed with its customer." };
    const rows = (await assignmentsFrom(tx, [target.id], p.from)).get(target.id) ?? [];
    const open = rows.find((r) => r.ends_on === null && r.starts_on < p.from) ?? null;
    if (open && open.plan_id === p.planId) return { status: "skipped", message: "Already on this plan." };
    const fixed = rows.find((r) => r.ends_on !== null && covers(r, p.from));
    if (fixed) return { status: "skipped", message: fixedEnd(fixed) };
    const { id } = await assignPlan(tx, target.id, p.planId, p.from, actorId);
    return {
      status: "done",
      before: { ended: open ? { id: open.id, plan_id: open.plan_id } : null },
      after: { assignment_id: id },
      message: open ? `${open.plan_name} ends; the new plan bills from ${p.from}.` : `Billed at the new plan from ${p.from} (no plan before).`,
      details: { plan_id: p.planId, from: p.from, ended_assignment: open?.id ?? null },
    };
  },

  async undo(tx, target, p, before, after) {
    const { assignment_id } = after as { assignment_id: string };
    const { ended } = before as { ended: { id: string } | null };
    const from = `${p.from}-01`;
    // Every assignment of the customer, locked: the run's must still be open and the last, the one it ended still end where the run ended it.
    const { rows } = await tx.client.query<{ id: string; plan_id: string; starts_on: string; ends_on: string | null }>(
      `select id, plan_id, to_char(starts_on, 'YYYY-MM-DD') as starts_on, to_char(ends_on, 'YYYY-MM-DD') as ends_on
         from public.billing_plan_assignments where tenant_id = $1 order by starts_on for update`,
      [target.id],
    );
    const made = rows.find((r) => r.id === assignment_id);
    if (!made) return { status: "undo_skipped", message: "The assignment this run made is gone already: left as it is now." };
    const previous = ended ? rows.find((r) => r.id === ended.id) : null;
    const changedAgain =
      made.plan_id !== p.planId ||
      made.starts_on !== from ||
      made.ends_on !== null ||
      rows.some((r) => r.id !== made.id && r.starts_on > made.starts_on) ||
      (ended !== null && previous?.ends_on !== from);
    if (changedAgain) return { status: "undo_skipped", message: "Changed again since this run: left as it is now." };
    // Billed at the run's plan: that assignment stays (and the one it ended stays ended), as for a replacement.
    const billed = await finalizedInvoiceMonth(tx, target.id, from, null);
    if (billed) {
      return {
        status: "undo_skipped",
        message: `The invoice of ${billed} was finalized at the plan this run assigned, so that assignment stays: left as it is now (correct the invoice with a credit note, and assign the plan it should have from a later month).`,
      };
    }
    await tx.client.query("delete from public.billing_plan_assignments where tenant_id = $1 and id = $2", [target.id, assignment_id]);
    if (ended) {
      await tx.client.query("update public.billing_plan_assignments set ends_on = null where tenant_id = $1 and id = $2 and ends_on = $3::date", [target.id, ended.id, from]);
    }
    return {
      status: "undone",
      message: ended ? "The previous plan bills again, with no end." : "No plan again.",
      details: { removed_assignment: assignment_id, reopened_assignment: ended?.id ?? null },
    };
  },
};

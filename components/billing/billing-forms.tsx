"use client";
// The billing console's forms. Each posts to a server action that checks
// everything again (zod, PDP billing:manage, RLS, the database's rules); the
// page only hides what cannot work. Money is typed in the currency's major
// units ("15.00"; lib/billing/schemas.ts converts it exactly to minor units).
import { ConfirmedForm } from "@/components/ui/confirmed-form";
import { RowRemovals, useRowRemoval } from "@/components/ui/row-removals";
import { useActionState } from "react";
import { useKeptForm } from "@/components/ui/use-kept-form";
import { FieldError, ResultMessage, SubmitButton } from "@/components/team/form-bits";
import { TableScroll } from "@/components/ui/table-scroll";
import { assignPlan } from "@/lib/actions/billing/assign-plan";
import { createCreditNote } from "@/lib/actions/billing/create-credit-note";
import { createPlan } from "@/lib/actions/billing/create-plan";
import { deletePlan } from "@/lib/actions/billing/delete-plan";
import { draftPeriod } from "@/lib/actions/billing/draft-period";
import { discardCreditNote } from "@/lib/actions/billing/discard-credit-note";
import { finalizeInvoice } from "@/lib/actions/billing/finalize-invoice";
import { updatePlan } from "@/lib/actions/billing/update-plan";
import { idle, type ActionResult } from "@/lib/actions/result";
import { TIERS_PLACEHOLDER, type PlanFormValues } from "@/lib/billing/form-text";

const input = "mt-1 rounded-lg border border-slate-300 bg-white px-3 py-1.5 text-sm";
const label = "flex flex-col text-xs font-medium text-slate-600";

// A refused save keeps what was typed: useKeptForm submits without React's reset (the fields'
// defaults are the saved plan's). The action is the server action itself, so the form also posts
// without JavaScript.
export function PlanForm(props: { tenantId: string; values: PlanFormValues; invoiced?: boolean; assigned?: boolean }) {
  const [state, action] = useActionState(props.values.planId ? updatePlan : createPlan, idle as ActionResult<{ id: string }>);
  const keptAction = useKeptForm(state, action);
  const v = props.values;
  return (
    <form action={action} {...keptAction} noValidate className="space-y-3" aria-label={v.planId ? `Edit plan ${v.name}` : "Create a plan"}>
      <input type="hidden" name="tenantId" value={props.tenantId} />
      {v.planId && <input type="hidden" name="planId" value={v.planId} />}
      <div className="flex flex-wrap gap-3">
        <label className={label}>
          Plan name
          <input name="name" defaultValue={v.name} maxLength={80} className={`${input} w-56`} />
          <FieldError state={state} name="name" />
        </label>
        <label className={label}>
          Currency (ISO 4217)
          <input name="currency" defaultValue={v.currency} maxLength={3} className={`${input} w-20 uppercase`} />
          <FieldError state={state} name="currency" />
        </label>
        <label className={label}>
          Monthly base fee
          <input name="baseFee" defaultValue={v.baseFee} inputMode="decimal" placeholder="e.g. 500.00" className={`${input} w-40`} />
          <FieldError state={state} name="baseFee" />
        </label>
        <label className={label}>
          Monthly minimum
          <input name="minimum" defaultValue={v.minimum} inputMode="decimal" className={`${input} w-40`} />
          <FieldError state={state} name="minimum" />
        </label>
      </div>
      {props.invoiced && <p className="text-xs text-amber-700">Finalized invoices were billed at this plan: its prices and fees can no longer change (its name can). Create a new plan for new prices.</p>}
      {props.assigned && !props.invoiced && <p className="text-xs text-amber-700">This plan is or was assigned to customers: its currency can no longer change. Create a new plan for another currency.</p>}
      <TableScroll label="Prices per metric">
      <table className="w-full min-w-[36rem] text-sm">
        <thead>
          <tr className="text-left text-xs text-slate-600">
            <th className="py-1 font-medium">Metric</th>
            <th className="py-1 font-medium">Included</th>
            <th className="py-1 font-medium">Price per (units)</th>
            <th className="py-1 font-medium">Tiers: &quot;up to @ unit price&quot;, last open (empty = not billed)</th>
          </tr>
        </thead>
        <tbody>
          {v.metrics.map((m) => (
            <tr key={m.metric}>
              <td className="py-1 pr-2 text-slate-700">{m.label}</td>
              <td className="py-1 pr-2">
                <input aria-label={`${m.label}: included`} name={`included_${m.metric}`} defaultValue={m.included} inputMode="numeric" className={`${input} w-28`} />
                <FieldError state={state} name={`included_${m.metric}`} />
              </td>
              <td className="py-1 pr-2">
                <input aria-label={`${m.label}: price per`} name={`unitSize_${m.metric}`} defaultValue={m.unitSize} inputMode="numeric" className={`${input} w-24`} />
                <FieldError state={state} name={`unitSize_${m.metric}`} />
              </td>
              <td className="py-1">
                <input aria-label={`${m.label}: tiers`} name={`tiers_${m.metric}`} defaultValue={m.tiers} placeholder={TIERS_PLACEHOLDER} className={`${input} w-full`} />
                <FieldError state={state} name={`tiers_${m.metric}`} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      </TableScroll>
      <div className="flex items-center gap-3">
        <SubmitButton pendingLabel="Saving…">{v.planId ? "Save plan" : "Create plan"}</SubmitButton>
        <ResultMessage state={state} />
      </div>
    </form>
  );
}

export function AssignPlanForm(props: { customerId: string; customerName: string; plans: { id: string; name: string; currency: string }[]; defaultMonth: string; current?: string }) {
  const [state, action] = useActionState(assignPlan, idle as ActionResult<{ id: string }>);
  const keptAction = useKeptForm(state, action);
  return (
    <form action={action} {...keptAction} noValidate className="flex flex-wrap items-end gap-2" aria-label={`Assign a plan to ${props.customerName}`}>
      <input type="hidden" name="tenantId" value={props.customerId} />
      <label className={label}>
        Plan
        <select name="planId" defaultValue={props.current ?? props.plans[0]?.id} className={input}>
          {props.plans.map((p) => (
            <option key={p.id} value={p.id}>
              {p.name} ({p.currency})
            </option>
          ))}
        </select>
      </label>
      <label className={label}>
        From month
        <input name="from" type="month" defaultValue={props.defaultMonth} className={input} />
        <FieldError state={state} name="from" />
      </label>
      <label className="flex items-center gap-1 text-xs text-slate-600">
        <input type="checkbox" name="replace" />
        Replace the plan assigned from that month
      </label>
      <SubmitButton pendingLabel="Assigning…">Assign</SubmitButton>
      <ResultMessage state={state} />
    </form>
  );
}

/**
 * Drafts the month the page shows: one month picker on the page ("Show month"), so what is drafted
 * is always what the operator is looking at (a second picker beside it read alike and did otherwise).
 */
export function RunPeriodForm(props: { msspId: string; month: string }) {
  const [state, action] = useActionState(draftPeriod, idle as Awaited<ReturnType<typeof draftPeriod>>);
  const keptAction = useKeptForm(state, action);
  return (
    <form action={action} {...keptAction} noValidate className="flex flex-wrap items-end gap-2" aria-label="Run a period">
      <input type="hidden" name="tenantId" value={props.msspId} />
      <input type="hidden" name="month" value={props.month} />
      <SubmitButton pendingLabel="Drafting…">Draft all invoices for {props.month}</SubmitButton>
      <FieldError state={state} name="month" />
      <ResultMessage state={state} />
    </form>
  );
}

/** Deletes a plan that never billed a customer (the page offers it only for those; the database refuses the rest). */
export function DeletePlanButton(props: { tenantId: string; planId: string; name: string }) {
  const remove = useRowRemoval();
  return (
    <ConfirmedForm
      action={remove}
      question={`Delete the plan "${props.name}"? It never billed a customer, so nothing else changes.`}
      className="flex flex-wrap items-center gap-2"
      aria-label={`Delete plan ${props.name}`}
    >
      <input type="hidden" name="tenantId" value={props.tenantId} />
      <input type="hidden" name="planId" value={props.planId} />
      <SubmitButton tone="danger" pendingLabel="Deleting…">
        Delete plan
      </SubmitButton>
    </ConfirmedForm>
  );
}

/** The plans list: a deleted plan's answer is said above it, since the plan's card goes. */
export function PlanRemovals(props: { children: React.ReactNode }) {
  return (
    <RowRemovals action={deletePlan} testId="plan-removal-answer">
      {props.children}
    </RowRemovals>
  );
}

export function FinalizeButton(props: { tenantId: string; invoiceId: string }) {
  const [state, action] = useActionState(finalizeInvoice, idle as ActionResult<{ number: number }>);
  const keptAction = useKeptForm(state, action);
  return (
    <form action={action} {...keptAction} className="inline-flex items-center gap-2" aria-label="Finalize">
      <input type="hidden" name="tenantId" value={props.tenantId} />
      <input type="hidden" name="invoiceId" value={props.invoiceId} />
      <SubmitButton pendingLabel="Finalizing…">Finalize</SubmitButton>
      <ResultMessage state={state} />
    </form>
  );
}

/** A draft credit note's second button beside Finalize: a mistaken draft would otherwise block the right one. */
export function DiscardCreditNoteButton(props: { tenantId: string; invoiceId: string; creditsInvoiceId: string }) {
  const [state, action] = useActionState(discardCreditNote, idle as ActionResult<{ invoiceId: string }>);
  const keptAction = useKeptForm(state, action);
  return (
    <form action={action} {...keptAction} className="inline-flex items-center gap-2" aria-label="Discard this draft">
      <input type="hidden" name="tenantId" value={props.tenantId} />
      <input type="hidden" name="invoiceId" value={props.invoiceId} />
      {state.ok ? (
        <a href={`/billing/invoices/${props.creditsInvoiceId}`} className="text-sm font-medium text-indigo-700 underline" data-testid="credit-note-discarded">
          Discarded: back to the invoice
        </a>
      ) : (
        <SubmitButton pendingLabel="Discarding…">Discard draft</SubmitButton>
      )}
      <ResultMessage state={state} />
    </form>
  );
}

export function CreditNoteForm(props: { tenantId: string; invoiceId: string; currency: string; amount: { label: string; placeholder: string } }) {
  const [state, action] = useActionState(createCreditNote, idle as ActionResult<{ id: string }>);
  const keptAction = useKeptForm(state, action);
  return (
    <form action={action} {...keptAction} noValidate className="flex flex-wrap items-end gap-2" aria-label="Issue a credit note">
      <input type="hidden" name="tenantId" value={props.tenantId} />
      <input type="hidden" name="invoiceId" value={props.invoiceId} />
      {/* The currency the amount is typed in: the action refuses it unless it is the invoice's. */}
      <input type="hidden" name="currency" value={props.currency} />
      {/* On a phone each field takes the card's width (a 10rem and a 20rem box side by side were ragged, one
          under the other); from sm up they sit in a row as before. */}
      <label className={`${label} w-full sm:w-auto`}>
        {props.amount.label}
        <input name="amount" inputMode="decimal" defaultValue="" placeholder={props.amount.placeholder} className={`${input} w-full sm:w-40`} />
        <FieldError state={state} name="amount" />
      </label>
      <label className={`${label} w-full sm:w-auto`}>
        Reason (printed on the credit note)
        <input name="reason" maxLength={500} defaultValue="" className={`${input} w-full sm:w-80`} />
        <FieldError state={state} name="reason" />
      </label>
      <SubmitButton pendingLabel="Drafting…">Draft credit note</SubmitButton>
      <ResultMessage state={state} />
    </form>
  );
}

"use client";
// A person's saved views of the alert list: links, a delete button each, and
// "save this view" for the current filters.
import { useActionState } from "react";
import { useKeptForm } from "@/components/ui/use-kept-form";
import { RowRemovalForm, RowRemovals } from "@/components/ui/row-removals";
import { FieldError, ResultMessage, SubmitButton } from "@/components/team/form-bits";
import { deleteAlertFilter, saveAlertFilter } from "@/lib/actions/alerts/saved-filters";
import { idle, type ActionResult } from "@/lib/actions/result";
import type { SavedFilter } from "@/lib/alerts/saved-filters";

function DeleteButton({ tenantId, filter }: { tenantId: string; filter: SavedFilter }) {
  return (
    <RowRemovalForm fields={{ tenantId, filterId: filter.id }} className="inline">
      <button type="submit" className="ml-1 rounded px-1 text-slate-500 hover:text-red-700" aria-label={`Delete saved view ${filter.name}`}>
        ×
      </button>
    </RowRemovalForm>
  );
}

export function SavedFilters(props: { tenantId: string; filters: SavedFilter[]; currentQuery: string }) {
  const [state, action] = useActionState(saveAlertFilter, idle as ActionResult<{ id: string; query: string }>);
  const keptAction = useKeptForm(state, action);
  return (
    <RowRemovals action={deleteAlertFilter} testId="saved-view-removal-answer">
    <section aria-label="Saved filters" className="flex flex-wrap items-center gap-2 text-sm" data-testid="saved-filters">
      <span className="text-xs font-medium text-slate-600">Saved:</span>
      {/* Built in: what the groups one is in (lib/groups) have open. */}
      <a href="?group=mine&status=open" className="rounded-full bg-white px-3 ring-1 ring-slate-300 text-slate-800 hover:underline" data-testid="view-my-groups">
        Assigned to my groups
      </a>
      {props.filters.length === 0 && <span className="text-xs text-slate-500">none of your own yet — filter the list, then save the view.</span>}
      {props.filters.map((f) => (
        <span key={f.id} className="inline-flex items-center rounded-full bg-slate-100 pl-3 pr-1 ring-1 ring-slate-200">
          <a href={f.query} className="text-slate-800 hover:underline">
            {f.name}
          </a>
          <DeleteButton tenantId={props.tenantId} filter={f} />
        </span>
      ))}
      <form action={action} {...keptAction} className="ml-auto flex items-start gap-2">
        <input type="hidden" name="tenantId" value={props.tenantId} />
        <input type="hidden" name="query" value={props.currentQuery} />
        <label className="sr-only" htmlFor="saved-filter-name">
          Name for this view
        </label>
        <div>
          <input id="saved-filter-name" name="name" maxLength={80} placeholder="Name this view" className="rounded-lg border border-slate-300 px-3 py-1.5 text-sm" />
          <FieldError state={state} name="name" />
        </div>
        <SubmitButton tone="quiet" pendingLabel="Saving…">
          Save view
        </SubmitButton>
        <ResultMessage state={state} />
      </form>
    </section>
    </RowRemovals>
  );
}

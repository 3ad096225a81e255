"use client";
// What an action says after it removed the thing it was shown beside. A row's
// answer is rendered in the row (components/team/form-bits.tsx ResultMessage),
// and a successful delete takes the row away in the same render, so "Group
// deleted; 3 alerts no longer assigned to it" was never seen and a screen
// reader heard nothing (WCAG 4.1.3, status messages). Such forms take their
// action from useAnnouncedAction: on success its message goes to the shell's
// one live region (AppShell renders <Announcer />), which outlives the row.
// A refusal still answers in the row, which is still there.
import { useActionState, useEffect, useSyncExternalStore } from "react";
import { idle, type ActionResult } from "@/lib/actions/result";

type Shown = { id: number; message: string } | null;

// One store per browser tab. The server never announces (only the action wrappers below do, in the
// browser) and renders the region empty, so nothing is shared between requests.
let shown: Shown = null;
let counter = 0;
const listeners = new Set<() => void>();
const publish = (next: Shown) => {
  shown = next;
  for (const listener of listeners) listener();
};
const subscribe = (listener: () => void) => {
  listeners.add(listener);
  return () => void listeners.delete(listener);
};

/** How long a message stays unless closed first: long enough to read twice. */
const SHOWN_MS = 12_000;

export function announce(message: string) {
  publish({ id: ++counter, message });
}

/** useActionState for a form whose success removes it: the success message is announced by the shell. */
export function useAnnouncedAction<T>(run: (previous: ActionResult<T>, form: FormData) => Promise<ActionResult<T>>) {
  return useActionState(async (previous: ActionResult<T>, form: FormData) => {
    const result = await run(previous, form);
    if (result.ok && result.message) announce(result.message);
    return result;
  }, idle as ActionResult<T>);
}

export function Announcer() {
  const current = useSyncExternalStore(subscribe, () => shown, () => null);
  useEffect(() => {
    if (!current) return;
    const timer = setTimeout(() => shown?.id === current.id && publish(null), SHOWN_MS);
    return () => clearTimeout(timer);
  }, [current]);
  return (
    // The live region is in the page from the start (an inserted one is not read out); only its text changes.
    <div role="status" aria-live="polite" className="pointer-events-none fixed inset-x-0 bottom-4 z-50 flex justify-center px-4" data-testid="announcer">
      {current && (
        <div key={current.id} className="pointer-events-auto flex max-w-lg items-start gap-3 rounded-lg border border-emerald-200 bg-emerald-50 px-4 py-3 text-sm text-emerald-900 shadow-lg">
          <span>{current.message}</span>
          <button type="button" onClick={() => publish(null)} aria-label="Close this message" className="-my-0.5 rounded px-1 text-emerald-800 hover:bg-emerald-100">
            ×
          </button>
        </div>
      )}
    </div>
  );
}

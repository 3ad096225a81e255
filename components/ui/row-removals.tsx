"use client";
// The answer to a removal, said by the list rather than by the row removed. A
// row's own useActionState went with the row: a successful delete took the row
// and its "Group deleted; 3 alerts no longer assigned to it" away in one render,
// so nobody saw it and a screen reader heard nothing (WCAG 4.1.3, status
// messages). Here the list holds the one action state its rows' removal forms
// share; its answer sits above the rows, in a live region that is in the page
// from the start (an inserted one is not read out), and outlives any row.
//
// The forms keep a real server action as their `action` (the list's
// dispatcher), so a removal that needs no question also works without
// JavaScript: the page comes back with the answer in the same place.
//
//   <RowRemovals action={revokeInvitation}>
//     …rows, each with <RowRemovalForm> or <ConfirmedForm action={useRowRemoval()}>…
//   </RowRemovals>
import { createContext, useActionState, useContext, useEffect, useRef, type ReactNode } from "react";
import { idle, type ActionResult } from "@/lib/actions/result";

type Removal = (form: FormData) => void;
const RemovalContext = createContext<Removal | null>(null);

export function RowRemovals<T>(props: {
  action: (previous: ActionResult<T>, form: FormData) => Promise<ActionResult<T>>;
  /** Names the answer region for tests; one page can hold several lists. */
  testId?: string;
  className?: string;
  /** Where the answer sits against the rows (margins); it takes no room while there is none. */
  answerClassName?: string;
  children: ReactNode;
}) {
  const [state, dispatch] = useActionState(props.action, idle as ActionResult<T>);
  const place = props.answerClassName ?? "mb-2";
  // A keyboard user's focus was on the row's button: when the row (or the button, disabled while
  // pending) is gone, the browser drops focus to the page's start. It goes to the answer instead,
  // where the next Tab continues in the list; focus held elsewhere is left alone.
  const answerRef = useRef<HTMLParagraphElement>(null);
  useEffect(() => {
    if (state === idle) return;
    const focused = document.activeElement;
    if (!focused || focused === document.body) answerRef.current?.focus();
  }, [state]);
  return (
    <RemovalContext.Provider value={dispatch}>
      <div className={props.className}>
        <div role="status" aria-live="polite" data-testid={props.testId ?? "removal-answer"}>
          {state.ok && state.message ? <p ref={answerRef} tabIndex={-1} className={`${place} rounded-lg bg-emerald-50 px-3 py-2 text-sm text-emerald-900 outline-none`}>{state.message}</p> : null}
        </div>
        {!state.ok && state.error ? (
          <p ref={answerRef} tabIndex={-1} role="alert" data-testid="action-error" className={`${place} rounded-lg bg-red-50 px-3 py-2 text-sm text-red-800 outline-none`}>
            {state.error}
          </p>
        ) : null}
        {props.children}
      </div>
    </RemovalContext.Provider>
  );
}

/** The list's removal dispatcher, for a row's form (a ConfirmedForm's `action`, or RowRemovalForm's). */
export function useRowRemoval(): Removal {
  const removal = useContext(RemovalContext);
  if (!removal) throw new Error("A row removal form must be inside <RowRemovals>.");
  return removal;
}

/** A removal that needs no question: its hidden fields name the row; without JavaScript it posts. */
export function RowRemovalForm(props: { fields: Record<string, string>; className?: string; children: ReactNode }) {
  const removal = useRowRemoval();
  return (
    <form action={removal} className={props.className}>
      {Object.entries(props.fields).map(([name, value]) => (
        <input key={name} type="hidden" name={name} value={value} />
      ))}
      {props.children}
    </form>
  );
}

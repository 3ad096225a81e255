"use client";
// A form that asks before it does what cannot be undone (delete a credential,
// a plan or a group, remove a member or a domain). The question is the
// browser's confirm dialog, which only JavaScript can show, so the form's
// controls stay disabled until React has hydrated it: before that, a click
// posted the form natively and the server action ran with no question asked
// (e2e/confirmed-forms.spec.ts). Without JavaScript such a form does nothing,
// which is the safe side for a destructive action.
import type { ReactNode } from "react";
import { useHydrated } from "./use-hydrated";

export function ConfirmedForm(props: {
  action: (form: FormData) => void;
  /** What the dialog asks; cancelling it sends nothing. */
  question: string;
  className?: string;
  "aria-label"?: string;
  children: ReactNode;
}) {
  const hydrated = useHydrated();
  return (
    <form
      action={props.action}
      className={props.className}
      aria-label={props["aria-label"]}
      onSubmit={(e) => {
        if (!window.confirm(props.question)) e.preventDefault();
      }}
    >
      {/* A disabled fieldset disables every control in it (the submit button included); `contents` keeps the form's layout. */}
      <fieldset disabled={!hydrated} className="contents">
        {props.children}
      </fieldset>
    </form>
  );
}

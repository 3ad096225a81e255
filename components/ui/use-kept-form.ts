"use client";
// The props of a server-action form that keeps what the person chose and typed
// when the action refuses it. React resets a form after every form action, a
// refusal included: the fields went back to their defaults beside the message
// about them, and where a controlled field kept its value while the selects
// around it reset (the bulk wizard), the next submission sent a different
// setting than the one on screen. With these props the form is submitted by
// submitKeepingForm (no reset) and reset only after a success, as React would
// have (`resetOnSuccess: false` where the saved value is what the fields should
// go on showing, e.g. a select of the current assignee). The form keeps its
// `action`: without JavaScript it posts as before.
//
//   const [state, dispatch] = useActionState(save, idle);
//   const kept = useKeptForm(state, dispatch);
//   <form action={dispatch} {...kept} className="…">
import { useEffect, useRef } from "react";
import { submitKeepingForm } from "./submit-keeping-form";

export function useKeptForm(
  state: { ok: boolean },
  dispatch: (data: FormData) => void,
  opts: { resetOnSuccess?: boolean } = {},
) {
  const ref = useRef<HTMLFormElement>(null);
  const answered = useRef(state);
  const resetOnSuccess = opts.resetOnSuccess !== false;
  useEffect(() => {
    if (state === answered.current) return;
    answered.current = state;
    if (state.ok && resetOnSuccess) ref.current?.reset();
  }, [state, resetOnSuccess]);
  return { ref, onSubmit: submitKeepingForm(dispatch) };
}

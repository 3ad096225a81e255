// A form submitted through onSubmit rather than as a form action: React resets
// a form after its action runs, and a refused save must keep what was typed
// for the person to correct. The handler reads the form (with the button that
// submitted it, whose name and value a form action would see too), optionally
// empties some fields first (a secret never stays in the page: `clear`), then
// dispatches the server action inside a transition (useActionState's
// dispatcher needs one outside a form action). React, seeing the submit
// prevented and a transition started, still gives the form its pending state
// (useFormStatus) but neither runs its action nor resets it.
import { startTransition } from "react";

export function submitKeepingForm(dispatch: (data: FormData) => void, opts: { clear?: readonly string[] } = {}) {
  return (event: React.FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = event.currentTarget;
    const submitter = (event.nativeEvent as SubmitEvent).submitter;
    const data = new FormData(form, submitter);
    for (const name of opts.clear ?? []) {
      const field = form.elements.namedItem(name);
      if (field instanceof HTMLInputElement) field.value = "";
    }
    startTransition(() => dispatch(data));
  };
}

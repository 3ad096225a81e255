// A form submitted through onSubmit rather than as a form action: React resets
// a form after its action runs, and a refused save must keep what was typed
// for the person to correct. The handler reads the form, optionally empties
// some fields first (a secret never stays in the page: `clear`), then
// dispatches the server action inside a transition (useActionState's
// dispatcher needs one outside a form action).
import { startTransition } from "react";

export function submitKeepingForm(dispatch: (data: FormData) => void, opts: { clear?: readonly string[] } = {}) {
  return (event: React.FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    for (const name of opts.clear ?? []) {
      const field = form.elements.namedItem(name);
      if (field instanceof HTMLInputElement) field.value = "";
    }
    startTransition(() => dispatch(data));
  };
}

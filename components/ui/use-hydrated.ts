// Whether React has hydrated this component (false in the server-rendered HTML
// and during hydration, true after). A form that submits through JavaScript
// (onSubmit with preventDefault) keeps its submit button disabled until then:
// before hydration the browser would submit it natively, as a GET of the
// current page with every field in the URL (a password or a transfer key in
// the address bar, the history and every access log), and a choice made in a
// controlled field before hydration is reset when React takes over.
import { useSyncExternalStore } from "react";

const noSubscription = () => () => {};

export function useHydrated(): boolean {
  return useSyncExternalStore(noSubscription, () => true, () => false);
}

// The link into another portal through a handoff (lib/auth/handoff.ts); no server code, so components import it.
/** The link the switcher and the console's tenant tree use: on the current host, relative. */
export function handoffHref(slug: string | "console", next?: string): string {
  return `/handoff/go?to=${encodeURIComponent(slug)}${next ? `&next=${encodeURIComponent(next)}` : ""}`;
}

// What a refused handoff tells the person (lib/auth/handoff.ts); no server code, so the landing page imports it too.
// Two answers are not refusals but questions, asked before the token is spent (login CSRF), each
// naming the account the link opens as `<code>:<email>`:
//   "handoff_confirm": nobody is signed in on this host: "Continue as <email>?";
//   "handoff_switch": another account is signed in on this host: "Switch accounts?".
export const HANDOFF_CONFIRM = "handoff_confirm";
export const HANDOFF_SWITCH = "handoff_switch";

export type HandoffQuestion = { kind: "confirm" | "switch"; email: string };

/** The provider's answer as `handoffQuestion(kind, email)` made it, or null for anything else (a refusal). */
export function parseHandoffQuestion(error: string | null | undefined): HandoffQuestion | null {
  const m = /^handoff_(confirm|switch):(.+)$/s.exec(error ?? "");
  return m ? { kind: m[1] as HandoffQuestion["kind"], email: m[2]! } : null;
}

export function handoffQuestion(kind: HandoffQuestion["kind"], email: string): string {
  return `${kind === "confirm" ? HANDOFF_CONFIRM : HANDOFF_SWITCH}:${email}`;
}
export type HandoffRefusal = "unknown" | "replayed" | "expired" | "wrong_host" | "session_ended" | "no_membership";

export const HANDOFF_MESSAGES: Record<HandoffRefusal, string> = {
  unknown: "This sign-in link is not valid. Sign in here instead.",
  replayed: "This sign-in link was used already: each works once. Sign in here, or go back and open the portal again.",
  expired: "This sign-in link has expired (they last a minute). Go back and open the portal again, or sign in here.",
  wrong_host: "This sign-in link was made for another portal address. Sign in here instead.",
  session_ended: "The session this link came from has ended. Sign in here.",
  no_membership: "Your account has no access to this portal. Sign in with another account, or ask its admin for an invitation.",
};

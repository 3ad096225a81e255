// What a refused handoff tells the person (lib/auth/handoff.ts); no server code, so the landing page imports it too.
// "handoff_switch" is not a refusal: another account is signed in on this host, and the landing asks first.
export const HANDOFF_SWITCH = "handoff_switch";
export type HandoffRefusal = "unknown" | "replayed" | "expired" | "wrong_host" | "session_ended" | "no_membership";

export const HANDOFF_MESSAGES: Record<HandoffRefusal, string> = {
  unknown: "This sign-in link is not valid. Sign in here instead.",
  replayed: "This sign-in link was used already: each works once. Sign in here, or go back and open the portal again.",
  expired: "This sign-in link has expired (they last a minute). Go back and open the portal again, or sign in here.",
  wrong_host: "This sign-in link was made for another portal address. Sign in here instead.",
  session_ended: "The session this link came from has ended. Sign in here.",
  no_membership: "Your account has no access to this portal. Sign in with another account, or ask its admin for an invitation.",
};

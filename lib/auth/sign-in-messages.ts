// What the sign-in page says for each failure code next-auth hands back
// (lib/auth/options.ts throws them). Never says whether an email exists, and
// never mentions a second factor before the password was right.
export function signInErrorMessage(code: string | null | undefined): string | null {
  if (!code) return null;
  // The same for every email, existing or not, and whether this email or the
  // whole network ran out of attempts (lib/auth/credentials.ts).
  if (code.startsWith("locked:")) {
    const minutes = minutesFrom(code, "locked:");
    return `Too many sign-in attempts. Sign-in is locked for ${minutes} minute${minutes === 1 ? "" : "s"}; try again later.`;
  }
  if (code.startsWith("mfa_locked:")) {
    return `Too many wrong authentication codes. App codes are locked for ${durationFrom(code, "mfa_locked:")}; try again later, or sign in with a recovery code.`;
  }
  if (code === "mfa_recovery_required") {
    return "Too many wrong authentication codes in a row: app codes are no longer accepted. Sign in with one of your recovery codes; if you no longer have your app, replace it under Security once signed in.";
  }
  if (code === "mfa_invalid") return "That code didn't work. Enter the current code from your authenticator app, or an unused recovery code.";
  // Not an error: the form moves on to the code step.
  if (code === "mfa_required") return null;
  if (code === "invalid" || code === "CredentialsSignin") return "Wrong email or password.";
  if (code === WRONG_HOST || code.startsWith(`${WRONG_HOST}:`)) {
    return "This address is reserved for the organisation's own people, and your account reaches beyond it. Sign in on the portal's own address instead.";
  }
  return "Sign-in failed. Try again in a moment.";
}

/** The failure codes that mean "the password was right; ask for (another) code". */
export function isCodeStepError(code: string | null | undefined): boolean {
  return code === "mfa_required" || code === "mfa_invalid" || code === "mfa_recovery_required" || (code ?? "").startsWith("mfa_locked:");
}

function minutesFrom(code: string, prefix: string): number {
  return Math.max(1, Math.ceil(Number(code.slice(prefix.length)) / 60));
}

/** "15 minutes", "59 minutes", "4 hours": the second factor's locks grow to hours (lib/auth/mfa.ts). */
function durationFrom(code: string, prefix: string): string {
  const minutes = minutesFrom(code, prefix);
  if (minutes <= 90) return `${minutes} minute${minutes === 1 ? "" : "s"}`;
  const hours = Math.ceil(minutes / 60);
  return `${hours} hours`;
}

// A tenant's custom domain refused someone who is not one of its own people (lib/auth/host-rule.ts),
// after the right password: `wrong_host:<origin>`, the origin to sign in on instead (<slug>.<domain>,
// or the console). Only the sign-in answer itself carries the origin; the page's ?error= (anyone's
// link) shows the message without one (wrongHostOrigin is not asked there).
const WRONG_HOST = "wrong_host";

export function wrongHostError(origin: string): string {
  return `${WRONG_HOST}:${origin}`;
}

/** The origin in a `wrong_host:<origin>` answer (an http(s) origin and nothing more), else null. */
export function wrongHostOrigin(code: string | null | undefined): string | null {
  const m = /^wrong_host:(https?:\/\/[a-z0-9.-]+(?::\d{1,5})?)$/.exec(code ?? "");
  return m ? m[1]! : null;
}

// The two ways an authorization check says no. Both mean "do not proceed":
// callers never treat either as allow.
import type { Action } from "./actions";

/** The PDP answered, and the answer was deny. Show a 403 / "you can't do that". */
export class AuthorizationError extends Error {
  override readonly name = "AuthorizationError";
  constructor(
    readonly action: Action,
    readonly tenantId: string,
  ) {
    super(`Not allowed: ${action} on this tenant`);
  }
}

/**
 * The PDP could not give an answer: CERBOS_URL unset, connection refused, a
 * timeout, or an error response. The answer is deny; the message is safe to
 * show, `reason` is for the logs.
 */
export class PdpUnavailableError extends Error {
  override readonly name = "PdpUnavailableError";
  constructor(
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super("Authorization service unavailable — nothing was changed; try again in a minute", options);
  }
}

export function isAuthorizationError(error: unknown): error is AuthorizationError {
  return error instanceof AuthorizationError || (error instanceof Error && error.name === "AuthorizationError");
}

/** For pages and actions: render components/ui/pdp-unavailable.tsx when this is true. */
export function isPdpUnavailable(error: unknown): error is PdpUnavailableError {
  return error instanceof PdpUnavailableError || (error instanceof Error && error.name === "PdpUnavailableError");
}

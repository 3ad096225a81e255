// Hold-and-wait, caught in tests: code that already holds a pooled
// connection (inside inTransaction, so withTenant and withServiceRole) and
// asks the pool for another. Under load every request can end up holding one
// connection while waiting for a second, and the pool starves (the load
// bench's timeouts, README "Performance"). The way out is to run the second
// piece of work on the connection already held (withServiceRoleIn) or after
// the transaction.
//
// DB_HOLD_AND_WAIT: unset (production) checks nothing; "warn" logs each case
// with its stack; "throw" fails the second acquisition (tests/hold-and-wait).
import { AsyncLocalStorage } from "node:async_hooks";
import { settings } from "@/lib/config";

const globalForHeld = globalThis as unknown as { __msspHeldConnection?: AsyncLocalStorage<true> };
const held = (globalForHeld.__msspHeldConnection ??= new AsyncLocalStorage<true>());

export class HoldAndWaitError extends Error {}

/** Runs `fn` marked as holding a pooled connection (only when the check is on: the marking costs a context). */
export function whileHolding<T>(fn: () => Promise<T>): Promise<T> {
  return settings().DB_HOLD_AND_WAIT ? held.run(true, fn) : fn();
}

/** Called before taking a connection from the pool. */
export function checkNotHolding(): void {
  const mode = settings().DB_HOLD_AND_WAIT;
  if (!mode || !held.getStore()) return;
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 40; // deep enough to reach the page or job that holds the first connection
  const error = new HoldAndWaitError("a second pooled connection was asked for while this code holds one (lib/db/held-connection.ts)");
  Error.stackTraceLimit = limit;
  if (mode === "throw") throw error;
  console.warn(`[hold-and-wait] ${error.stack}`);
}

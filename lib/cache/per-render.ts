// State kept for one page render: the layouts and the page Next renders for a
// request share it (React's cache()), and it is gone once the request is
// answered. Outside a render there is none, unless the work runs inside
// `sharing` (what is not a render but should share like one, and the tests).
// Used by lib/authz/pdp.ts (one PDP request per render) and
// lib/db/render-transaction.ts (one transaction per render).
import { AsyncLocalStorage } from "node:async_hooks";
import { cache } from "react";

export interface PerRender<T> {
  /** This render's state (or `sharing`'s), or null when there is neither. */
  current(): T | null;
  /** Runs `fn` with a state of its own, shared by everything inside as a render's is. */
  sharing<R>(fn: () => Promise<R>): Promise<R>;
}

export function perRender<T extends object>(create: () => T): PerRender<T> {
  const ofRender = cache(create);
  const explicit = new AsyncLocalStorage<T>();
  return {
    current() {
      const shared = explicit.getStore();
      if (shared) return shared;
      // Outside a render React's cache() keeps nothing: each call makes a new state.
      const state = ofRender();
      return state === ofRender() ? state : null;
    },
    sharing: (fn) => explicit.run(create(), fn),
  };
}

// The id of the request being answered, for audit rows and logs: the one the
// proxy gave it (proxy.ts, which replaces any a client sent), or, for the
// tenant API, which the proxy does not see, the one the gateway gave it
// (withRequestId): a client-sent x-request-id on an API call is never read.
import { AsyncLocalStorage } from "node:async_hooks";
import { headers } from "next/headers";

const ownId = new AsyncLocalStorage<string>();

/** Runs `fn` as answering the request `id` (lib/api/gateway: requests the proxy does not see). */
export function withRequestId<T>(id: string, fn: () => Promise<T>): Promise<T> {
  return ownId.run(id, fn);
}

export async function requestId(): Promise<string | null> {
  const own = ownId.getStore();
  if (own) return own;
  return (await headers()).get("x-request-id");
}

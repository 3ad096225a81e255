// What Next.js's server does at start (node-environment): make
// AsyncLocalStorage global, so its per-request storage is a real one. Without
// it, outside a Next server, that storage is a stand-in that holds nothing.
// Import this first, before anything that loads next/dist/server/….
import { AsyncLocalStorage } from "node:async_hooks";

(globalThis as unknown as { AsyncLocalStorage?: typeof AsyncLocalStorage }).AsyncLocalStorage ??= AsyncLocalStorage;

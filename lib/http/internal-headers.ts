// Next.js's router adds `x-middleware-rewrite: /t/<slug>/…` (the internal
// route the proxy rewrote to) to the response itself, after proxy.ts has run,
// so nothing the proxy or a page does can remove it. It is an internal
// header: the App Router's client never reads it (it uses
// x-nextjs-rewritten-path on its own RSC requests, which stays). This drops
// it from every response at the moment the headers are sent: the one place
// that runs after Next has set it, in any server (next start, next dev, the
// standalone server.js). Installed once per process by instrumentation.ts.
import http from "node:http";

/** Response headers no visitor should see. */
export const INTERNAL_RESPONSE_HEADERS: readonly string[] = ["x-middleware-rewrite"];

type WriteHead = http.ServerResponse["writeHead"];
const patched = Symbol.for("mssp.internal-headers-stripped");

function withoutInternal(headers: unknown): unknown {
  if (!headers || typeof headers !== "object") return headers;
  if (Array.isArray(headers)) {
    // Either [[name, value], …] or a flat [name, value, name, value, …].
    if (headers.every((h) => Array.isArray(h))) return headers.filter(([name]) => !INTERNAL_RESPONSE_HEADERS.includes(String(name).toLowerCase()));
    const out: unknown[] = [];
    for (let i = 0; i < headers.length; i += 2) {
      if (!INTERNAL_RESPONSE_HEADERS.includes(String(headers[i]).toLowerCase())) out.push(headers[i], headers[i + 1]);
    }
    return out;
  }
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !INTERNAL_RESPONSE_HEADERS.includes(name.toLowerCase())));
}

/** Makes every http.ServerResponse of this process drop INTERNAL_RESPONSE_HEADERS when its headers go out. Idempotent. */
export function stripInternalResponseHeaders(): void {
  const proto = http.ServerResponse.prototype as http.ServerResponse & { [patched]?: true };
  if (proto[patched]) return;
  const original: WriteHead = proto.writeHead;
  // Node sends headers through writeHead, explicitly or from res.write/end
  // (its implicit header path calls this.writeHead too).
  proto.writeHead = function (this: http.ServerResponse, ...args: unknown[]) {
    for (const name of INTERNAL_RESPONSE_HEADERS) if (!this.headersSent) this.removeHeader(name);
    const last = args.length - 1;
    if (last >= 1 && typeof args[last] === "object") args[last] = withoutInternal(args[last]);
    return (original as (...a: unknown[]) => http.ServerResponse).apply(this, args);
  } as WriteHead;
  proto[patched] = true;
}

// GET /api/tls/ask?secret=<TLS_ASK_SECRET>&domain=<host>: Caddy's on-demand TLS
// permission check (deploy/caddy/Caddyfile, docs/white-label.md#tls-on-demand-caddy).
// 200: issue a certificate for it; 404: do not, or the question is not the
// terminator's (no or a wrong secret: answered before any look-up or count).
// Rate-limited per client source.
import { headers } from "next/headers";
import { z } from "zod";
import { askedByTerminator, mayIssueCertificate } from "@/lib/domains/ask";
import { clientSource, perWindow, take } from "@/lib/ratelimit";

const LIMIT = perWindow(1200, 60, 300);
const query = z.object({ domain: z.string().min(1).max(253) });
const NOT_SERVED = { status: 404, headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" } };

export async function GET(request: Request): Promise<Response> {
  const params = new URL(request.url).searchParams;
  if (!askedByTerminator(params.get("secret"))) return new Response("not served here\n", NOT_SERVED);
  const parsed = query.safeParse({ domain: params.get("domain") ?? "" });
  const source = clientSource(await headers());
  const r = await take(`tls-ask:${source}`.slice(0, 200), LIMIT);
  if (!r.allowed) return new Response("slow down\n", { status: 429, headers: { "retry-after": String(Math.ceil(r.retryAfterSeconds)), "cache-control": "no-store" } });
  const ok = parsed.success && (await mayIssueCertificate(parsed.data.domain).catch(() => false));
  return ok ? new Response("ok\n", { status: 200, headers: NOT_SERVED.headers }) : new Response("not served here\n", NOT_SERVED);
}

// The collector's side of the tenant API (docs/api.md): ingest batches,
// heartbeats, checkpoints and its credentials, over plain HTTP(S) with the tenant's key.
// node:http rather than fetch, because in a cluster the collector connects to
// the portal's Service address while the gateway routes by the Host header
// (COLLECTOR_API_HOST), which fetch does not let a caller set.
//
// An error names the call and the status and the problem document's title
// and detail (the portal's own text, which never holds the key); the key is
// scrubbed from it anyway, as a last guard.
import http from "node:http";
import https from "node:https";
import { scrubText } from "@/lib/log";
import type { AlertItem, Heartbeat } from "@/lib/ingest/schemas";
import type { ApiCheckpoint, AdvanceCheckpoint } from "./checkpoints";
import type { OpenedCredential, SkippedCredential } from "./open-credentials";
import { retryAfterMs } from "./backoff";

const TIMEOUT_MS = 60_000;
const MAX_ANSWER_BYTES = 8 * 1024 * 1024;

export class PortalApiError extends Error {
  override readonly name = "PortalApiError";
  constructor(
    message: string,
    /** 0 when the portal did not answer (network, timeout). */
    readonly status: number,
    readonly retryAfterMs: number | null,
    readonly problem: { type?: string; title?: string; detail?: string; cursor?: string | null } = {},
  ) {
    super(message);
  }
  /** Worth trying again after a wait: no answer, 408, 429, 5xx. */
  get transient(): boolean {
    return this.status === 0 || this.status === 408 || this.status === 429 || this.status >= 500;
  }
  /** The key itself is refused (unknown, revoked, expired, wrong host or scope): retrying cannot help. */
  get fatal(): boolean {
    return this.status === 401 || this.status === 403;
  }
}

export interface BatchResult {
  summary: { created: number; duplicates: number; rejected: number };
  results: ({ index: number; status: "created" | "duplicate"; id: string } | { index: number; status: "rejected"; reason?: string })[];
}

export interface PortalApiOptions {
  apiUrl: URL;
  apiHost: string | null;
  apiKey: string;
  userAgent: string;
}

export class PortalApi {
  /** Requests made (for tests and the logs). */
  requests = 0;
  constructor(private readonly opts: PortalApiOptions) {}

  private url(path: string): URL {
    const base = this.opts.apiUrl.pathname.replace(/\/+$/, "");
    return new URL(`${base}/api/v1${path}`, this.opts.apiUrl);
  }

  async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const url = this.url(path);
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const headers: Record<string, string> = {
      authorization: `Bearer ${this.opts.apiKey}`,
      accept: "application/json",
      "user-agent": this.opts.userAgent,
    };
    if (this.opts.apiHost) headers.host = this.opts.apiHost;
    if (payload !== undefined) {
      headers["content-type"] = "application/json";
      headers["content-length"] = String(Buffer.byteLength(payload));
    }
    this.requests++;
    const what = `${method} ${path.split("?")[0]}`;
    const client = url.protocol === "https:" ? https : http;
    const answer = await new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
      const req = client.request(url, { method, headers, signal: AbortSignal.timeout(TIMEOUT_MS), agent: false }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on("data", (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_ANSWER_BYTES) return res.destroy(new Error("answer too large"));
          chunks.push(chunk);
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on("error", reject);
      });
      req.on("error", reject);
      req.end(payload);
    }).catch((error: NodeJS.ErrnoException) => {
      const reason = error.name === "TimeoutError" || error.name === "AbortError" ? `no answer within ${TIMEOUT_MS / 1000} s` : (error.code ?? "network error");
      throw new PortalApiError(this.scrub(`${what}: the portal could not be reached (${reason})`), 0, null);
    });
    let json: unknown;
    try {
      json = answer.body.length ? JSON.parse(answer.body.toString("utf8")) : undefined;
    } catch {
      json = undefined;
    }
    if (answer.status >= 200 && answer.status < 300) return json as T;
    const p = (json && typeof json === "object" ? json : {}) as { type?: string; title?: string; detail?: string; cursor?: string | null };
    const said = [p.title, p.detail].filter((s) => typeof s === "string" && s).join(": ").slice(0, 400);
    throw new PortalApiError(
      this.scrub(`${what}: the portal answered ${answer.status}${said ? ` (${said})` : ""}`),
      answer.status,
      retryAfterMs(answer.headers["retry-after"]),
      { type: p.type, title: p.title, detail: p.detail, cursor: p.cursor },
    );
  }

  private scrub(text: string): string {
    return scrubText(text, [this.opts.apiKey]);
  }

  ingestAlerts(alerts: readonly AlertItem[]): Promise<BatchResult> {
    return this.call("POST", "/alerts", { alerts });
  }

  heartbeat(beat: Heartbeat): Promise<unknown> {
    return this.call("POST", "/collectors/heartbeat", beat);
  }

  async checkpoints(name: string): Promise<ApiCheckpoint[]> {
    const r = await this.call<{ checkpoints: ApiCheckpoint[] }>("GET", `/collectors/${encodeURIComponent(name)}/checkpoints`);
    return r.checkpoints;
  }

  /** The key's tenant's connector credentials, opened for this collector (secrets in the answer: keep them in memory only). */
  openCredentials(name: string): Promise<{ tenant_id: string; credentials: OpenedCredential[]; skipped: SkippedCredential[] }> {
    return this.call("POST", `/collectors/${encodeURIComponent(name)}/credentials`, {});
  }

  advanceCheckpoint(name: string, body: AdvanceCheckpoint): Promise<ApiCheckpoint & { replayed: boolean }> {
    return this.call("POST", `/collectors/${encodeURIComponent(name)}/checkpoints`, body);
  }
}

// A fake Kubernetes API server: just enough of one for @kubernetes/client-node
// (discovery, GET and DELETE of a Namespace, server-side-apply PATCH), on
// node:http, recording every request, plus a kubeconfig pointing at it. No
// API server can run here; what a real one would add is in
// docs/tenant-isolation.md. Used by tests/isolation-manifests.test.ts and
// tests/isolation-reapply.test.ts.
import { createServer, type IncomingMessage } from "node:http";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after } from "node:test";

export type Seen = { method: string; path: string; query: URLSearchParams; contentType?: string; authorization?: string; body?: any };
export const TOKEN = "fake-bearer-token-7f3a9c1d2e4b";
const resources = (group: string, list: [string, string, boolean][]) => ({
  kind: "APIResourceList", apiVersion: "v1", groupVersion: group,
  resources: list.map(([name, kind, namespaced]) => ({ name, kind, namespaced, singularName: "", verbs: ["get", "patch", "delete"] })),
});
export const DISCOVERY: Record<string, object> = {
  "/api/v1": resources("v1", [["namespaces", "Namespace", false], ["serviceaccounts", "ServiceAccount", true], ["resourcequotas", "ResourceQuota", true], ["limitranges", "LimitRange", true]]),
  "/apis/networking.k8s.io/v1": resources("networking.k8s.io/v1", [["networkpolicies", "NetworkPolicy", true]]),
  "/apis/apps/v1": resources("apps/v1", [["deployments", "Deployment", true]]),
};

let dir: string | undefined;
/** A temporary folder for kubeconfigs, removed when the test process exits. */
export function fakeKubeDir(): string {
  if (!dir) {
    const made = mkdtempSync(path.join(tmpdir(), "isolation-"));
    dir = made;
    process.once("exit", () => rmSync(made, { recursive: true, force: true }));
  }
  return dir;
}

/**
 * `namespaces`: the namespaces that exist, by name, with their labels; a server-side apply of a
 * Namespace creates or relabels it there, as the API server would.
 */
export async function fakeCluster(state: { namespaces?: Record<string, Record<string, string>>; failPatch?: { status: number; message: string } } = {}) {
  const seen: Seen[] = [];
  const namespaces = { ...state.namespaces };
  const read = async (req: IncomingMessage) => { let s = ""; for await (const c of req) s += c; return s; };
  const server = createServer(async (req, res) => {
    const url = new URL(req.url!, "http://x");
    const text = await read(req);
    seen.push({ method: req.method!, path: url.pathname, query: url.searchParams, contentType: req.headers["content-type"], authorization: req.headers.authorization, body: text ? JSON.parse(text) : undefined });
    const reply = (code: number, body: object) => res.writeHead(code, { "content-type": "application/json" }).end(JSON.stringify(body));
    const status = (code: number, message: string) => reply(code, { kind: "Status", apiVersion: "v1", status: "Failure", message, code });
    if (req.method === "GET" && DISCOVERY[url.pathname]) return reply(200, DISCOVERY[url.pathname]);
    const ns = /^\/api\/v1\/namespaces\/([^/]+)$/.exec(url.pathname)?.[1];
    if ((req.method === "GET" || req.method === "DELETE") && ns) {
      const labels = namespaces[ns];
      if (!labels) return status(404, `namespaces "${ns}" not found`);
      return reply(200, { apiVersion: "v1", kind: "Namespace", metadata: { name: ns, labels }, status: { phase: req.method === "DELETE" ? "Terminating" : "Active" } });
    }
    if (req.method === "PATCH") {
      if (state.failPatch) return status(state.failPatch.status, state.failPatch.message);
      const body = JSON.parse(text);
      if (ns && body.kind === "Namespace") namespaces[ns] = body.metadata?.labels ?? {};
      return reply(200, body);
    }
    status(404, "not found");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  const kubeconfig = path.join(fakeKubeDir(), `kubeconfig-${port}`);
  writeFileSync(kubeconfig, JSON.stringify({
    apiVersion: "v1", kind: "Config", "current-context": "fake",
    // The client refuses plain http unless told to skip TLS checks; a real
    // kubeconfig has https and the cluster's CA.
    clusters: [{ name: "fake", cluster: { server: `http://127.0.0.1:${port}`, "insecure-skip-tls-verify": true } }],
    users: [{ name: "operator", user: { token: TOKEN } }],
    // A default namespace that must never be used: every object names its own.
    contexts: [{ name: "fake", context: { cluster: "fake", user: "operator", namespace: "somewhere-else" } }],
  }));
  after(() => server.close());
  return { seen, namespaces, env: { KUBECONFIG: kubeconfig }, server: `http://127.0.0.1:${port}` };
}

// Putting a tenant's isolation resources into a cluster, and taking them out.
// A cluster is used only when KUBECONFIG names one: otherwise (the demo, the
// tests, an install without Kubernetes) the manifests are "rendered, not
// applied" and the operator downloads them. Apply is server-side apply under
// one field manager, forced, so re-running a provisioning step converges
// instead of failing on its own earlier write.
import { delimiter } from "node:path";
import { ApiException, KubeConfig, KubernetesObjectApi, PatchStrategy } from "@kubernetes/client-node";
import { scrubText } from "@/lib/log/scrub";
import { LABEL, MANAGED_BY, namespaceNameFor, type IsolationManifest } from "./render";
import { toClientModel } from "./client-model";
import { describeObject, validateManifests } from "./validate";

export const FIELD_MANAGER = "mssp-portal";
export type IsolationTarget = "cluster" | "none";
type Env = Record<string, string | undefined>;

type Loaded = { ok: true; kc: KubeConfig; server: string; secrets: string[] } | { ok: false; reason: string };

/** The first line only: YAML parse errors go on to quote the file, token included. */
const firstLine = (text: string) => text.split("\n", 1)[0] ?? "";

function loadCluster(env: Env): Loaded {
  const setting = env.KUBECONFIG?.trim();
  if (!setting) return { ok: false, reason: "KUBECONFIG is not set" };
  // Only the files KUBECONFIG lists: never ~/.kube/config or the pod's own
  // in-cluster account by accident.
  const files = setting.split(delimiter).filter(Boolean);
  const kc = new KubeConfig();
  try {
    kc.loadFromFile(files[0]);
    for (const file of files.slice(1)) {
      const more = new KubeConfig();
      more.loadFromFile(file);
      kc.mergeConfig(more);
    }
  } catch (error) {
    return { ok: false, reason: `KUBECONFIG could not be loaded: ${firstLine(error instanceof Error ? error.message : String(error))}` };
  }
  const cluster = kc.getCurrentCluster();
  if (!cluster?.server) return { ok: false, reason: "KUBECONFIG has no current context with a cluster server" };
  const user = kc.getCurrentUser();
  const secrets = [user?.token, user?.password, user?.keyData].filter((s): s is string => typeof s === "string" && s.length > 0);
  return { ok: true, kc, server: cluster.server, secrets };
}

/** "cluster" only when KUBECONFIG is set, loads, and has a current cluster. */
export function isolationTarget(env: Env = process.env): IsolationTarget {
  return loadCluster(env).ok ? "cluster" : "none";
}

export class IsolationClusterError extends Error {
  constructor(
    message: string,
    readonly object: string,
    readonly httpStatus?: number,
  ) {
    super(message);
    this.name = "IsolationClusterError";
  }
}

/** What the API server said, without headers, request options or credentials. */
function clusterError(action: string, object: string, loaded: Extract<Loaded, { ok: true }>, error: unknown): IsolationClusterError {
  let status: number | undefined;
  let detail: string;
  if (error instanceof ApiException) {
    status = error.code;
    // The body is the API server's Status (its `message` says what was wrong),
    // as an object or as JSON text depending on the client's content sniffing.
    let body = error.body as unknown;
    if (typeof body === "string") body = ((): unknown => { try { return JSON.parse(body as string); } catch { return body; } })();
    const message = (body as { message?: unknown } | null)?.message;
    const said = typeof message === "string" ? message : typeof body === "string" ? body : "";
    detail = `HTTP ${error.code}${said ? `: ${firstLine(said).slice(0, 300)}` : ""}`;
  } else {
    detail = firstLine(error instanceof Error ? error.message : String(error)).slice(0, 300);
  }
  const text = scrubText(`${action} ${object} on ${loaded.server} failed: ${detail}`, loaded.secrets).replace(/Bearer\s+\S+/gi, "Bearer [REDACTED]");
  return new IsolationClusterError(text, object, status);
}

const isNotFound = (error: unknown) => error instanceof ApiException && error.code === 404;

/**
 * Refuses to take over (or delete) a namespace that exists but is not this
 * tenant's: a force-apply would otherwise relabel someone else's namespace.
 * Returns whether the namespace exists.
 */
async function checkOwnership(api: KubernetesObjectApi, loaded: Extract<Loaded, { ok: true }>, namespace: string, tenantId: string): Promise<boolean> {
  const id = `Namespace ${namespace}`;
  let existing: { metadata?: { labels?: Record<string, string> } };
  try {
    existing = await api.read({ apiVersion: "v1", kind: "Namespace", metadata: { name: namespace } });
  } catch (error) {
    if (isNotFound(error)) return false;
    throw clusterError("Reading", id, loaded, error);
  }
  const labels = existing.metadata?.labels ?? {};
  if (labels[LABEL.managedBy] !== MANAGED_BY || labels[LABEL.tenantId] !== tenantId) {
    throw new IsolationClusterError(`${id} already exists on ${loaded.server} and is not this tenant's (${LABEL.tenantId}=${labels[LABEL.tenantId] ?? "none"}); leaving it alone`, id);
  }
  return true;
}

export type ApplyResult =
  | { status: "applied"; server: string; fieldManager: string; objects: string[] }
  | { status: "rendered"; reason: string; objects: string[] };

/**
 * Validates the set, then server-side applies it in order (the Namespace
 * first) when a cluster is configured; otherwise reports "rendered" with why.
 */
export async function applyIsolation(objects: readonly IsolationManifest[], options: { env?: Env } = {}): Promise<ApplyResult> {
  validateManifests(objects);
  const names = objects.map((o) => describeObject(o));
  const loaded = loadCluster(options.env ?? process.env);
  if (!loaded.ok) return { status: "rendered", reason: loaded.reason, objects: names };

  const ns = objects.find((o) => o.kind === "Namespace");
  const tenantId = ns?.metadata?.labels?.[LABEL.tenantId];
  if (!ns?.metadata?.name || !tenantId) throw new Error("An isolation set must contain its tenant's labelled Namespace");
  const api = KubernetesObjectApi.makeApiClient(loaded.kc);
  await checkOwnership(api, loaded, ns.metadata.name, tenantId);
  for (const [i, obj] of objects.entries()) {
    try {
      await api.patch(toClientModel(obj), undefined, undefined, FIELD_MANAGER, true, PatchStrategy.ServerSideApply);
    } catch (error) {
      throw clusterError("Applying", names[i], loaded, error);
    }
  }
  return { status: "applied", server: loaded.server, fieldManager: FIELD_MANAGER, objects: names };
}

export type RemoveResult =
  | { status: "deleted"; server: string; namespace: string }
  | { status: "absent"; server: string; namespace: string }
  | { status: "nothing-to-remove"; reason: string; namespace: string };

/**
 * Deletes the tenant's namespace, which takes everything in it along. The
 * API server accepts at once and finishes in the background (the namespace
 * shows as Terminating until its contents are gone).
 */
export async function removeIsolation(tenant: { tenantId: string; slug: string }, options: { env?: Env } = {}): Promise<RemoveResult> {
  const namespace = namespaceNameFor(tenant.slug);
  const loaded = loadCluster(options.env ?? process.env);
  if (!loaded.ok) return { status: "nothing-to-remove", reason: loaded.reason, namespace };
  const api = KubernetesObjectApi.makeApiClient(loaded.kc);
  if (!(await checkOwnership(api, loaded, namespace, tenant.tenantId))) return { status: "absent", server: loaded.server, namespace };
  try {
    await api.delete({ apiVersion: "v1", kind: "Namespace", metadata: { name: namespace } });
  } catch (error) {
    // Gone between the read and the delete: the outcome asked for.
    if (isNotFound(error)) return { status: "absent", server: loaded.server, namespace };
    throw clusterError("Deleting", `Namespace ${namespace}`, loaded, error);
  }
  return { status: "deleted", server: loaded.server, namespace };
}

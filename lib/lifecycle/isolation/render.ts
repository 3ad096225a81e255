// A tenant's isolation resources as Kubernetes objects: its own Namespace,
// network policies that deny everything but DNS and the portal's API, a quota
// and per-container limits sized by its plan, and service accounts with no
// rights. Pure: the same tenant and config always give the same objects in the
// same order (the download, the apply and the tests all see one rendering).
import { createHash } from "node:crypto";
import { dumpYaml } from "@kubernetes/client-node";
import type { ILimitRange, INamespace, IResourceQuota, IServiceAccount } from "kubernetes-models/v1";
import type { INetworkPolicy } from "kubernetes-models/networking.k8s.io/v1";
import type { IDeployment } from "kubernetes-models/apps/v1";
import { z } from "zod";
import { collectorDeploymentConfigFromEnv, collectorManifests, type CollectorDeploymentConfig } from "@/lib/collector/deployment";
import { planInfo, planSchema } from "@/lib/lifecycle/plans";
import { tenantSlugSchema } from "@/lib/tenancy/slug";
import { toClientModel } from "./client-model";
import { isolationConfigFromEnv, type IsolationConfig } from "./config";

export type IsolationManifest = INamespace | IServiceAccount | IResourceQuota | ILimitRange | INetworkPolicy | IDeployment;

/** Label keys, under one prefix so `kubectl get ns -l mssp-portal/tenant-id=…` finds a tenant. */
export const LABEL = {
  tenantId: "mssp-portal/tenant-id",
  tenantSlug: "mssp-portal/tenant-slug",
  tenantKind: "mssp-portal/tenant-kind",
  msspId: "mssp-portal/mssp-id",
  msspSlug: "mssp-portal/mssp-slug",
  plan: "mssp-portal/plan",
  managedBy: "app.kubernetes.io/managed-by",
} as const;
export const MANAGED_BY = "mssp-portal";
/** The rights-less account the tenant's own workloads (its collector) run as. */
export const WORKLOAD_SERVICE_ACCOUNT = "tenant-workload";

export const isolationTenantSchema = z.object({
  tenantId: z.guid(),
  slug: tenantSlugSchema,
  // Free text: it only ever goes into an annotation, never a name or label.
  name: z.string().min(1).max(200),
  kind: z.enum(["mssp", "customer", "site"]),
  msspId: z.guid(),
  msspSlug: tenantSlugSchema,
  plan: planSchema,
});
export type IsolationTenant = z.infer<typeof isolationTenantSchema>;

const NAMESPACE_PREFIX = "tenant-";
const MAX_LABEL = 63;
const HASH_LENGTH = 12;

/**
 * `tenant-<slug>` while that fits in one DNS label (63). A longer slug is cut
 * and followed by "--" and a hash of the whole slug. Slugs never contain "--"
 * (words are joined by single hyphens), so a shortened name can never equal
 * another tenant's plain one, and two long slugs with the same start still
 * differ by their hash.
 */
export function namespaceNameFor(slug: string): string {
  const plain = `${NAMESPACE_PREFIX}${slug}`;
  if (plain.length <= MAX_LABEL) return plain;
  const hash = createHash("sha256").update(slug).digest("hex").slice(0, HASH_LENGTH);
  const room = MAX_LABEL - NAMESPACE_PREFIX.length - 2 - HASH_LENGTH;
  const head = slug.slice(0, room).replace(/-+$/, "");
  return `${NAMESPACE_PREFIX}${head}--${hash}`;
}

export function renderIsolationManifests(
  input: IsolationTenant,
  config: IsolationConfig = isolationConfigFromEnv(),
  collector: CollectorDeploymentConfig = collectorDeploymentConfigFromEnv(),
): IsolationManifest[] {
  const parsed = isolationTenantSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`Cannot render isolation resources: ${issue.path.join(".") || "tenant"}: ${issue.message}`);
  }
  const t = parsed.data;
  const namespace = namespaceNameFor(t.slug);
  const { quota, container } = planInfo(t.plan).sizes;
  // A fresh object per call: nothing is shared between manifests, so a caller
  // (or the client library, which fills in defaults) mutating one cannot
  // change another, and YAML never needs anchors.
  const labels = (): Record<string, string> => ({
    [LABEL.managedBy]: MANAGED_BY,
    [LABEL.msspId]: t.msspId,
    [LABEL.msspSlug]: t.msspSlug,
    [LABEL.plan]: t.plan,
    [LABEL.tenantId]: t.tenantId,
    [LABEL.tenantKind]: t.kind,
    [LABEL.tenantSlug]: t.slug,
  });
  const meta = (name: string) => ({ name, namespace, labels: labels() });
  const egressPolicy = (name: string, peer: object, ports: { protocol: "TCP" | "UDP"; port: number }[]): INetworkPolicy => ({
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: meta(name),
    spec: { podSelector: {}, policyTypes: ["Egress"], egress: [{ to: [peer], ports }] },
  });

  // Order matters for apply: the Namespace must exist before what lives in it.
  return [
    {
      apiVersion: "v1",
      kind: "Namespace",
      metadata: {
        name: namespace,
        // Pod Security "restricted": no privileged pods, host paths or root in a tenant's namespace.
        labels: { ...labels(), "pod-security.kubernetes.io/enforce": "restricted" },
        annotations: { "mssp-portal/tenant-name": t.name },
      },
    },
    // The namespace's own `default` account would mount a token into every pod
    // that names no account; switch that off too (its other fields stay the cluster's).
    { apiVersion: "v1", kind: "ServiceAccount", metadata: meta("default"), automountServiceAccountToken: false },
    // No Role or RoleBinding names this account: it has no rights, and no token is mounted.
    { apiVersion: "v1", kind: "ServiceAccount", metadata: meta(WORKLOAD_SERVICE_ACCOUNT), automountServiceAccountToken: false },
    {
      apiVersion: "v1",
      kind: "ResourceQuota",
      metadata: meta("tenant-quota"),
      spec: {
        hard: {
          "limits.cpu": quota.limitsCpu,
          "limits.memory": quota.limitsMemory,
          persistentvolumeclaims: String(quota.persistentVolumeClaims),
          pods: String(quota.pods),
          "requests.cpu": quota.requestsCpu,
          "requests.memory": quota.requestsMemory,
          "requests.storage": quota.requestsStorage,
          // A tenant never exposes anything outside the cluster by itself.
          "services.loadbalancers": "0",
          "services.nodeports": "0",
        },
      },
    },
    {
      apiVersion: "v1",
      kind: "LimitRange",
      metadata: meta("tenant-limits"),
      spec: {
        limits: [
          {
            // With a cpu/memory quota, a pod without requests and limits is
            // refused; these defaults let a plain pod in, sized for the plan.
            type: "Container",
            defaultRequest: { cpu: container.defaultRequestCpu, memory: container.defaultRequestMemory },
            default: { cpu: container.defaultLimitCpu, memory: container.defaultLimitMemory },
            max: { cpu: container.maxCpu, memory: container.maxMemory },
          },
        ],
      },
    },
    {
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: meta("default-deny"),
      // Selects every pod, lists both directions and allows nothing: the allows below add to it.
      spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
    },
    egressPolicy(
      "allow-dns",
      {
        namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": config.dnsNamespace } },
        podSelector: { matchLabels: { ...config.dnsPodSelector } },
      },
      [
        { protocol: "UDP", port: 53 },
        { protocol: "TCP", port: 53 },
      ],
    ),
    egressPolicy(
      "allow-portal-api",
      {
        namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": config.portalNamespace } },
        podSelector: { matchLabels: { ...config.portalPodSelector } },
      },
      // The pod's port, not the Service's: policies see traffic after the Service has translated it.
      [{ protocol: "TCP", port: config.portalPort }],
    ),
    // The tenant's collector (lib/collector/deployment.ts): its Deployment and its own egress rule.
    ...collectorManifests({ slug: t.slug, namespace, labels, container }, collector),
  ];
}

/** The objects as one multi-document YAML file, ready for `kubectl apply --server-side -f`. */
export function manifestsToYaml(objects: readonly IsolationManifest[]): string {
  return objects.map((o) => dumpYaml(toClientModel(o), { noRefs: true, lineWidth: -1 })).join("---\n");
}

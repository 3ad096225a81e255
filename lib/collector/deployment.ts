// The tenant's collector as Kubernetes objects, shipped with the tenant's
// isolation set (lib/lifecycle/isolation/render.ts appends them):
//
//   Deployment      collector: one replica (Recreate: two collectors of one
//                   name would fight over the checkpoints, which refuse the
//                   loser with a 409), the rights-less tenant-workload
//                   account with no token, Pod Security "restricted"
//                   (non-root, no privilege escalation, no capabilities,
//                   RuntimeDefault seccomp, read-only root with an emptyDir
//                   /tmp), sized at the plan's LimitRange defaults, the key
//                   from the Secret `collector` (which the operator creates:
//                   the portal never holds a key's secret after showing it
//                   once). No database: the collector asks the portal's API
//                   for its credentials (lib/collector/credentials.ts).
//   NetworkPolicy   allow-collector-egress: for the collector's pods only,
//                   HTTPS to public addresses (the vendors' APIs; the private,
//                   loopback, link-local and CGNAT ranges are excepted).
//                   DNS and the portal's API are already allowed to every pod.
//
// Pure given its inputs; collectorDeploymentConfigFromEnv reads the
// settings, like isolationConfigFromEnv does.
import type { IDeployment } from "kubernetes-models/apps/v1";
import type { INetworkPolicy } from "kubernetes-models/networking.k8s.io/v1";

export const COLLECTOR_APP = "collector";
export const COLLECTOR_SECRET = "collector";
const APP_LABEL = "app.kubernetes.io/name";

export interface CollectorDeploymentConfig {
  image: string;
  /** The portal as seen from inside the cluster (its Service). */
  apiUrl: string;
  /** The portal's domain: the collector sends Host <slug>.<domain>, its own tenant's host. */
  portalDomain: string;
}

export const DEFAULT_COLLECTOR_DEPLOYMENT: Readonly<CollectorDeploymentConfig> = Object.freeze({
  image: "registry.example/mssp-portal-collector:VERSION",
  apiUrl: "http://mssp-portal.mssp-portal.svc.cluster.local",
  portalDomain: "mssp.example",
});

export function collectorDeploymentConfigFromEnv(env: Record<string, string | undefined> = process.env): CollectorDeploymentConfig {
  const c: CollectorDeploymentConfig = { ...DEFAULT_COLLECTOR_DEPLOYMENT };
  const image = env.COLLECTOR_IMAGE?.trim();
  if (image) {
    if (!/^[a-z0-9][a-z0-9._\-/:@]{0,254}$/i.test(image)) throw new Error(`COLLECTOR_IMAGE=${JSON.stringify(image)} is not valid: expected an image reference`);
    c.image = image;
  }
  const api = env.COLLECTOR_PORTAL_URL?.trim();
  if (api) {
    if (!/^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?\/?$/.test(api)) throw new Error(`COLLECTOR_PORTAL_URL=${JSON.stringify(api)} is not valid: expected http(s)://host[:port]`);
    c.apiUrl = api.replace(/\/$/, "");
  }
  const domain = env.PORTAL_DOMAIN?.trim();
  if (domain) c.portalDomain = domain;
  return c;
}

export interface CollectorManifestInput {
  slug: string;
  namespace: string;
  /** The tenant's labels, a fresh object per call. */
  labels: () => Record<string, string>;
  /** The plan's LimitRange defaults (lib/lifecycle/plans.ts). */
  container: { defaultRequestCpu: string; defaultRequestMemory: string; defaultLimitCpu: string; defaultLimitMemory: string };
}

/** Non-public IPv4 ranges the vendor rule excepts (RFC 1918, loopback, link-local incl. cloud metadata, CGNAT). */
const NON_PUBLIC_V4 = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "127.0.0.0/8", "169.254.0.0/16", "100.64.0.0/10"];

export function collectorManifests(input: CollectorManifestInput, config: CollectorDeploymentConfig = collectorDeploymentConfigFromEnv()): [IDeployment, INetworkPolicy] {
  const podLabels = () => ({ ...input.labels(), [APP_LABEL]: COLLECTOR_APP });
  const selector = { [APP_LABEL]: COLLECTOR_APP, "mssp-portal/tenant-slug": input.labels()["mssp-portal/tenant-slug"] };
  const secretEnv = (name: string, key: string) => ({ name, valueFrom: { secretKeyRef: { name: COLLECTOR_SECRET, key } } });
  const deployment: IDeployment = {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: COLLECTOR_APP, namespace: input.namespace, labels: podLabels() },
    spec: {
      replicas: 1,
      strategy: { type: "Recreate" },
      selector: { matchLabels: selector },
      template: {
        metadata: { labels: podLabels() },
        spec: {
          serviceAccountName: "tenant-workload",
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          terminationGracePeriodSeconds: 30,
          securityContext: { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, seccompProfile: { type: "RuntimeDefault" } },
          containers: [
            {
              name: COLLECTOR_APP,
              image: config.image,
              args: ["--tenant", input.slug],
              env: [
                { name: "COLLECTOR_API_URL", value: config.apiUrl },
                { name: "COLLECTOR_API_HOST", value: `${input.slug}.${config.portalDomain}` },
                { name: "COLLECTOR_NAME", value: `collector-${input.slug}` },
                secretEnv("COLLECTOR_API_KEY", "api-key"),
              ],
              resources: {
                requests: { cpu: input.container.defaultRequestCpu, memory: input.container.defaultRequestMemory },
                limits: { cpu: input.container.defaultLimitCpu, memory: input.container.defaultLimitMemory },
              },
              securityContext: {
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                capabilities: { drop: ["ALL"] },
              },
              volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
            },
          ],
          volumes: [{ name: "tmp", emptyDir: { sizeLimit: "64Mi" } }],
        },
      },
    },
  };
  const egress: INetworkPolicy = {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name: "allow-collector-egress", namespace: input.namespace, labels: input.labels() },
    spec: {
      podSelector: { matchLabels: { [APP_LABEL]: COLLECTOR_APP } },
      policyTypes: ["Egress"],
      egress: [
        { to: [{ ipBlock: { cidr: "0.0.0.0/0", except: [...NON_PUBLIC_V4] } }, { ipBlock: { cidr: "::/0", except: ["fc00::/7", "fe80::/10", "::1/128"] } }], ports: [{ protocol: "TCP", port: 443 }] },
      ],
    },
  };
  return [deployment, egress];
}

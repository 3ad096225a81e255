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
//                   HTTPS to public addresses (the vendors' APIs). Excepted:
//                   the private, loopback, link-local and CGNAT IPv4 ranges;
//                   the same ranges reached through NAT64 (64:ff9b::/96 with
//                   the IPv4 range in its last 32 bits); IPv6 unique-local,
//                   link-local and loopback; and the cluster's own ranges
//                   named in COLLECTOR_EGRESS_EXCEPT (pod and service CIDRs
//                   that are public addresses, e.g. an IPv6 cluster's).
//                   DNS and the portal's API are already allowed to every pod.
//                   Not excepted: ::ffff:0:0/96 (IPv4-mapped). The API server
//                   refuses it in an ipBlock (not inside ::/0 by its check,
//                   and "must not have an IPv4-mapped IPv6 address"), and a
//                   mapped destination leaves the pod as an IPv4 packet,
//                   which the IPv4 exceptions already cover.
//
// Pure given its inputs; collectorDeploymentConfigFromEnv reads the
// settings, like isolationConfigFromEnv does.
import type { IDeployment } from "kubernetes-models/apps/v1";
import type { INetworkPolicy } from "kubernetes-models/networking.k8s.io/v1";
import { formatCidr, parseCidr, strictlyWithin, viaNat64, type Cidr } from "@/lib/lifecycle/isolation/cidr";

export const COLLECTOR_APP = "collector";
export const COLLECTOR_SECRET = "collector";
const APP_LABEL = "app.kubernetes.io/name";

export interface CollectorDeploymentConfig {
  image: string;
  /** The portal as seen from inside the cluster (its Service). */
  apiUrl: string;
  /** The portal's domain: the collector sends Host <slug>.<domain>, its own tenant's host. */
  portalDomain: string;
  /** More ranges the vendor rule excepts (COLLECTOR_EGRESS_EXCEPT): the cluster's pod and service CIDRs, canonical. */
  egressExcept: readonly string[];
}

export const DEFAULT_COLLECTOR_DEPLOYMENT: Readonly<CollectorDeploymentConfig> = Object.freeze({
  image: "registry.example/mssp-portal-collector:VERSION",
  apiUrl: "http://mssp-portal.mssp-portal.svc.cluster.local",
  portalDomain: "mssp.example",
  egressExcept: Object.freeze([]),
});

/**
 * COLLECTOR_EGRESS_EXCEPT: CIDRs separated by commas (or spaces), IPv4 or IPv6, each in the form
 * the API server accepts in ipBlock.except (validated here, so a bad one names the variable at
 * start instead of failing the apply), returned canonical and without repeats.
 */
export function parseEgressExcept(text: string): string[] {
  const out: string[] = [];
  for (const item of text.split(/[\s,]+/).filter(Boolean)) {
    const parsed = parseCidr(item);
    const fail = (problem: string): never => {
      throw new Error(`COLLECTOR_EGRESS_EXCEPT=${JSON.stringify(text)} is not valid: ${problem}; expected CIDRs such as 10.96.0.0/12,fd00:10:96::/112`);
    };
    if (!parsed.ok) fail(parsed.problem);
    const cidr = (parsed as { cidr: Cidr }).cidr;
    if (cidr.prefix === 0) fail(`"${item}" would except every address`);
    const canonical = formatCidr(cidr);
    if (!out.includes(canonical)) out.push(canonical);
  }
  return out;
}

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
  const except = env.COLLECTOR_EGRESS_EXCEPT?.trim();
  if (except) c.egressExcept = parseEgressExcept(except);
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
export const NON_PUBLIC_V4 = Object.freeze(["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "127.0.0.0/8", "169.254.0.0/16", "100.64.0.0/10"]);
/**
 * Non-public IPv6 ranges: unique-local, link-local, loopback, and the IPv4 ranges above as a
 * NAT64 gateway reaches them (64:ff9b::a00:0/104 is 10.0.0.0/8). Not the whole 64:ff9b::/96: on an
 * IPv6-only cluster that is how the collector reaches a vendor with only IPv4 addresses.
 */
export const NON_PUBLIC_V6 = Object.freeze([
  "fc00::/7",
  "fe80::/10",
  "::1/128",
  ...NON_PUBLIC_V4.map((range) => formatCidr(viaNat64((parseCidr(range) as { cidr: Cidr }).cidr))),
]);

/** The except lists of the vendor rule: the fixed ranges, then the configured ones by family (none twice, none outside). */
export function egressExceptLists(extra: readonly string[] = []): { v4: string[]; v6: string[] } {
  const v4 = [...NON_PUBLIC_V4];
  const v6 = [...NON_PUBLIC_V6];
  for (const text of extra) {
    const parsed = parseCidr(text);
    if (!parsed.ok) throw new Error(`COLLECTOR_EGRESS_EXCEPT: ${parsed.problem}`);
    const list = parsed.cidr.family === 4 ? v4 : v6;
    // A range already inside an excepted one adds nothing (the API server would accept it; it is only noise).
    if (!list.some((have) => have === text || strictlyWithin((parseCidr(have) as { cidr: Cidr }).cidr, parsed.cidr))) list.push(text);
  }
  return { v4, v6 };
}

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
  const except = egressExceptLists(config.egressExcept);
  const egress: INetworkPolicy = {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name: "allow-collector-egress", namespace: input.namespace, labels: input.labels() },
    spec: {
      podSelector: { matchLabels: { [APP_LABEL]: COLLECTOR_APP } },
      policyTypes: ["Egress"],
      egress: [
        { to: [{ ipBlock: { cidr: "0.0.0.0/0", except: except.v4 } }, { ipBlock: { cidr: "::/0", except: except.v6 } }], ports: [{ protocol: "TCP", port: 443 }] },
      ],
    },
  };
  return [deployment, egress];
}

// Where a tenant's pods may talk to, besides each other: the cluster DNS and
// the portal's API. The defaults match deploy/k8s/deployment.yaml installed in
// a namespace called `mssp-portal`; an install that differs says so with the
// ISOLATION_* variables (docs/tenant-isolation.md). Read once per rendering,
// and a wrong value is an error naming the variable, not a policy that
// silently allows nothing (or the wrong thing).
export interface IsolationConfig {
  /** Namespace the portal runs in (matched by its `kubernetes.io/metadata.name` label). */
  portalNamespace: string;
  /** Labels of the portal's pods. */
  portalPodSelector: Record<string, string>;
  /** The portal pods' container port (3000 for `next start`), not the Service port. */
  portalPort: number;
  dnsNamespace: string;
  dnsPodSelector: Record<string, string>;
}

export const DEFAULT_ISOLATION_CONFIG: Readonly<IsolationConfig> = Object.freeze({
  portalNamespace: "mssp-portal",
  portalPodSelector: { "app.kubernetes.io/name": "mssp-portal" },
  portalPort: 3000,
  // Every mainstream distribution (kubeadm, EKS, GKE, AKS) labels CoreDNS this way.
  dnsNamespace: "kube-system",
  dnsPodSelector: { "k8s-app": "kube-dns" },
});

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const LABEL_KEY = /^([a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;

/** "k=v,k2=v2" → { k: "v", k2: "v2" }; null if any pair is not a valid label. */
function parseSelector(text: string): Record<string, string> | null {
  const out: Record<string, string> = {};
  for (const pair of text.split(",").map((p) => p.trim()).filter(Boolean)) {
    const eq = pair.indexOf("=");
    if (eq <= 0) return null;
    const [key, value] = [pair.slice(0, eq).trim(), pair.slice(eq + 1).trim()];
    if (!LABEL_KEY.test(key) || !LABEL_VALUE.test(value)) return null;
    out[key] = value;
  }
  // An empty selector would allow egress to every pod in the namespace.
  return Object.keys(out).length > 0 ? out : null;
}

function fail(variable: string, value: string, expected: string): never {
  throw new Error(`${variable}=${JSON.stringify(value)} is not valid: expected ${expected}`);
}

export function isolationConfigFromEnv(env: Record<string, string | undefined> = process.env): IsolationConfig {
  const config: IsolationConfig = {
    ...DEFAULT_ISOLATION_CONFIG,
    portalPodSelector: { ...DEFAULT_ISOLATION_CONFIG.portalPodSelector },
    dnsPodSelector: { ...DEFAULT_ISOLATION_CONFIG.dnsPodSelector },
  };
  const ns = env.ISOLATION_PORTAL_NAMESPACE?.trim();
  if (ns) {
    if (!DNS_LABEL.test(ns)) fail("ISOLATION_PORTAL_NAMESPACE", ns, "a namespace name (lowercase DNS label)");
    config.portalNamespace = ns;
  }
  const selector = env.ISOLATION_PORTAL_SELECTOR?.trim();
  if (selector) {
    const parsed = parseSelector(selector);
    if (!parsed) fail("ISOLATION_PORTAL_SELECTOR", selector, "label pairs such as app.kubernetes.io/name=mssp-portal,tier=web");
    config.portalPodSelector = parsed;
  }
  const port = env.ISOLATION_PORTAL_PORT?.trim();
  if (port) {
    if (!/^\d{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65535) fail("ISOLATION_PORTAL_PORT", port, "a port number 1-65535");
    config.portalPort = Number(port);
  }
  return config;
}

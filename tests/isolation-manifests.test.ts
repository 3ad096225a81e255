// Per-tenant isolation manifests (lib/lifecycle/isolation): every rendered
// object passes the Kubernetes schemas and the API server's own rules, broken
// ones are refused with the object and field named, the YAML download round
// trips, and apply speaks real HTTP: a small node:http server plays the API
// server (discovery, GET, server-side-apply PATCH, DELETE) for the real
// @kubernetes/client-node, so the test sees the requests a cluster would.
// No cluster can run here; what a real API server would add is in
// docs/tenant-isolation.md.
import assert from "node:assert/strict";
import { createServer, type IncomingMessage } from "node:http";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, describe, test } from "node:test";
import { loadAllYaml } from "@kubernetes/client-node";
import { ServiceAccount } from "kubernetes-models/v1";
import { ClusterRole, ClusterRoleBinding } from "kubernetes-models/rbac.authorization.k8s.io/v1";
import { applyIsolation, FIELD_MANAGER, IsolationClusterError, isolationTarget, removeIsolation } from "@/lib/lifecycle/isolation/apply";
import { toClientModel } from "@/lib/lifecycle/isolation/client-model";
import { DEFAULT_ISOLATION_CONFIG, isolationConfigFromEnv } from "@/lib/lifecycle/isolation/config";
import { LABEL, manifestsToYaml, namespaceNameFor, renderIsolationManifests, type IsolationManifest, type IsolationTenant } from "@/lib/lifecycle/isolation/render";
import { ManifestValidationError, parseQuantity, validateManifest, validateManifests } from "@/lib/lifecycle/isolation/validate";
import { defaultPlanFor, PLANS, planSchema, type Plan } from "@/lib/lifecycle/plans";
import { collectorDeploymentConfigFromEnv, DEFAULT_COLLECTOR_DEPLOYMENT } from "@/lib/collector/deployment";

const ACME: IsolationTenant = {
  tenantId: "3f2b8c1e-5d4a-4e6b-9c7d-1a2b3c4d5e6f",
  slug: "acme",
  name: "Acme: Corp\n---\nkind: Secret", // YAML-looking text stays an annotation value
  kind: "customer",
  msspId: "0b6f3c2a-7e1d-4f8a-9b2c-3d4e5f6a7b8c",
  msspSlug: "sentinel",
  plan: "standard",
};
const render = (over: Partial<IsolationTenant> = {}) => renderIsolationManifests({ ...ACME, ...over }, DEFAULT_ISOLATION_CONFIG, DEFAULT_COLLECTOR_DEPLOYMENT);
const find = (objs: IsolationManifest[], kind: string, name?: string) => objs.find((o) => o.kind === kind && (!name || o.metadata?.name === name)) as any;
const clone = <T>(x: T): T => structuredClone(x);

function rejects(obj: unknown, object: string, field: string) {
  assert.throws(() => validateManifest(obj as IsolationManifest), (e: unknown) => {
    assert.ok(e instanceof ManifestValidationError, String(e));
    assert.equal(e.object, object);
    assert.equal(e.field, field);
    assert.ok(e.message.startsWith(`${object}: ${field} `), e.message);
    return true;
  });
}

describe("rendering", () => {
  test("every object of every plan and kind validates, in a fixed order", () => {
    for (const plan of planSchema.options) for (const kind of ["customer", "site"] as const) validateManifests(render({ plan, kind }));
    assert.deepEqual(render().map((o) => `${o.kind}/${o.metadata?.name}`), [
      "Namespace/tenant-acme", "ServiceAccount/default", "ServiceAccount/tenant-workload", "ResourceQuota/tenant-quota",
      "LimitRange/tenant-limits", "NetworkPolicy/default-deny", "NetworkPolicy/allow-dns", "NetworkPolicy/allow-portal-api",
      "Deployment/collector", "NetworkPolicy/allow-collector-egress",
    ]);
    assert.equal(JSON.stringify(render()), JSON.stringify(render()), "same input, same output");
  });

  test("every object carries the tenant and MSSP labels and lives in the tenant's namespace", () => {
    for (const o of render()) {
      const labels = o.metadata?.labels ?? {};
      assert.equal(labels[LABEL.tenantId], ACME.tenantId);
      assert.equal(labels[LABEL.tenantSlug], "acme");
      assert.equal(labels[LABEL.msspId], ACME.msspId);
      assert.equal(labels[LABEL.msspSlug], "sentinel");
      assert.equal(labels[LABEL.plan], "standard");
      assert.equal(o.kind === "Namespace" ? o.metadata?.name : o.metadata?.namespace, "tenant-acme");
    }
    assert.equal(find(render(), "Namespace").metadata.annotations["mssp-portal/tenant-name"], ACME.name);
  });

  test("default deny in both directions; only DNS and the portal API are allowed out; no token is mounted", () => {
    const objs = render();
    const deny = find(objs, "NetworkPolicy", "default-deny").spec;
    assert.deepEqual(deny, { podSelector: {}, policyTypes: ["Ingress", "Egress"] });
    const dns = find(objs, "NetworkPolicy", "allow-dns").spec.egress[0];
    assert.deepEqual(dns.ports, [{ protocol: "UDP", port: 53 }, { protocol: "TCP", port: 53 }]);
    assert.deepEqual(dns.to, [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } }, podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }]);
    const custom = isolationConfigFromEnv({ ISOLATION_PORTAL_NAMESPACE: "portal", ISOLATION_PORTAL_SELECTOR: "app=web, tier=api", ISOLATION_PORTAL_PORT: "8443" });
    const api = find(renderIsolationManifests(ACME, custom), "NetworkPolicy", "allow-portal-api").spec.egress[0];
    assert.deepEqual(api.ports, [{ protocol: "TCP", port: 8443 }]);
    assert.deepEqual(api.to[0].podSelector.matchLabels, { app: "web", tier: "api" });
    assert.deepEqual(api.to[0].namespaceSelector.matchLabels, { "kubernetes.io/metadata.name": "portal" });
    for (const o of objs.filter((x) => x.kind === "NetworkPolicy")) assert.equal(((o as any).spec.ingress ?? []).length, 0, "nothing allowed in");
    for (const sa of objs.filter((x) => x.kind === "ServiceAccount")) assert.equal((sa as any).automountServiceAccountToken, false);
    for (const [env, variable] of [[{ ISOLATION_PORTAL_PORT: "70000" }, "ISOLATION_PORTAL_PORT"], [{ ISOLATION_PORTAL_SELECTOR: "=x" }, "ISOLATION_PORTAL_SELECTOR"], [{ ISOLATION_PORTAL_NAMESPACE: "Bad_NS" }, "ISOLATION_PORTAL_NAMESPACE"]] as const) {
      assert.throws(() => isolationConfigFromEnv(env), new RegExp(variable));
    }
  });

  test("quotas and limits differ by plan, grow with it, and each container limit fits the quota", () => {
    const hard = (plan: Plan) => find(render({ plan }), "ResourceQuota").spec.hard;
    assert.notDeepEqual(hard("starter"), hard("standard"));
    assert.notDeepEqual(hard("standard"), hard("enterprise"));
    for (const key of ["requests.cpu", "limits.memory", "pods", "requests.storage"]) {
      assert.ok(parseQuantity(hard("starter")[key])! < parseQuantity(hard("standard")[key])!, key);
      assert.ok(parseQuantity(hard("standard")[key])! < parseQuantity(hard("enterprise")[key])!, key);
    }
    for (const plan of planSchema.options) {
      const limits = find(render({ plan }), "LimitRange").spec.limits[0];
      assert.ok(parseQuantity(limits.max.cpu)! <= parseQuantity(hard(plan)["limits.cpu"])!, plan);
      assert.ok(parseQuantity(limits.max.memory)! <= parseQuantity(hard(plan)["limits.memory"])!, plan);
    }
    assert.deepEqual(PLANS.map((p) => p.id), [...planSchema.options]);
    assert.equal(defaultPlanFor({ kind: "site", parentPlan: "enterprise" }), "enterprise");
    assert.equal(defaultPlanFor({ kind: "site", parentPlan: null }), "standard");
    assert.equal(defaultPlanFor({ kind: "customer" }), "standard");
  });

  test("long slugs give names of at most 63 characters that stay unique", () => {
    const base = "a".repeat(47); // + 16 = 63, the longest slug
    const slugs = [`${base}-one-two-three-x`, `${base}-one-two-three-y`, "b".repeat(63), "c".repeat(56), "d".repeat(57)];
    const names = slugs.map(namespaceNameFor);
    for (const [i, name] of names.entries()) {
      assert.ok(name.length <= 63 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name), name);
      validateManifests(render({ slug: slugs[i] }));
    }
    assert.equal(new Set(names).size, names.length);
    assert.equal(names[3], `tenant-${"c".repeat(56)}`, "a slug that fits is kept whole");
    assert.match(names[4], /--[0-9a-f]{12}$/, "a shortened name holds '--', which no slug does");
    assert.throws(() => render({ slug: "Acme_Corp" }), /slug/);
    assert.throws(() => render({ plan: "platinum" as Plan }), /plan/);
  });

  test("the collector's Deployment: rights-less account, Pod Security restricted, sized within the LimitRange, key from a Secret, egress only to the vendors (no database)", () => {
    for (const plan of planSchema.options) {
      const objs = render({ plan });
      const d = find(objs, "Deployment", "collector");
      validateManifest(d);
      const limits = find(objs, "LimitRange").spec.limits[0];
      const pod = d.spec.template.spec;
      const [c] = pod.containers;
      // Within the plan's LimitRange: its defaults, so under its max, and the quota's sums hold room for it.
      assert.deepEqual(c.resources.requests, { cpu: limits.defaultRequest.cpu, memory: limits.defaultRequest.memory }, plan);
      assert.deepEqual(c.resources.limits, { cpu: limits.default.cpu, memory: limits.default.memory }, plan);
      for (const r of ["cpu", "memory"]) assert.ok(parseQuantity(c.resources.limits[r])! <= parseQuantity(limits.max[r])!, `${plan} ${r}`);
    }
    const objs = render();
    const d = find(objs, "Deployment", "collector");
    const pod = d.spec.template.spec;
    const [c] = pod.containers;
    assert.equal(d.metadata.namespace, "tenant-acme");
    assert.equal(d.spec.replicas, 1);
    assert.equal(d.spec.strategy.type, "Recreate", "never two collectors of one name at once");
    assert.equal(pod.serviceAccountName, "tenant-workload");
    assert.equal(find(objs, "ServiceAccount", "tenant-workload").automountServiceAccountToken, false);
    assert.equal(pod.automountServiceAccountToken, false);
    // Pod Security "restricted" (the namespace enforces it): non-root, no escalation, no capabilities, RuntimeDefault seccomp.
    assert.equal(pod.securityContext.runAsNonRoot, true);
    assert.equal(pod.securityContext.seccompProfile.type, "RuntimeDefault");
    assert.deepEqual(c.securityContext, { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } });
    assert.deepEqual(c.args, ["--tenant", "acme"]);
    const env = Object.fromEntries(c.env.map((e: any) => [e.name, e.value ?? e.valueFrom]));
    assert.deepEqual(env.COLLECTOR_API_KEY, { secretKeyRef: { name: "collector", key: "api-key" } }, "the key comes from the Secret, never the manifest");
    assert.equal(env.DATABASE_URL, undefined, "the collector has no database login: its credentials come through the API");
    assert.equal(env.COLLECTOR_API_HOST, "acme.mssp.example");
    // Selected by the tenant's labels like every other object, and its pods select the egress rule.
    assert.equal(d.spec.template.metadata.labels[LABEL.tenantId], ACME.tenantId);
    assert.equal(d.spec.selector.matchLabels["app.kubernetes.io/name"], "collector");
    const egress = find(objs, "NetworkPolicy", "allow-collector-egress").spec;
    assert.deepEqual(egress.podSelector.matchLabels, { "app.kubernetes.io/name": "collector" });
    assert.deepEqual(egress.policyTypes, ["Egress"], "nothing allowed in");
    assert.equal(egress.egress.length, 1, "vendors only: no rule to Postgres");
    const [vendors] = egress.egress;
    assert.deepEqual(vendors.ports, [{ protocol: "TCP", port: 443 }]);
    for (const block of ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16", "127.0.0.0/8"]) assert.ok(vendors.to[0].ipBlock.except.includes(block), block);
    // Settings: image, portal URL; a bad one is an error naming the variable.
    const custom = collectorDeploymentConfigFromEnv({ COLLECTOR_IMAGE: "ghcr.io/acme/collector:1.2.3", COLLECTOR_PORTAL_URL: "http://portal.svc:8080", PORTAL_DOMAIN: "portal.example" });
    const customObjs = renderIsolationManifests(ACME, DEFAULT_ISOLATION_CONFIG, custom);
    validateManifests(customObjs);
    const cc = find(customObjs, "Deployment", "collector").spec.template.spec.containers[0];
    assert.equal(cc.image, "ghcr.io/acme/collector:1.2.3");
    assert.equal(cc.env.find((e: any) => e.name === "COLLECTOR_API_URL").value, "http://portal.svc:8080");
    for (const [bad, variable] of [[{ COLLECTOR_IMAGE: "bad image" }, "COLLECTOR_IMAGE"], [{ COLLECTOR_PORTAL_URL: "ftp://x" }, "COLLECTOR_PORTAL_URL"]] as const) {
      assert.throws(() => collectorDeploymentConfigFromEnv(bad), new RegExp(variable));
    }
    // A broken Deployment is refused with the field named, like the other kinds.
    const broken = clone(d);
    delete broken.spec.selector;
    rejects(broken, "Deployment tenant-acme/collector", "spec.selector");
    const noImage = clone(d);
    noImage.spec.template.spec.containers[0].image = 42;
    assert.throws(() => validateManifest(noImage), ManifestValidationError);
  });

  test("the YAML download round-trips through the client's parser, LimitRange defaults included", () => {
    const objs = render();
    const yaml = manifestsToYaml(objs);
    const back = loadAllYaml(yaml);
    assert.equal(back.length, objs.length);
    assert.deepEqual(back, objs.map(toClientModel));
    assert.equal(back[0].metadata?.annotations?.["mssp-portal/tenant-name"], ACME.name);
    assert.match(yaml, /\n {4}- default:\n {8}cpu: '1'\n {8}memory: 1Gi\n/);
    assert.equal(manifestsToYaml(render()), yaml);
  });

  test("deploy/tenant: the example is what the renderer gives, and the portal's RBAC validates", () => {
    const example = readFileSync("deploy/tenant/example-acme.yaml", "utf8").replace(/^(#.*\n)+/, "");
    assert.equal(example, manifestsToYaml(render({ name: "Acme Corp" })), "regenerate deploy/tenant/example-acme.yaml (deploy/tenant/README.md)");
    const rbac = loadAllYaml(readFileSync("deploy/tenant/portal-rbac.yaml", "utf8")).map((o) => JSON.parse(JSON.stringify(o)));
    const models: Record<string, (o: any) => { validate(): void }> = { ServiceAccount: (o) => new ServiceAccount(o), ClusterRole: (o) => new ClusterRole(o), ClusterRoleBinding: (o) => new ClusterRoleBinding(o) };
    assert.deepEqual(rbac.map((o) => o.kind), ["ServiceAccount", "ClusterRole", "ClusterRoleBinding"]);
    for (const o of rbac) models[o.kind](o).validate();
  });
});

describe("validation refuses broken objects, naming the object and the field", () => {
  const objs = render();
  test("names, namespaces and labels (rules the OpenAPI schema does not carry)", () => {
    rejects({ ...clone(objs[0]), metadata: { name: "Tenant_Acme" } }, "Namespace Tenant_Acme", "metadata.name");
    rejects({ ...clone(objs[0]), metadata: { name: "x".repeat(64) } }, `Namespace ${"x".repeat(64)}`, "metadata.name");
    const sa = clone(objs[2]);
    delete sa.metadata!.namespace;
    rejects(sa, "ServiceAccount tenant-workload", "metadata.namespace");
    const labelled = clone(objs[1]);
    labelled.metadata!.labels![LABEL.tenantSlug] = "-bad-";
    rejects(labelled, "ServiceAccount tenant-acme/default", `metadata.labels["${LABEL.tenantSlug}"]`);
  });
  test("quantities, limit ordering and ports", () => {
    const quota = clone(find(objs, "ResourceQuota"));
    quota.spec.hard["requests.cpu"] = "-1";
    rejects(quota, "ResourceQuota tenant-acme/tenant-quota", 'spec.hard["requests.cpu"]');
    quota.spec.hard["requests.cpu"] = "4h";
    rejects(quota, "ResourceQuota tenant-acme/tenant-quota", 'spec.hard["requests.cpu"]');
    const limits = clone(find(objs, "LimitRange"));
    limits.spec.limits[0].default.memory = "64Gi";
    rejects(limits, "LimitRange tenant-acme/tenant-limits", "spec.limits[0].default.memory");
    const np = clone(find(objs, "NetworkPolicy", "allow-dns"));
    np.spec.egress[0].ports[1].port = 0;
    rejects(np, "NetworkPolicy tenant-acme/allow-dns", "spec.egress[0].ports[1].port");
  });
  test("schema errors from kubernetes-models: types, required fields, quantity syntax", () => {
    const np = clone(find(objs, "NetworkPolicy", "default-deny"));
    delete np.spec.podSelector;
    rejects(np, "NetworkPolicy tenant-acme/default-deny", "spec.podSelector");
    rejects({ ...clone(objs[2]), automountServiceAccountToken: "no" }, "ServiceAccount tenant-acme/tenant-workload", "automountServiceAccountToken");
    const quota = clone(find(objs, "ResourceQuota"));
    quota.spec.hard.pods = "lots";
    rejects(quota, "ResourceQuota tenant-acme/tenant-quota", "spec.hard.pods");
    rejects({ ...clone(objs[0]), kind: "Pod" }, "Pod tenant-acme", "kind");
  });
});

// --- a fake API server: just enough of Kubernetes for the client ------------
type Seen = { method: string; path: string; query: URLSearchParams; contentType?: string; authorization?: string; body?: any };
const TOKEN = "fake-bearer-token-7f3a9c1d2e4b";
const resources = (group: string, list: [string, string, boolean][]) => ({
  kind: "APIResourceList", apiVersion: "v1", groupVersion: group,
  resources: list.map(([name, kind, namespaced]) => ({ name, kind, namespaced, singularName: "", verbs: ["get", "patch", "delete"] })),
});
const DISCOVERY: Record<string, object> = {
  "/api/v1": resources("v1", [["namespaces", "Namespace", false], ["serviceaccounts", "ServiceAccount", true], ["resourcequotas", "ResourceQuota", true], ["limitranges", "LimitRange", true]]),
  "/apis/networking.k8s.io/v1": resources("networking.k8s.io/v1", [["networkpolicies", "NetworkPolicy", true]]),
  "/apis/apps/v1": resources("apps/v1", [["deployments", "Deployment", true]]),
};
const tmp = mkdtempSync(path.join(tmpdir(), "isolation-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

async function fakeCluster(state: { namespaces?: Record<string, Record<string, string>>; failPatch?: { status: number; message: string } } = {}) {
  const seen: Seen[] = [];
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
      const labels = state.namespaces?.[ns];
      if (!labels) return status(404, `namespaces "${ns}" not found`);
      return reply(200, { apiVersion: "v1", kind: "Namespace", metadata: { name: ns, labels }, status: { phase: req.method === "DELETE" ? "Terminating" : "Active" } });
    }
    if (req.method === "PATCH") return state.failPatch ? status(state.failPatch.status, state.failPatch.message) : reply(200, JSON.parse(text));
    status(404, "not found");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  const kubeconfig = path.join(tmp, `kubeconfig-${port}`);
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
  return { seen, env: { KUBECONFIG: kubeconfig }, server: `http://127.0.0.1:${port}` };
}

describe("apply and remove", () => {
  test("without KUBECONFIG nothing is contacted: rendered, not applied", async () => {
    assert.equal(isolationTarget({}), "none");
    assert.deepEqual(await applyIsolation(render(), { env: {} }), { status: "rendered", reason: "KUBECONFIG is not set", objects: render().map((o) => `${o.kind} ${o.metadata?.namespace ? "tenant-acme/" : ""}${o.metadata?.name}`) });
    assert.deepEqual(await removeIsolation(ACME, { env: {} }), { status: "nothing-to-remove", reason: "KUBECONFIG is not set", namespace: "tenant-acme" });
    const broken = path.join(tmp, "broken");
    writeFileSync(broken, `users:\n- name: x\n  user:\n    token: ${TOKEN}\n   bad: [`);
    assert.equal(isolationTarget({ KUBECONFIG: broken }), "none");
    const result = await applyIsolation(render(), { env: { KUBECONFIG: broken } });
    assert.equal(result.status, "rendered");
    assert.ok(!JSON.stringify(result).includes(TOKEN), JSON.stringify(result));
  });

  test("with a cluster: one server-side apply PATCH per object, in order, to its own path", async () => {
    const cluster = await fakeCluster();
    assert.equal(isolationTarget(cluster.env), "cluster");
    const objs = render();
    const result = await applyIsolation(objs, { env: cluster.env });
    assert.equal(result.status, "applied");
    const patches = cluster.seen.filter((s) => s.method === "PATCH");
    assert.deepEqual(patches.map((p) => p.path), [
      "/api/v1/namespaces/tenant-acme",
      "/api/v1/namespaces/tenant-acme/serviceaccounts/default",
      "/api/v1/namespaces/tenant-acme/serviceaccounts/tenant-workload",
      "/api/v1/namespaces/tenant-acme/resourcequotas/tenant-quota",
      "/api/v1/namespaces/tenant-acme/limitranges/tenant-limits",
      "/apis/networking.k8s.io/v1/namespaces/tenant-acme/networkpolicies/default-deny",
      "/apis/networking.k8s.io/v1/namespaces/tenant-acme/networkpolicies/allow-dns",
      "/apis/networking.k8s.io/v1/namespaces/tenant-acme/networkpolicies/allow-portal-api",
      "/apis/apps/v1/namespaces/tenant-acme/deployments/collector",
      "/apis/networking.k8s.io/v1/namespaces/tenant-acme/networkpolicies/allow-collector-egress",
    ]);
    for (const [i, p] of patches.entries()) {
      assert.equal(p.contentType, "application/apply-patch+yaml");
      assert.equal(p.query.get("fieldManager"), FIELD_MANAGER);
      assert.equal(p.query.get("force"), "true");
      assert.equal(p.authorization, `Bearer ${TOKEN}`);
      assert.deepEqual(p.body, objs[i], "the body is the rendered object, nothing dropped");
    }
    assert.ok(!cluster.seen.some((s) => s.path.includes("somewhere-else")));
  });

  test("refuses a namespace that is not this tenant's, and cluster errors carry no token", async () => {
    const taken = await fakeCluster({ namespaces: { "tenant-acme": { [LABEL.tenantId]: "someone-else", [LABEL.managedBy]: "mssp-portal" } } });
    await assert.rejects(applyIsolation(render(), { env: taken.env }), /Namespace tenant-acme already exists .* not this tenant's/);
    await assert.rejects(removeIsolation(ACME, { env: taken.env }), /not this tenant's/);
    assert.equal(taken.seen.filter((s) => s.method === "PATCH" || s.method === "DELETE").length, 0);

    const denied = await fakeCluster({ failPatch: { status: 403, message: `forbidden: token ${TOKEN} may not patch` } });
    await assert.rejects(applyIsolation(render(), { env: denied.env }), (e: unknown) => {
      assert.ok(e instanceof IsolationClusterError);
      assert.equal(e.httpStatus, 403);
      assert.equal(e.object, "Namespace tenant-acme");
      assert.match(e.message, /^Applying Namespace tenant-acme on http:\/\/127\.0\.0\.1:\d+ failed: HTTP 403: forbidden/);
      assert.ok(!`${e.message}${e.stack}`.includes(TOKEN), e.message);
      return true;
    });
    const bad = clone(render());
    (bad[3] as any).spec.hard.pods = "-5";
    await assert.rejects(applyIsolation(bad, { env: denied.env }), ManifestValidationError);
  });

  test("remove deletes this tenant's namespace, and reports one that is already gone", async () => {
    const cluster = await fakeCluster({ namespaces: { "tenant-acme": { [LABEL.tenantId]: ACME.tenantId, [LABEL.managedBy]: "mssp-portal" } } });
    assert.deepEqual(await removeIsolation(ACME, { env: cluster.env }), { status: "deleted", server: cluster.server, namespace: "tenant-acme" });
    assert.deepEqual(cluster.seen.filter((s) => s.method === "DELETE").map((s) => s.path), ["/api/v1/namespaces/tenant-acme"]);
    const empty = await fakeCluster();
    assert.deepEqual(await removeIsolation(ACME, { env: empty.env }), { status: "absent", server: empty.server, namespace: "tenant-acme" });
    assert.equal(empty.seen.filter((s) => s.method === "DELETE").length, 0);
  });
});

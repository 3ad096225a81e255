// Per-tenant isolation manifests (lib/lifecycle/isolation): every rendered
// object passes the Kubernetes schemas and the API server's own rules, broken
// ones are refused with the object and field named, the YAML download round
// trips, and apply speaks real HTTP: a small node:http server plays the API
// server (discovery, GET, server-side-apply PATCH, DELETE) for the real
// @kubernetes/client-node, so the test sees the requests a cluster would.
// No cluster can run here; what a real API server would add is in
// docs/tenant-isolation.md.
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, test } from "node:test";
import { loadAllYaml } from "@kubernetes/client-node";
import { applyIsolation, FIELD_MANAGER, IsolationClusterError, isolationTarget, removeIsolation } from "@/lib/lifecycle/isolation/apply";
import { toClientModel } from "@/lib/lifecycle/isolation/client-model";
import { DEFAULT_ISOLATION_CONFIG, isolationConfigFromEnv } from "@/lib/lifecycle/isolation/config";
import { LABEL, manifestsToYaml, namespaceNameFor, renderIsolationManifests, type IsolationManifest, type IsolationTenant } from "@/lib/lifecycle/isolation/render";
import { ManifestValidationError, parseQuantity, validateManifest, validateManifests } from "@/lib/lifecycle/isolation/validate";
import { defaultPlanFor, PLANS, planSchema, type Plan } from "@/lib/lifecycle/plans";
import { collectorDeploymentConfigFromEnv, DEFAULT_COLLECTOR_DEPLOYMENT, egressExceptLists } from "@/lib/collector/deployment";
import { parseSettings } from "@/lib/config";
import { DISCOVERY, fakeCluster, fakeKubeDir, TOKEN } from "./helpers/fake-kube";

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

  test("the collector's egress excepts every non-public range, IPv6 and NAT64 included, plus the cluster's own CIDRs when set", () => {
    const rule = (objs: IsolationManifest[]) => find(objs, "NetworkPolicy", "allow-collector-egress").spec.egress[0].to;
    const [v4, v6] = rule(render());
    assert.equal(v4.ipBlock.cidr, "0.0.0.0/0");
    assert.deepEqual(v4.ipBlock.except, ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "127.0.0.0/8", "169.254.0.0/16", "100.64.0.0/10"]);
    assert.equal(v6.ipBlock.cidr, "::/0");
    // Unique-local, link-local, loopback; and each IPv4 range above as NAT64 (64:ff9b::/96) reaches it,
    // so an IPv6-only cluster's gateway cannot be used to reach 10.x or the metadata service, while
    // public IPv4 vendors stay reachable through it.
    assert.deepEqual(v6.ipBlock.except, [
      "fc00::/7", "fe80::/10", "::1/128",
      "64:ff9b::a00:0/104", "64:ff9b::ac10:0/108", "64:ff9b::c0a8:0/112", "64:ff9b::7f00:0/104", "64:ff9b::a9fe:0/112", "64:ff9b::6440:0/106",
    ]);
    assert.deepEqual(egressExceptLists().v6, v6.ipBlock.except);
    // ::ffff:0:0/96 is not there: the API server refuses it in an ipBlock, and the validation here says so.
    const mapped = clone(find(render(), "NetworkPolicy", "allow-collector-egress"));
    mapped.spec.egress[0].to[1].ipBlock.except.push("::ffff:0:0/96");
    rejects(mapped, "NetworkPolicy tenant-acme/allow-collector-egress", "spec.egress[0].to[1].ipBlock.except[9]");
    const outside = clone(find(render(), "NetworkPolicy", "allow-collector-egress"));
    outside.spec.egress[0].to[0].ipBlock.except.push("fd00::/8");
    assert.throws(() => validateManifest(outside), /except\[6\] "fd00::\/8" must be a strict subset of cidr 0\.0\.0\.0\/0/);
    for (const bad of ["10.0.0.1/8", "010.0.0.0/8", "10.0.0.0/33", "fe80::1%eth0/64"]) {
      const o = clone(find(render(), "NetworkPolicy", "allow-collector-egress"));
      o.spec.egress[0].to[0].ipBlock.except = [bad];
      assert.throws(() => validateManifest(o), ManifestValidationError, bad);
    }

    // COLLECTOR_EGRESS_EXCEPT: the cluster's pod and service CIDRs, by family, canonical, once; one inside a fixed range adds nothing.
    const custom = collectorDeploymentConfigFromEnv({ COLLECTOR_EGRESS_EXCEPT: "203.0.113.0/24, 2001:db8:42:0:0::/56 10.244.0.0/16,203.0.113.0/24" });
    assert.deepEqual(custom.egressExcept, ["203.0.113.0/24", "2001:db8:42::/56", "10.244.0.0/16"]);
    const objs = renderIsolationManifests(ACME, DEFAULT_ISOLATION_CONFIG, custom);
    validateManifests(objs);
    const [cv4, cv6] = rule(objs);
    assert.deepEqual(cv4.ipBlock.except.slice(6), ["203.0.113.0/24"], "10.244.0.0/16 is inside 10.0.0.0/8 already");
    assert.deepEqual(cv6.ipBlock.except.slice(9), ["2001:db8:42::/56"]);
    for (const bad of ["::ffff:0:0/96", "0.0.0.0/0", "10.0.0.1/8", "pods"]) {
      assert.throws(() => collectorDeploymentConfigFromEnv({ COLLECTOR_EGRESS_EXCEPT: bad }), /^Error: COLLECTOR_EGRESS_EXCEPT=/, bad);
    }
    // Checked at start with every other setting.
    assert.throws(() => parseSettings({ COLLECTOR_EGRESS_EXCEPT: "::ffff:0:0/96" }), /COLLECTOR_EGRESS_EXCEPT=.*IPv4-mapped/);
    assert.deepEqual(parseSettings({ COLLECTOR_EGRESS_EXCEPT: "fd00:10:96::/112" }).COLLECTOR_EGRESS_EXCEPT, "fd00:10:96::/112");
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

  // The portal's RBAC and admission policy (deploy/tenant/portal-rbac.yaml): tests/isolation-rbac.test.ts.
  test("deploy/tenant: the example is what the renderer gives", () => {
    const example = readFileSync("deploy/tenant/example-acme.yaml", "utf8").replace(/^(#.*\n)+/, "");
    assert.equal(example, manifestsToYaml(render({ name: "Acme Corp" })), "regenerate deploy/tenant/example-acme.yaml (deploy/tenant/README.md)");
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

// The fake API server (discovery, GET, server-side-apply PATCH, DELETE): tests/helpers/fake-kube.ts.
describe("apply and remove", () => {
  test("without KUBECONFIG nothing is contacted: rendered, not applied", async () => {
    assert.equal(isolationTarget({}), "none");
    assert.deepEqual(await applyIsolation(render(), { env: {} }), { status: "rendered", reason: "KUBECONFIG is not set", objects: render().map((o) => `${o.kind} ${o.metadata?.namespace ? "tenant-acme/" : ""}${o.metadata?.name}`) });
    assert.deepEqual(await removeIsolation(ACME, { env: {} }), { status: "nothing-to-remove", reason: "KUBECONFIG is not set", namespace: "tenant-acme" });
    const broken = path.join(fakeKubeDir(), "broken");
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
    // What deploy/tenant/portal-rbac.yaml grants is enough: besides discovery, the only read is the namespace's.
    assert.deepEqual(cluster.seen.filter((s) => s.method === "GET" && !DISCOVERY[s.path]).map((s) => s.path), ["/api/v1/namespaces/tenant-acme"]);
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

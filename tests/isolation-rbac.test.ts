// The portal's own rights in the cluster (deploy/tenant/portal-rbac.yaml). RBAC cannot say "only
// namespaces the portal made", so its cluster-wide create/patch on Deployments, ServiceAccounts
// and Namespaces would be cluster-admin in all but name (a Deployment in kube-system may run as
// any account there). This file fails on such grants unless the ValidatingAdmissionPolicy that
// confines them ships beside them, is bound, matches every write the role grants, names the
// identity the role is bound to, and, evaluated here with a CEL implementation against requests
// shaped like the API server's, lets the portal write what the renderer makes and nothing else.
// No API server can run here: whether a real one (1.30+) evaluates it the same way is not
// checked (docs/tenant-isolation.md).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { loadAllYaml } from "@kubernetes/client-node";
import { evaluate, parse } from "@marcbachmann/cel-js";
import { ValidatingAdmissionPolicy, ValidatingAdmissionPolicyBinding } from "kubernetes-models/admissionregistration.k8s.io/v1";
import { ServiceAccount } from "kubernetes-models/v1";
import { ClusterRole, ClusterRoleBinding } from "kubernetes-models/rbac.authorization.k8s.io/v1";
import { DEFAULT_COLLECTOR_DEPLOYMENT } from "@/lib/collector/deployment";
import { DEFAULT_ISOLATION_CONFIG } from "@/lib/lifecycle/isolation/config";
import { LABEL, MANAGED_BY, renderIsolationManifests, WORKLOAD_SERVICE_ACCOUNT, type IsolationManifest } from "@/lib/lifecycle/isolation/render";

type Obj = Record<string, any>;
const docs: Obj[] = loadAllYaml(readFileSync("deploy/tenant/portal-rbac.yaml", "utf8")).map((o) => JSON.parse(JSON.stringify(o)));
const all = (kind: string) => docs.filter((d) => d.kind === kind);

const WRITE_VERBS = new Set(["create", "update", "patch", "delete", "deletecollection", "*"]);
/** Kinds whose write lets an identity run code or act as another account: never granted cluster-wide unconfined. */
const DANGEROUS = new Set(["namespaces", "serviceaccounts", "deployments", "pods", "replicasets", "statefulsets", "daemonsets", "jobs", "cronjobs", "replicationcontrollers", "*"]);
const OPERATION: Record<string, string[]> = {
  create: ["CREATE"], update: ["UPDATE"], patch: ["UPDATE", "CREATE"], delete: ["DELETE"], deletecollection: ["DELETE"], "*": ["CREATE", "UPDATE", "DELETE"],
};

const usernameOf = (s: Obj) => {
  if (s.kind === "ServiceAccount") return `system:serviceaccount:${s.namespace}:${s.name}`;
  if (s.kind === "User") return s.name;
  throw new Error(`a ${s.kind} subject cannot be matched by username; bind the portal's role to its ServiceAccount or User`);
};

/** Every (group, resource, verb) the cluster-wide bindings give, with whom they give it to. */
function grants() {
  const out: { group: string; resource: string; verb: string; subjects: string[] }[] = [];
  for (const binding of all("ClusterRoleBinding")) {
    const role = all("ClusterRole").find((r) => r.metadata.name === binding.roleRef.name);
    assert.ok(role, `ClusterRoleBinding ${binding.metadata.name} names a ClusterRole this file does not define`);
    const subjects = binding.subjects.map(usernameOf);
    for (const rule of role.rules) {
      for (const group of rule.apiGroups ?? []) for (const resource of rule.resources ?? []) for (const verb of rule.verbs) out.push({ group, resource, verb, subjects });
    }
  }
  return out;
}

// --- the policy, evaluated as the API server does (match, then variables, then validations) -------
type Request = { user?: string; operation: "CREATE" | "UPDATE" | "DELETE"; group: string; resource: string; object?: Obj | null; oldObject?: Obj | null; namespaceObject?: Obj | null };
const PORTAL = "system:serviceaccount:mssp-portal:mssp-portal-isolation";

function admit(policy: Obj, req: Request): { matched: boolean; allowed: boolean; message?: string } {
  const spec = policy.spec;
  const covers = (rules: Obj[] | undefined) =>
    (rules ?? []).some((r) =>
      (r.apiGroups.includes("*") || r.apiGroups.includes(req.group)) &&
      (r.resources.includes("*") || r.resources.includes(req.resource)) &&
      (r.operations.includes("*") || r.operations.includes(req.operation)));
  if (!covers(spec.matchConstraints?.resourceRules) || covers(spec.matchConstraints?.excludeResourceRules)) return { matched: false, allowed: true };
  const ctx: Obj = {
    request: { operation: req.operation, userInfo: { username: req.user ?? PORTAL }, resource: { group: req.group, version: "v1", resource: req.resource } },
    object: req.object ?? null,
    oldObject: req.oldObject ?? null,
    namespaceObject: req.namespaceObject ?? null,
  };
  // failurePolicy Fail: an expression that errors refuses.
  const failClosed = spec.failurePolicy === undefined || spec.failurePolicy === "Fail";
  const run = (expression: string): boolean => {
    try {
      const v = evaluate(expression, ctx);
      assert.equal(typeof v, "boolean", `${expression} did not give a boolean`);
      return v as boolean;
    } catch (error) {
      if (error instanceof assert.AssertionError) throw error;
      return !failClosed;
    }
  };
  for (const c of spec.matchConditions ?? []) if (!run(c.expression)) return { matched: false, allowed: true };
  ctx.variables = {};
  for (const v of spec.variables ?? []) ctx.variables[v.name] = evaluate(v.expression, ctx);
  for (const v of spec.validations ?? []) if (!run(v.expression)) return { matched: true, allowed: false, message: v.message };
  return { matched: true, allowed: true };
}

const policies = () => {
  const bound = all("ValidatingAdmissionPolicyBinding").filter((b) => b.spec.validationActions?.includes("Deny") && !b.spec.matchResources && !b.spec.paramRef);
  return all("ValidatingAdmissionPolicy").filter((p) => bound.some((b) => b.spec.policyName === p.metadata.name));
};
/** The portal's request, refused or not by every bound policy. */
const allowed = (req: Request) => policies().every((p) => admit(p, req).allowed);

const ACME = { tenantId: "3f2b8c1e-5d4a-4e6b-9c7d-1a2b3c4d5e6f", slug: "acme", name: "Acme", kind: "customer" as const, msspId: "0b6f3c2a-7e1d-4f8a-9b2c-3d4e5f6a7b8c", msspSlug: "sentinel", plan: "standard" as const };
const rendered = () => renderIsolationManifests(ACME, DEFAULT_ISOLATION_CONFIG, DEFAULT_COLLECTOR_DEPLOYMENT);
const RESOURCE: Record<string, [string, string]> = {
  Namespace: ["", "namespaces"], ServiceAccount: ["", "serviceaccounts"], ResourceQuota: ["", "resourcequotas"], LimitRange: ["", "limitranges"],
  NetworkPolicy: ["networking.k8s.io", "networkpolicies"], Deployment: ["apps", "deployments"],
};
const ns = (name: string, labels: Record<string, string> = {}) => ({ apiVersion: "v1", kind: "Namespace", metadata: { name, labels } });
const KUBE_SYSTEM = ns("kube-system", { "kubernetes.io/metadata.name": "kube-system" });
const write = (o: IsolationManifest | Obj, operation: Request["operation"], namespaceObject: Obj | null, oldObject?: Obj, user?: string): Request => {
  const [group, resource] = RESOURCE[o.kind as string];
  return { operation, group, resource, object: operation === "DELETE" ? null : o, oldObject: oldObject ?? (operation === "CREATE" ? null : o), namespaceObject: o.kind === "Namespace" ? null : namespaceObject, user };
};
const into = (o: IsolationManifest, namespace: string): Obj => ({ ...structuredClone(o), metadata: { ...structuredClone(o.metadata), namespace } });

describe("deploy/tenant/portal-rbac.yaml", () => {
  test("every object validates against the Kubernetes schemas (kubernetes-models)", () => {
    const models: Record<string, (o: Obj) => { validate(): void }> = {
      ServiceAccount: (o) => new ServiceAccount(o as never), ClusterRole: (o) => new ClusterRole(o as never), ClusterRoleBinding: (o) => new ClusterRoleBinding(o as never),
      ValidatingAdmissionPolicy: (o) => new ValidatingAdmissionPolicy(o as never), ValidatingAdmissionPolicyBinding: (o) => new ValidatingAdmissionPolicyBinding(o as never),
    };
    assert.deepEqual(docs.map((o) => o.kind), ["ServiceAccount", "ClusterRole", "ClusterRoleBinding", "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding"]);
    for (const o of docs) models[o.kind](o).validate();
    // Every policy expression parses as CEL (the API server would refuse the object otherwise).
    for (const p of all("ValidatingAdmissionPolicy")) {
      for (const e of [...p.spec.matchConditions, ...p.spec.variables, ...p.spec.validations]) assert.doesNotThrow(() => parse(e.expression), e.expression);
    }
  });

  test("no rights on RBAC, secrets or pods, no escalate/bind/impersonate, nothing read but namespaces", () => {
    for (const g of grants()) {
      assert.notEqual(g.group, "rbac.authorization.k8s.io", "the portal never grants anyone anything");
      assert.ok(!["secrets", "pods", "*"].includes(g.resource) && g.group !== "*", `${g.verb} ${g.group}/${g.resource}`);
      assert.ok(!["escalate", "bind", "impersonate", "*"].includes(g.verb), g.verb);
      if (["get", "list", "watch"].includes(g.verb)) assert.deepEqual([g.group, g.resource, g.verb], ["", "namespaces", "get"], "reads: the namespace ownership check only");
    }
  });

  test("cluster-wide writes on workloads, accounts or namespaces ship with a bound admission policy that matches every write and names the portal", () => {
    const writes = grants().filter((g) => WRITE_VERBS.has(g.verb));
    const dangerous = writes.filter((g) => DANGEROUS.has(g.resource));
    if (dangerous.length === 0) return;
    const bound = policies();
    assert.ok(bound.length > 0, `the role grants ${dangerous.map((g) => `${g.verb} ${g.resource}`).join(", ")} cluster-wide, and no ValidatingAdmissionPolicy bound with Deny to every namespace confines it`);
    for (const policy of bound) {
      assert.ok([undefined, "Fail"].includes(policy.spec.failurePolicy), "the policy fails closed");
      const text = JSON.stringify([policy.spec.variables, policy.spec.validations]);
      for (const needed of [`'${LABEL.managedBy}'`, `'${MANAGED_BY}'`, "startsWith('tenant-')", "namespaceObject", "oldObject", "'pod-security.kubernetes.io/enforce'", `'${WORKLOAD_SERVICE_ACCOUNT}'`]) {
        assert.ok(text.includes(needed), `the policy's expressions never mention ${needed}`);
      }
    }
    for (const g of writes) {
      for (const operation of OPERATION[g.verb]) {
        for (const user of g.subjects) {
          // A write the role grants is one the policy looks at: matched, for the identity it is granted to.
          const req: Request = { user, operation: operation as Request["operation"], group: g.group, resource: g.resource, object: ns("kube-system"), oldObject: ns("kube-system"), namespaceObject: KUBE_SYSTEM };
          assert.ok(bound.some((p) => admit(p, req).matched), `${g.verb} ${g.group}/${g.resource} by ${user} (${operation}) is not matched by the policy`);
        }
      }
    }
    // Only the portal: a cluster admin's requests are not the policy's business.
    for (const p of bound) assert.equal(admit(p, { user: "kubernetes-admin", operation: "CREATE", group: "apps", resource: "deployments", object: {}, namespaceObject: KUBE_SYSTEM }).matched, false);
  });

  test("evaluated: the portal may apply what the renderer makes, as created and as updated, and delete its own namespace", () => {
    const objs = rendered();
    const namespace = objs[0];
    assert.ok(namespace.metadata!.name!.startsWith("tenant-"));
    for (const o of objs) {
      for (const op of ["CREATE", "UPDATE"] as const) {
        const req = write(o, op, namespace);
        const verdicts = policies().map((p) => admit(p, req));
        assert.ok(verdicts.every((v) => v.allowed), `${op} ${o.kind} ${o.metadata?.name}: ${verdicts.map((v) => v.message).join("; ")}`);
      }
    }
    assert.equal(allowed(write(namespace, "DELETE", null)), true);
  });

  test("evaluated: the portal may not touch other namespaces, take one over, or weaken its own", () => {
    const objs = rendered();
    const namespace = objs[0] as Obj;
    const [deployment, serviceAccount, policy] = [objs.find((o) => o.kind === "Deployment")!, objs.find((o) => o.kind === "ServiceAccount")!, objs.find((o) => o.kind === "NetworkPolicy")!];
    // Namespaced kinds elsewhere: kube-system, one labelled exactly like a tenant's but not named tenant-*,
    // a tenant-* nobody labelled, a managed one without Pod Security.
    const unmanaged = ns("tenant-lookalike");
    const noPsa = ns("tenant-acme", { [LABEL.managedBy]: MANAGED_BY });
    for (const target of [KUBE_SYSTEM, ns("mssp-portal", namespace.metadata.labels), unmanaged, noPsa]) {
      for (const o of [deployment, serviceAccount, policy]) {
        for (const op of ["CREATE", "UPDATE"] as const) assert.equal(allowed(write(into(o, target.metadata.name), op, target)), false, `${op} ${o.kind} in ${target.metadata.name}`);
      }
    }
    // A Deployment in its own namespace, but as another account (one a cluster admin may have given rights).
    const asDefault = structuredClone(deployment) as Obj;
    asDefault.spec.template.spec.serviceAccountName = "default";
    assert.equal(allowed(write(asDefault, "CREATE", namespace)), false);
    delete asDefault.spec.template.spec.serviceAccountName;
    assert.equal(allowed(write(asDefault, "UPDATE", namespace)), false, "no account named means `default`");

    // Namespaces: creating one not named tenant-*, or unlabelled, or without Pod Security restricted.
    const labels = namespace.metadata.labels as Record<string, string>;
    assert.equal(allowed(write(ns("evil", labels), "CREATE", null)), false);
    assert.equal(allowed(write(ns("tenant-x", { ...labels, [LABEL.managedBy]: "someone-else" }), "CREATE", null)), false);
    assert.equal(allowed(write(ns("tenant-x", { ...labels, "pod-security.kubernetes.io/enforce": "privileged" }), "CREATE", null)), false);
    const { ["pod-security.kubernetes.io/enforce"]: _psa, ...withoutPsa } = labels;
    assert.equal(allowed(write(ns("tenant-x", withoutPsa), "CREATE", null)), false);
    // Changing or deleting a namespace that is not the portal's: kube-system, or a tenant-* someone else made,
    // even when the change would make it look like the portal's.
    assert.equal(allowed(write(ns("kube-system", labels), "UPDATE", null, KUBE_SYSTEM)), false);
    assert.equal(allowed(write(KUBE_SYSTEM, "DELETE", null)), false);
    assert.equal(allowed(write(ns("tenant-lookalike", labels), "UPDATE", null, unmanaged)), false, "no takeover by relabelling");
    assert.equal(allowed(write(unmanaged, "DELETE", null)), false);
    // Its own namespace, weakened: Pod Security dropped.
    assert.equal(allowed(write(ns(namespace.metadata.name, withoutPsa), "UPDATE", null, namespace)), false);
  });
});

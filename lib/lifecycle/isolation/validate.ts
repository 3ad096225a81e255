// Checks a manifest before it is applied or offered for download, so a bad one
// fails here with the object and field named, not half-way through an apply.
// Two layers: the Kubernetes OpenAPI schemas (kubernetes-models: types,
// required fields, quantity syntax), then the rules the API server enforces
// in code that no schema carries (object names, label syntax, non-negative
// quotas, LimitRange ordering, port ranges, ipBlock CIDRs): without them
// "Bad_Name", a quota of "-1" and an except of ::ffff:0:0/96 would pass.
import { LimitRange, Namespace, ResourceQuota, ServiceAccount } from "kubernetes-models/v1";
import { NetworkPolicy } from "kubernetes-models/networking.k8s.io/v1";
import { Deployment } from "kubernetes-models/apps/v1";
import { parseCidr, strictlyWithin } from "./cidr";
import type { IsolationManifest } from "./render";

export class ManifestValidationError extends Error {
  constructor(
    /** e.g. `NetworkPolicy tenant-acme/default-deny` */
    readonly object: string,
    /** e.g. `spec.podSelector`, `metadata.labels["mssp-portal/tenant-id"]` */
    readonly field: string,
    readonly problem: string,
  ) {
    super(`${object}: ${field} ${problem}`);
    this.name = "ManifestValidationError";
  }
}

type Model = { validate(): void };
const MODELS: Record<string, { apiVersion: string; namespaced: boolean; make: (o: object) => Model }> = {
  Namespace: { apiVersion: "v1", namespaced: false, make: (o) => new Namespace(o as never) },
  ServiceAccount: { apiVersion: "v1", namespaced: true, make: (o) => new ServiceAccount(o as never) },
  ResourceQuota: { apiVersion: "v1", namespaced: true, make: (o) => new ResourceQuota(o as never) },
  LimitRange: { apiVersion: "v1", namespaced: true, make: (o) => new LimitRange(o as never) },
  NetworkPolicy: { apiVersion: "networking.k8s.io/v1", namespaced: true, make: (o) => new NetworkPolicy(o as never) },
  Deployment: { apiVersion: "apps/v1", namespaced: true, make: (o) => new Deployment(o as never) },
};

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const QUALIFIED_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;

/** `spec.egress[0].to`, with keys that are not plain words quoted. */
function fieldPath(segments: readonly (string | number)[]): string {
  let out = "";
  for (const s of segments) {
    if (typeof s === "number" || /^\d+$/.test(s)) out += `[${s}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(s)) out += out ? `.${s}` : s;
    else out += `[${JSON.stringify(s)}]`;
  }
  return out || "(object)";
}

type AjvError = { instancePath: string; keyword: string; message?: string; params: Record<string, unknown> };

/** The most specific schema error, as (field, problem). */
function fromSchemaErrors(errors: readonly AjvError[]): [string, string] {
  // A bad quantity reports "must be number", "must match format" and "must
  // match exactly one schema"; the format one says what is actually wrong.
  const e = errors.find((x) => !["type", "oneOf", "anyOf"].includes(x.keyword)) ?? errors[0];
  const segments = e.instancePath.split("/").slice(1).map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"));
  if (e.keyword === "required") return [fieldPath([...segments, String(e.params.missingProperty)]), "is required"];
  if (e.keyword === "additionalProperties") return [fieldPath([...segments, String(e.params.additionalProperty)]), "is not a known field"];
  return [fieldPath(segments), e.message ?? "is invalid"];
}

const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL: Record<string, number> = { n: 1e-9, u: 1e-6, m: 1e-3, "": 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };

/** A Kubernetes quantity as a number, or null if the API server would refuse it. */
export function parseQuantity(value: unknown): number | null {
  if (typeof value === "number") return Number.isFinite(value) ? value : null;
  if (typeof value !== "string") return null;
  const m = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(?:([eE][+-]?\d+)|([A-Za-z]*))$/.exec(value);
  if (!m) return null;
  if (m[2]) return Number(m[1] + m[2]);
  const factor = BINARY[m[3]] ?? DECIMAL[m[3]];
  return factor === undefined ? null : Number(m[1]) * factor;
}

export function describeObject(o: Partial<IsolationManifest>, index?: number): string {
  const name = o.metadata?.name ? `${o.metadata.namespace ? `${o.metadata.namespace}/` : ""}${o.metadata.name}` : `#${index ?? "?"}`;
  return `${o.kind ?? "object"} ${name}`;
}

/** Throws ManifestValidationError naming the object and field; returns nothing when valid. */
export function validateManifest(obj: IsolationManifest, index?: number): void {
  const id = describeObject(obj, index);
  const fail = (segments: (string | number)[], problem: string): never => {
    throw new ManifestValidationError(id, fieldPath(segments), problem);
  };
  const model = MODELS[obj.kind as string];
  if (!model) fail(["kind"], `"${obj.kind}" is not one of ${Object.keys(MODELS).join(", ")}`);
  if (obj.apiVersion !== model.apiVersion) fail(["apiVersion"], `must be "${model.apiVersion}" for ${obj.kind}`);
  try {
    model.make(obj).validate();
  } catch (error) {
    const errors = (error as { errors?: AjvError[] }).errors;
    if (!errors?.length) throw error;
    const [field, problem] = fromSchemaErrors(errors);
    throw new ManifestValidationError(id, field, problem);
  }

  const meta = obj.metadata ?? {};
  const name = meta.name ?? "";
  if (obj.kind === "Namespace") {
    if (name.length > 63 || !DNS_LABEL.test(name)) fail(["metadata", "name"], `"${name}" must be a lowercase DNS label (a-z, 0-9, "-", at most 63)`);
  } else if (name.length > 253 || !DNS_SUBDOMAIN.test(name)) {
    fail(["metadata", "name"], `"${name}" must be a lowercase DNS subdomain (at most 253)`);
  }
  // Never left to the client's default namespace: that would put a tenant's
  // policies into whatever namespace the kubeconfig happens to point at.
  if (model.namespaced && !(meta.namespace && meta.namespace.length <= 63 && DNS_LABEL.test(meta.namespace))) {
    fail(["metadata", "namespace"], "must name the tenant's namespace (a lowercase DNS label)");
  }
  if (!model.namespaced && meta.namespace) fail(["metadata", "namespace"], "must be empty: a Namespace is cluster-scoped");
  for (const [field, map] of [["labels", meta.labels], ["annotations", meta.annotations]] as const) {
    for (const [key, value] of Object.entries(map ?? {})) {
      const slash = key.lastIndexOf("/");
      const [prefix, base] = slash >= 0 ? [key.slice(0, slash), key.slice(slash + 1)] : ["", key];
      const keyOk = base.length <= 63 && QUALIFIED_NAME.test(base) && (slash < 0 || (prefix.length <= 253 && DNS_SUBDOMAIN.test(prefix)));
      if (!keyOk) fail(["metadata", field, key], "is not a valid key ([prefix/]name, name at most 63)");
      if (field === "labels" && (value.length > 63 || !LABEL_VALUE.test(value))) fail(["metadata", field, key], `value "${value}" is not a valid label value`);
    }
  }

  const nonNegative = (segments: (string | number)[], value: unknown): number => {
    const n = parseQuantity(value);
    if (n === null) fail(segments, `"${String(value)}" is not a valid quantity`);
    if ((n as number) < 0) fail(segments, `must be greater than or equal to 0 (got ${String(value)})`);
    return n as number;
  };
  if (obj.kind === "ResourceQuota") {
    for (const [key, value] of Object.entries(obj.spec?.hard ?? {})) nonNegative(["spec", "hard", key], value);
  }
  if (obj.kind === "LimitRange") {
    (obj.spec?.limits ?? []).forEach((limit, i) => {
      const at = (part: string, res: string) => ["spec", "limits", i, part, res];
      const read = (part: "min" | "defaultRequest" | "default" | "max") =>
        Object.fromEntries(Object.entries(limit[part] ?? {}).map(([res, q]) => [res, nonNegative(at(part, res), q)]));
      const [min, req, def, max] = [read("min"), read("defaultRequest"), read("default"), read("max")];
      // The API server's ordering: min <= defaultRequest <= default <= max.
      for (const [lower, lowerName, upper, upperName] of [
        [min, "min", req, "defaultRequest"], [req, "defaultRequest", def, "default"], [def, "default", max, "max"], [min, "min", max, "max"],
      ] as const) {
        for (const res of Object.keys(lower)) {
          if (upper[res] !== undefined && lower[res] > upper[res]) fail(at(lowerName, res), `must be less than or equal to ${upperName}.${res}`);
        }
      }
    });
  }
  if (obj.kind === "NetworkPolicy") {
    (obj.spec?.policyTypes ?? []).forEach((t, i) => {
      if (t !== "Ingress" && t !== "Egress") fail(["spec", "policyTypes", i], `"${t}" must be Ingress or Egress`);
    });
    for (const dir of ["ingress", "egress"] as const) {
      (obj.spec?.[dir] ?? []).forEach((rule, r) => {
        (rule.ports ?? []).forEach((p, i) => {
          if (typeof p.port === "number" && !(Number.isInteger(p.port) && p.port >= 1 && p.port <= 65535)) {
            fail(["spec", dir, r, "ports", i, "port"], `${p.port} must be a port number 1-65535`);
          }
        });
        // ipBlock as the API server checks it (cidr.ts): valid CIDRs, and each except strictly inside the cidr.
        const peers = "to" in rule ? rule.to : "from" in rule ? rule.from : undefined;
        (peers ?? []).forEach((peer, i) => {
          if (!peer.ipBlock) return;
          const at = ["spec", dir, r, dir === "egress" ? "to" : "from", i, "ipBlock"];
          const cidr = parseCidr(peer.ipBlock.cidr);
          if (!cidr.ok) return fail([...at, "cidr"], cidr.problem);
          (peer.ipBlock.except ?? []).forEach((text, e) => {
            const except = parseCidr(text);
            if (!except.ok) fail([...at, "except", e], except.problem);
            else if (!strictlyWithin(cidr.cidr, except.cidr)) fail([...at, "except", e], `"${text}" must be a strict subset of cidr ${peer.ipBlock!.cidr}`);
          });
        });
      });
    }
  }
}

/** Every object, in order; the first invalid one throws. */
export function validateManifests(objects: readonly IsolationManifest[]): void {
  objects.forEach((o, i) => validateManifest(o, i));
}

// Plain manifests → @kubernetes/client-node's typed objects. The client
// serializes (for dumpYaml and for every request body) through its generated
// models, which rename some JSON fields: LimitRangeItem's "default" is the
// property `_default`. Handed a plain object, the client silently drops that
// field, so a LimitRange would reach the YAML and the cluster without its
// default limits (found by the YAML round trip in
// tests/isolation-manifests.test.ts). Going through the client's own parser
// (loadYaml; JSON is YAML) gives it the typed shape it expects, and a copy the
// client may mutate (it fills in defaults on what it sends).
import { loadYaml, type KubernetesObject } from "@kubernetes/client-node";
import type { IsolationManifest } from "./render";

export function toClientModel(obj: IsolationManifest): KubernetesObject {
  return loadYaml<KubernetesObject>(JSON.stringify(obj));
}

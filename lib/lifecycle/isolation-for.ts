// A tenant's isolation manifests from its lifecycle row (one place, for the
// provisioning step, the download on the tenant page and the removal).
import { renderIsolationManifests, type IsolationManifest } from "./isolation/render";
import type { LifecycleTenant } from "./tenant-row";

export function isolationManifestsFor(t: LifecycleTenant): IsolationManifest[] {
  return renderIsolationManifests({
    tenantId: t.id,
    slug: t.slug,
    name: t.name,
    kind: t.kind,
    msspId: t.rootId,
    msspSlug: t.rootSlug,
    plan: t.plan,
  });
}

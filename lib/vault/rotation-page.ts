// What the console's Keys page shows, loaded inside the caller's withTenant
// transaction: RLS decides which tenants, credentials and jobs exist for the
// caller; the keyring summary is read only for those tenants; the PDP
// (keys:rotate) decides which rotate buttons appear. If the PDP cannot
// answer, the page stays readable and every button is hidden.
import { checkActionsForEach, isPdpUnavailable, principalFromClaims, type TenantResource } from "@/lib/authz";
import type { TenantTx } from "@/lib/db/with-tenant";
import { latestJobs, listJobs, type JobView } from "@/lib/jobs";
import { kekVersions, type KekVersion, type TenantKeyVersion } from "./keys";
import { ROTATE_DEK_KIND, ROTATE_KEK_KIND } from "./rotation";
import { activeVersionOf, keyStatusOf } from "./rotation-status";

export const KEY_JOB_KINDS = [ROTATE_DEK_KIND, ROTATE_KEK_KIND] as const;

/** A job as the browser sees it (no payload, dates as ISO strings). */
export interface JobJson {
  id: string;
  tenantId: string;
  kind: string;
  status: JobView["status"];
  progressDone: number;
  progressTotal: number | null;
  attempts: number;
  maxAttempts: number;
  lastError: string | null;
  result: Record<string, unknown> | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  runAfter: string;
  /** Queued from the console (a user) or by a command (null creator). */
  queuedBy: "user" | "system";
}

export function jobJson(job: JobView): JobJson {
  return {
    id: job.id,
    tenantId: job.tenantId,
    kind: job.kind,
    status: job.status,
    progressDone: job.progressDone,
    progressTotal: job.progressTotal,
    attempts: job.attempts,
    maxAttempts: job.maxAttempts,
    lastError: job.lastError,
    result: job.result,
    createdAt: job.createdAt.toISOString(),
    startedAt: job.startedAt?.toISOString() ?? null,
    finishedAt: job.finishedAt?.toISOString() ?? null,
    runAfter: job.runAfter.toISOString(),
    queuedBy: job.createdBy ? "user" : "system",
  };
}

export interface KeyVersionJson {
  version: number;
  status: TenantKeyVersion["status"];
  createdAt: string;
  retiredAt: string | null;
}

export interface KeysTenantRow {
  id: string;
  slug: string;
  name: string;
  kind: TenantResource["kind"];
  status: TenantResource["status"];
  /** 0 for an MSSP. */
  depth: number;
  active: KeyVersionJson | null;
  /** Versions that still open something (retiring), newest first. */
  retiring: KeyVersionJson[];
  destroyed: boolean;
  /** Credentials per key version, newest version first. */
  credentials: { version: number; count: number }[];
  credentialsTotal: number;
  /** The newest DEK rotation that succeeded. */
  lastRotation: JobJson | null;
  /** The newest DEK rotation of any status (shown while unfinished or just failed). */
  latestJob: JobJson | null;
  canRotate: boolean;
}

export interface KekCard {
  mssp: { id: string; slug: string; name: string };
  active: (Omit<KekVersion, "createdAt" | "retiredAt"> & { createdAt: string }) | null;
  retiredCount: number;
  latestJob: JobJson | null;
  canRotate: boolean;
}

export interface KeysPageData {
  keks: KekCard[];
  tenants: KeysTenantRow[];
  recentJobs: (JobJson & { tenantName: string })[];
  /** The PDP did not answer: everything read-only. */
  pdpUnavailable: boolean;
}

const versionJson = (v: TenantKeyVersion): KeyVersionJson => ({
  version: v.version,
  status: v.status,
  createdAt: v.createdAt.toISOString(),
  retiredAt: v.retiredAt?.toISOString() ?? null,
});

export async function loadKeysPage(tx: TenantTx): Promise<KeysPageData> {
  const { rows: tenants } = await tx.client.query<{
    id: string;
    slug: string;
    name: string;
    kind: TenantResource["kind"];
    status: TenantResource["status"];
    path: string;
    parent_id: string | null;
    depth: number;
  }>(`select id, slug, name, kind, status, path::text as path, parent_id, extensions.nlevel(path) - 1 as depth
        from public.tenants order by path`);
  const { rows: counts } = await tx.client.query<{ tenant_id: string; key_version: number; n: number }>(
    `select tenant_id, key_version, count(*)::int as n from public.credentials group by 1, 2`,
  );
  const recent = await listJobs(tx, { kinds: KEY_JOB_KINDS, limit: 15 });
  const latest = await latestJobs(tx, KEY_JOB_KINDS);
  const succeeded = await latestJobs(tx, [ROTATE_DEK_KIND], ["succeeded"]);

  const ids = tenants.map((t) => t.id);
  const keyStatus = await keyStatusOf(ids);
  const roots = tenants.filter((t) => t.parent_id === null && t.kind === "mssp");

  let allowed = new Map<string, { "keys:rotate": boolean }>();
  let pdpUnavailable = false;
  try {
    allowed = await checkActionsForEach(
      principalFromClaims(tx.claims),
      ["keys:rotate"],
      tenants.map((t) => ({ id: t.id, path: t.path, kind: t.kind, status: t.status })),
    );
  } catch (error) {
    if (!isPdpUnavailable(error)) throw error;
    pdpUnavailable = true;
  }
  const can = (id: string) => allowed.get(id)?.["keys:rotate"] === true;
  const latestOf = (tenantId: string, kind: string, list: readonly JobView[]) => {
    const job = list.find((j) => j.tenantId === tenantId && j.kind === kind);
    return job ? jobJson(job) : null;
  };

  const keks: KekCard[] = [];
  for (const root of roots) {
    const versions = await kekVersions(root.id);
    const active = versions.find((v) => v.status === "active") ?? null;
    keks.push({
      mssp: { id: root.id, slug: root.slug, name: root.name },
      active: active ? { version: active.version, status: active.status, wraps: active.wraps, createdAt: active.createdAt.toISOString() } : null,
      retiredCount: versions.filter((v) => v.status === "retired").length,
      latestJob: latestOf(root.id, ROTATE_KEK_KIND, latest),
      canRotate: can(root.id),
    });
  }

  const names = new Map(tenants.map((t) => [t.id, t.name]));
  return {
    keks,
    tenants: tenants.map((t) => {
      const versions = keyStatus.get(t.id) ?? [];
      const credentials = counts
        .filter((c) => c.tenant_id === t.id)
        .map((c) => ({ version: c.key_version, count: c.n }))
        .sort((a, b) => b.version - a.version);
      const active = activeVersionOf(versions);
      return {
        id: t.id,
        slug: t.slug,
        name: t.name,
        kind: t.kind,
        status: t.status,
        depth: t.depth,
        active: active ? versionJson(active) : null,
        retiring: versions.filter((v) => v.status === "retiring").map(versionJson),
        destroyed: versions.some((v) => v.status === "destroyed"),
        credentials,
        credentialsTotal: credentials.reduce((n, c) => n + c.count, 0),
        lastRotation: latestOf(t.id, ROTATE_DEK_KIND, succeeded),
        latestJob: latestOf(t.id, ROTATE_DEK_KIND, latest),
        canRotate: can(t.id) && !versions.some((v) => v.status === "destroyed"),
      };
    }),
    recentJobs: recent.map((j) => ({ ...jobJson(j), tenantName: names.get(j.tenantId) ?? "Unknown tenant" })),
    pdpUnavailable,
  };
}

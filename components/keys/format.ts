// Formatting shared by the Keys page's server and client components.
import type { JobJson } from "@/lib/vault/rotation-page";

const dateTime = new Intl.DateTimeFormat("en-GB", {
  day: "2-digit",
  month: "short",
  year: "numeric",
  hour: "2-digit",
  minute: "2-digit",
  timeZone: "UTC",
});

/** "29 Nov 2026, 20:48 UTC" */
export function formatDateTime(iso: string | null): string {
  return iso ? `${dateTime.format(new Date(iso))} UTC` : "—";
}

/** "1.2 s", "3 min 4 s", "—" while unknown. */
export function formatDuration(startIso: string | null, endIso: string | null): string {
  if (!startIso || !endIso) return "—";
  const ms = Math.max(0, new Date(endIso).getTime() - new Date(startIso).getTime());
  if (ms < 1_000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes} min ${Math.round((ms % 60_000) / 1_000)} s`;
}

export function jobKindLabel(kind: string): string {
  if (kind === "vault.rotate-dek") return "Data key rotation";
  if (kind === "vault.rotate-kek") return "KEK rotation";
  return kind;
}

const num = (v: unknown) => (typeof v === "number" ? v : null);

/** What a finished job did, in a sentence. */
export function jobResultSummary(job: Pick<JobJson, "kind" | "status" | "result" | "lastError">): string {
  if (job.status === "failed") return job.lastError ?? "Failed.";
  const r = job.result ?? {};
  if (job.kind === "vault.rotate-dek") {
    const retired = Array.isArray(r.retiredVersions) ? (r.retiredVersions as number[]) : [];
    const resealed = num(r.resealed) ?? 0;
    const skipped = num(r.skipped) ?? 0;
    return (
      `${resealed} credential${resealed === 1 ? "" : "s"} re-sealed under v${num(r.targetVersion) ?? "?"}` +
      (skipped ? `, ${skipped} already replaced` : "") +
      (retired.length ? `; v${retired.join(", v")} retired` : "")
    );
  }
  if (job.kind === "vault.rotate-kek") {
    const n = num(r.rewrapped) ?? 0;
    return `${n} tenant key${n === 1 ? "" : "s"} re-wrapped under KEK v${num(r.newVersion) ?? "?"}`;
  }
  return "Done";
}

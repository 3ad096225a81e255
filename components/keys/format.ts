// Formatting shared by the Keys page's server and client components.
import { formatTime, formatTimeWithZone } from "@/lib/locale/time";
import type { JobJson } from "@/lib/vault/rotation-page";

/**
 * "29 Nov 2026, 21:48 Europe/Paris": in the page's zone (KeysPageData.timeZone,
 * the MSSP's locale.time_zone), named. The client components format with the
 * zone passed down, so the browser renders what the server did.
 */
export function formatDateTime(iso: string | null, zone: string): string {
  return iso ? formatTimeWithZone(new Date(iso), zone) : "—";
}

/**
 * The same in two parts that each stay whole: { day: "06 Dec 2026", time: "20:52 UTC" }. A table
 * cell shows them on one line where it is wide and on two on a phone, never broken mid-date.
 */
export function formatDateTimeParts(iso: string, zone: string): { day: string; time: string } {
  const at = new Date(iso);
  const day = formatTime(at, zone, "day");
  const full = formatTime(at, zone, "full");
  // en-GB "full" is the day, a comma, then the time ("06 Dec 2026, 20:52").
  const time = full.startsWith(`${day}, `) ? full.slice(day.length + 2) : full;
  return { day, time: `${time} ${zone}` };
}

/** The same without the zone's name, for a column whose header names it. */
export function formatDateTimeBare(iso: string | null, zone: string): string {
  return iso ? formatTime(new Date(iso), zone, "full") : "—";
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

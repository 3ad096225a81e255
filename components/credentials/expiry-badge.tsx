// When a credential's secret expires, coloured by how soon.
import type { CredentialView } from "@/lib/actions/credentials/view";

export const dateFmt = new Intl.DateTimeFormat("en-GB", { day: "2-digit", month: "short", year: "numeric", timeZone: "UTC" });

export function formatDate(iso: string | null, none = "—"): string {
  return iso ? dateFmt.format(new Date(iso)) : none;
}

export function ExpiryBadge({ credential }: { credential: Pick<CredentialView, "status" | "expiresAt" | "daysLeft"> }) {
  const { status, expiresAt, daysLeft } = credential;
  if (status === "none" || !expiresAt) return <span className="text-sm text-slate-500">No expiry</span>;
  if (status === "ok") return <span className="whitespace-nowrap text-sm text-slate-600">{formatDate(expiresAt)}</span>;
  const expired = status === "expired";
  const label = expired ? "Expired" : daysLeft === 1 ? "Expires tomorrow" : `Expires in ${daysLeft} days`;
  return (
    <span className="flex flex-col items-start gap-0.5" data-expiry={status}>
      <span
        className={`inline-flex whitespace-nowrap rounded-full px-2 py-0.5 text-xs font-semibold ring-1 ${
          expired ? "bg-red-100 text-red-800 ring-red-300" : "bg-amber-100 text-amber-900 ring-amber-300"
        }`}
      >
        {label}
      </span>
      <span className="whitespace-nowrap text-xs text-slate-500">{formatDate(expiresAt)}</span>
    </span>
  );
}

// The console Overview's line about connector credentials: expired and
// soon-expiring secrets break integrations quietly, so the operator sees them
// on the first page, with a link to the list filtered to them.
import { EXPIRING_DAYS } from "@/lib/credentials/store";
import { overviewHref, type OverviewCounts } from "@/lib/credentials/overview";

const plural = (n: number, one: string, many: string) => `${n.toLocaleString("en")} ${n === 1 ? one : many}`;

export function CredentialsAttention({ counts }: { counts: OverviewCounts }) {
  if (counts.total === 0) return null;
  const { expired, expiring } = counts;
  if (expired === 0 && expiring === 0) {
    return (
      <p className="mb-6 rounded-xl border border-emerald-200 bg-emerald-50 px-4 py-3 text-sm text-emerald-800" data-testid="credentials-attention" data-state="ok">
        All {plural(counts.total, "connector credential is", "connector credentials are")} valid for at least {EXPIRING_DAYS} more days.
      </p>
    );
  }
  const parts = [
    expired > 0 ? `${plural(expired, "credential has", "credentials have")} expired` : null,
    expiring > 0 ? `${plural(expiring, "expires", "expire")} within ${EXPIRING_DAYS} days` : null,
  ].filter(Boolean);
  const tone = expired > 0 ? "border-red-200 bg-red-50 text-red-900" : "border-amber-200 bg-amber-50 text-amber-900";
  const link = "rounded-md border border-current/20 bg-white px-2.5 py-1 text-xs font-medium hover:bg-white/70";
  return (
    <div className={`mb-6 flex flex-wrap items-center justify-between gap-3 rounded-xl border px-4 py-3 ${tone}`} role="status" data-testid="credentials-attention" data-state="attention">
      <p className="text-sm">
        <span className="font-semibold">Connector credentials need attention: </span>
        {parts.join(" and ")}.{" "}
        {expired > 0
          ? "Integrations that use an expired secret are failing until it is replaced."
          : "Replace them before they expire, or the integrations that use them stop working."}
      </p>
      <div className="flex gap-2">
        {expired > 0 && (
          <a href={`/credentials${overviewHref({ status: "expired" })}`} className={link}>
            Review expired ({expired.toLocaleString("en")})
          </a>
        )}
        {expiring > 0 && (
          <a href={`/credentials${overviewHref({ status: "expiring" })}`} className={link}>
            Review expiring ({expiring.toLocaleString("en")})
          </a>
        )}
      </div>
    </div>
  );
}

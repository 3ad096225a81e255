// The alert's timeline: created, then every status change, assignment, group
// change and comment, oldest first, each with who and when. Text is shown as text.
import type { TimelineEntry } from "@/lib/alerts/detail";
import { STATUS_LABELS } from "@/lib/alerts/labels";
import { formatTimeWithZone } from "@/lib/locale/time";

function line(e: TimelineEntry): string {
  const who = e.actorName ?? "The system";
  switch (e.kind) {
    case "created":
      return "Alert received";
    case "status":
      return `${who} moved it from ${STATUS_LABELS[e.fromStatus ?? "new"].toLowerCase()} to ${STATUS_LABELS[e.toStatus ?? "new"].toLowerCase()}`;
    case "assignment":
      return e.toAssignee ? `${who} assigned it to ${e.toAssignee}` : `${who} unassigned it${e.fromAssignee ? ` from ${e.fromAssignee}` : ""}`;
    case "comment":
      return `${who} commented`;
    case "group":
      return e.groupSet ? `${who} gave it to group ${e.body ?? "(deleted)"}` : `${who} took it from group ${e.body ?? "(deleted)"}`;
  }
}

export function AlertTimeline({ entries, timeZone }: { entries: TimelineEntry[]; timeZone: string }) {
  return (
    <ol className="relative space-y-4 border-l border-slate-200 pl-5" aria-label="Timeline" data-testid="alert-timeline">
      {entries.map((e) => (
        <li key={e.id} className="relative" data-kind={e.kind}>
          <span className="absolute -left-[1.6rem] top-1.5 h-2.5 w-2.5 rounded-full bg-slate-300 ring-4 ring-white" aria-hidden />
          <p className="text-sm text-slate-800">{line(e)}</p>
          <p className="text-xs text-slate-500">
            <time dateTime={e.at.toISOString()}>{formatTimeWithZone(e.at, timeZone)}</time>
          </p>
          {e.body && e.kind !== "group" && (
            <p className={`mt-1 whitespace-pre-wrap rounded-lg px-3 py-2 text-sm ${e.kind === "comment" ? "bg-slate-50 text-slate-700" : "bg-amber-50 text-amber-900"}`}>
              {e.kind === "status" ? `Reason: ${e.body}` : e.body}
            </p>
          )}
        </li>
      ))}
    </ol>
  );
}

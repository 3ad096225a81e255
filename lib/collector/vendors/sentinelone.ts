// SentinelOne threats (Management API v2.1), with the service user's API
// token as the connection test sends it (lib/credentials/connectors.ts):
//
//   GET <console>/web/api/v2.1/threats?limit=<n>&sortBy=createdAt&sortOrder=asc
//       &createdAt__gte=<since>[&cursor=<c>]            Authorization: ApiToken <token>
//   200 {"data": [threat, …], "pagination": {"nextCursor": "<c>" | null, "totalItems": n}}
//
// Checkpoint: {"since": the newest createdAt sent, "cursor": …, "seen": […]}. A new
// pull asks for threats created at or after `since` (gte, so a threat created
// at that instant after the last pull is not lost), and the threats at exactly
// that instant come back: `seen` holds the ids already sent at `since`, and
// they are left out instead of being sent again (a resend costs a quota item
// and would count as sent). Only when a whole page shares one createdAt (since
// cannot move) is the vendor's cursor kept, so the next page moves on instead
// of asking for the same one. `seen` is bounded (the checkpoint is at most 2000
// characters): past that, the oldest ids are dropped and those threats may
// come again, which the API answers as duplicates (idempotent on (source,
// external id)), so nothing is lost or stored twice.
import type { AlertSeverityName } from "@/lib/alerts/severity";
import type { AlertItem } from "@/lib/ingest/schemas";
import { freeText, ipOf, objectAt, oneLine, rawOf, timestampOf } from "./map";
import type { Puller } from "./types";

interface Checkpoint {
  since: string | null;
  cursor: string | null;
  /** Ids of the threats created exactly at `since` that were sent already. */
  seen: string[];
}

/** The stored checkpoint's limit (public.collector_checkpoints.cursor). */
const MAX_CHECKPOINT = 2000;

function readCheckpoint(text: string | null): Checkpoint {
  const none: Checkpoint = { since: null, cursor: null, seen: [] };
  if (!text) return none;
  try {
    const c = JSON.parse(text) as Partial<Checkpoint>;
    return {
      since: typeof c.since === "string" ? c.since : null,
      cursor: typeof c.cursor === "string" ? c.cursor : null,
      seen: Array.isArray(c.seen) ? c.seen.filter((x): x is string => typeof x === "string") : [],
    };
  } catch {
    return none;
  }
}

/** The checkpoint as stored; `seen` loses its oldest ids until it fits (those may be sent again, as duplicates). */
function writeCheckpoint(next: Checkpoint): string | null {
  if (!next.since && !next.cursor) return null;
  const seen = [...next.seen];
  for (;;) {
    const text = JSON.stringify(seen.length ? { since: next.since, cursor: next.cursor, seen } : { since: next.since, cursor: next.cursor });
    if (text.length <= MAX_CHECKPOINT || seen.length === 0) return text;
    seen.splice(0, Math.max(1, Math.ceil(seen.length / 4)));
  }
}

function severityOf(threatInfo: Record<string, unknown>): AlertSeverityName {
  const confidence = String(threatInfo.confidenceLevel ?? "").toLowerCase();
  const classification = String(threatInfo.classification ?? "").toLowerCase();
  if (confidence === "malicious") return classification === "ransomware" ? "critical" : "high";
  if (confidence === "suspicious") return "medium";
  return "low";
}

export const sentinelOnePuller: Puller = {
  kind: "sentinelone",
  async pull({ config, secret, cursor, pageSize, fetch }) {
    const at = readCheckpoint(cursor);
    const url = new URL(`${config.consoleUrl}/web/api/v2.1/threats`);
    url.searchParams.set("limit", String(pageSize));
    url.searchParams.set("sortBy", "createdAt");
    url.searchParams.set("sortOrder", "asc");
    if (at.since) url.searchParams.set("createdAt__gte", at.since);
    if (at.cursor) url.searchParams.set("cursor", at.cursor);
    const answer = (await fetch({ method: "GET", url: url.toString(), headers: { authorization: `ApiToken ${secret}` } })) as {
      data?: unknown;
      pagination?: { nextCursor?: unknown };
    };
    const items = Array.isArray(answer?.data) ? answer.data : [];
    const alerts: AlertItem[] = [];
    let skipped = 0;
    let newest = at.since;
    const sinceMs = at.since ? Date.parse(at.since) : Number.NaN;
    const alreadySent = new Set(at.since ? at.seen : []);
    // Ids sent (now or before) per createdAt instant (ms: one instant may be spelt two ways), for the next `seen`.
    const sentAt = new Map<number, Set<string>>();
    if (at.since) sentAt.set(sinceMs, new Set(alreadySent));
    for (const item of items) {
      const threat = (item ?? {}) as Record<string, unknown>;
      const info = objectAt(threat, "threatInfo");
      const agent = objectAt(threat, "agentRealtimeInfo");
      const detection = objectAt(threat, "agentDetectionInfo");
      const externalId = oneLine(threat.id ?? info.threatId, 200);
      const createdAt = timestampOf(info.createdAt ?? threat.createdAt);
      if (!externalId) {
        skipped++;
        continue;
      }
      if (createdAt && (!newest || Date.parse(createdAt) > Date.parse(newest))) newest = createdAt;
      if (createdAt) {
        const ms = Date.parse(createdAt);
        sentAt.set(ms, (sentAt.get(ms) ?? new Set<string>()).add(externalId));
        // Sent by an earlier pull at the boundary instant: not again.
        if (ms === sinceMs && alreadySent.has(externalId)) continue;
      }
      const name = oneLine(info.threatName, 200) ?? "Threat";
      alerts.push({
        external_id: externalId,
        source: "sentinelone",
        title: oneLine(`${name}${info.classification ? ` (${String(info.classification)})` : ""}`, 300)!,
        severity: severityOf(info),
        description: freeText([info.filePath && `File: ${String(info.filePath)}`, info.mitigationStatus && `Mitigation: ${String(info.mitigationStatus)}`].filter(Boolean).join("\n"), 10_000),
        rule_name: oneLine(info.detectionEngines && Array.isArray(info.detectionEngines) ? (info.detectionEngines[0] as { title?: unknown })?.title : info.classification, 300),
        hostname: oneLine(agent.agentComputerName ?? detection.agentComputerName, 253),
        source_ip: ipOf(detection.agentIpV4),
        detected_at: createdAt,
        raw: rawOf(threat),
      });
    }
    const nextCursor = typeof answer?.pagination?.nextCursor === "string" && answer.pagination.nextCursor ? answer.pagination.nextCursor : null;
    const moved = newest !== at.since;
    const more = items.length > 0 && nextCursor !== null;
    const seen = newest ? [...(sentAt.get(Date.parse(newest)) ?? [])] : [];
    const next: Checkpoint = { since: newest, cursor: more && !moved ? oneLine(nextCursor, 1500) ?? null : null, seen };
    const text = writeCheckpoint(next) ?? cursor;
    return { alerts, cursor: text, more: more && text !== cursor, skipped };
  },
};

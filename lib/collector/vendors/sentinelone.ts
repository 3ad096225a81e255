// SentinelOne threats (Management API v2.1), with the service user's API
// token as the connection test sends it (lib/credentials/connectors.ts):
//
//   GET <console>/web/api/v2.1/threats?limit=<n>&sortBy=createdAt&sortOrder=asc
//       &createdAt__gte=<since>[&cursor=<c>]            Authorization: ApiToken <token>
//   200 {"data": [threat, …], "pagination": {"nextCursor": "<c>" | null, "totalItems": n}}
//
// Checkpoint: {"since": the newest createdAt sent, "cursor": …}. A new pull
// asks for threats created at or after `since`: the threats at exactly that
// instant come again and are duplicates to the API (idempotent on
// (source, external id)), which is what makes a restart lose nothing. Only
// when a whole page shares one createdAt (since cannot move) is the vendor's
// cursor kept, so the next page moves on instead of asking for the same one.
import type { AlertSeverityName } from "@/lib/alerts/severity";
import type { AlertItem } from "@/lib/ingest/schemas";
import { freeText, ipOf, objectAt, oneLine, rawOf, timestampOf } from "./map";
import type { Puller } from "./types";

interface Checkpoint {
  since: string | null;
  cursor: string | null;
}

function readCheckpoint(text: string | null): Checkpoint {
  if (!text) return { since: null, cursor: null };
  try {
    const c = JSON.parse(text) as Partial<Checkpoint>;
    return { since: typeof c.since === "string" ? c.since : null, cursor: typeof c.cursor === "string" ? c.cursor : null };
  } catch {
    return { since: null, cursor: null };
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
    const next: Checkpoint = { since: newest, cursor: more && !moved ? oneLine(nextCursor, 1500) ?? null : null };
    const text = next.since || next.cursor ? JSON.stringify(next) : cursor;
    return { alerts, cursor: text, more: more && text !== cursor, skipped };
  },
};

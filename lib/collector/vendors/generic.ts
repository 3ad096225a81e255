// Generic API key connector: any HTTPS service that serves alerts with the
// portal's simple paging contract (docs/collector.md, "Generic API"):
//
//   GET <base URL>/alerts?limit=<n>[&cursor=<c>]     <header>: <prefix><key>
//   200 {"alerts": [{"id", "title", "severity", "description"?, "hostname"?,
//                    "source_ip"?, "rule_name"?, "detected_at"?}, …],
//        "next_cursor": "<c>" | null, "has_more": true | false}
//
// The checkpoint is the service's next_cursor (kept as it was when null).
import type { AlertItem } from "@/lib/ingest/schemas";
import { freeText, ipOf, oneLine, rawOf, severityOf, timestampOf } from "./map";
import type { Puller } from "./types";

export const genericPuller: Puller = {
  kind: "generic_api_key",
  async pull({ config, secret, cursor, pageSize, fetch }) {
    const base = new URL(config.baseUrl);
    const url = new URL(`${base.pathname.replace(/\/+$/, "")}/alerts`, base.origin);
    url.searchParams.set("limit", String(pageSize));
    if (cursor) url.searchParams.set("cursor", cursor);
    const answer = (await fetch({
      method: "GET",
      url: url.toString(),
      headers: { [config.headerName || "Authorization"]: `${config.valuePrefix ?? ""}${secret}` },
    })) as { alerts?: unknown; next_cursor?: unknown; has_more?: unknown };
    const items = Array.isArray(answer?.alerts) ? answer.alerts : [];
    const alerts: AlertItem[] = [];
    let skipped = 0;
    for (const item of items) {
      const a = (item ?? {}) as Record<string, unknown>;
      const externalId = oneLine(a.id, 200);
      const title = oneLine(a.title, 300);
      if (!externalId || !title) {
        skipped++;
        continue;
      }
      alerts.push({
        external_id: externalId,
        source: "generic_api_key",
        title,
        severity: severityOf(a.severity) ?? "medium",
        description: freeText(a.description, 10_000),
        rule_name: oneLine(a.rule_name, 300),
        hostname: oneLine(a.hostname, 253),
        source_ip: ipOf(a.source_ip),
        detected_at: timestampOf(a.detected_at),
        raw: rawOf(a),
      });
    }
    const next = typeof answer?.next_cursor === "string" && answer.next_cursor ? oneLine(answer.next_cursor, 2000) ?? cursor : cursor;
    return { alerts, cursor: next, more: answer?.has_more === true && items.length > 0 && next !== cursor, skipped };
  },
};

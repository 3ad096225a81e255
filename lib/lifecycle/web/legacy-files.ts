// The legacy import's files as the console takes them: one per kind, each
// .csv, .json or .ndjson (.jsonl), stored as <kind>.<ext>, the names
// importLegacyData looks for (lib/lifecycle/archive/import.ts). No Node
// imports: the import page uses this too.
export const LEGACY_KINDS = ["users", "assets", "alerts"] as const;
export type LegacyKind = (typeof LEGACY_KINDS)[number];

export const LEGACY_ACCEPT = ".csv,.json,.ndjson,.jsonl,text/csv,application/json";

/** "csv" | "json" | "ndjson" | "jsonl" from a file name, or null. */
export function legacyExtension(name: string): "csv" | "json" | "ndjson" | "jsonl" | null {
  const m = /\.(csv|json|ndjson|jsonl)$/i.exec(name.trim());
  return m ? (m[1].toLowerCase() as "csv" | "json" | "ndjson" | "jsonl") : null;
}

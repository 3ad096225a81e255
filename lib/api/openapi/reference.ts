// The OpenAPI document as the reference page shows it: per tag, each
// operation with its fields flattened into rows ("alerts[].title"), so the
// page (components/api-docs) only renders data. Built from the same document
// the gateway serves at /api/v1/openapi.json.
import { API_BASE_PATH, buildOpenApiDocument, type JsonSchema, type OpenApiDocument } from "./document";

export interface FieldRow {
  name: string;
  type: string;
  required: boolean;
  notes: string;
}

export interface ReferenceOperation {
  id: string;
  method: string;
  path: string;
  summary: string;
  description: string;
  scope: string;
  parameters: FieldRow[];
  body: FieldRow[];
  response: FieldRow[];
  successStatus: string;
  errorStatuses: { status: string; description: string }[];
  curl: string;
}

export interface ReferenceModel {
  title: string;
  description: string;
  basePath: string;
  tags: { name: string; operations: ReferenceOperation[] }[];
}

function typeOf(s: JsonSchema): string {
  const x = s as Record<string, any>;
  if (x.anyOf) return (x.anyOf as JsonSchema[]).map(typeOf).join(" | ");
  if (x.enum) return (x.enum as unknown[]).map((v) => JSON.stringify(v)).join(" | ");
  if (x.const !== undefined) return JSON.stringify(x.const);
  if (x.type === "array") return `${x.items ? typeOf(x.items) : "any"}[]`;
  if (x.type === "string" && x.format) return `string (${x.format})`;
  if (x.type === "object" && !x.properties) return "object";
  return String(x.type ?? "any");
}

function notesOf(s: JsonSchema): string {
  const x = s as Record<string, any>;
  const parts: string[] = [];
  if (x.description) parts.push(String(x.description));
  if (x.minLength !== undefined || x.maxLength !== undefined) parts.push(`${x.minLength ?? 0}–${x.maxLength ?? "∞"} characters`);
  if (x.minItems !== undefined || x.maxItems !== undefined) parts.push(`${x.minItems ?? 0}–${x.maxItems ?? "∞"} items`);
  if (x.minimum !== undefined || x.maximum !== undefined) parts.push(`${x.minimum ?? "−∞"}–${x.maximum ?? "∞"}`);
  return joinNotes(parts);
}

/** "A sentence." + "1–100 characters" reads "A sentence; 1–100 characters", not "A sentence.; 1–100 characters". */
function joinNotes(parts: (string | undefined)[]): string {
  const kept = parts.filter((p): p is string => Boolean(p));
  return kept.map((p, i) => (i < kept.length - 1 ? p.replace(/\.$/, "") : p)).join("; ");
}

/** Rows for an object schema's fields, descending into objects and arrays of objects. */
export function fieldRows(schema: JsonSchema | undefined, prefix = "", depth = 0): FieldRow[] {
  const s = schema as Record<string, any> | undefined;
  if (!s || depth > 4) return [];
  if (s.type === "array" && s.items) return fieldRows(s.items, `${prefix}[]`, depth + 1);
  const variants = (s.anyOf as JsonSchema[] | undefined)?.filter((v) => (v as any).type === "object");
  if (variants?.length) return variants.flatMap((v) => fieldRows(v, prefix, depth + 1));
  if (s.type !== "object" || !s.properties) return [];
  const required = new Set<string>(s.required ?? []);
  const rows: FieldRow[] = [];
  for (const [name, prop] of Object.entries(s.properties as Record<string, JsonSchema>)) {
    const full = prefix ? `${prefix}.${name}` : name;
    rows.push({ name: full, type: typeOf(prop), required: required.has(name), notes: notesOf(prop) });
    rows.push(...fieldRows(prop, full, depth + 1));
  }
  // The same field from two variants of a union once.
  return rows.filter((r, i) => rows.findIndex((o) => o.name === r.name && o.type === r.type) === i);
}

function exampleBody(path: string, method: string): string | null {
  if (method === "post" && path === "/alerts") {
    return JSON.stringify({ alerts: [{ external_id: "evt-1842", source: "crowdstrike", title: "Suspicious PowerShell", severity: "high", hostname: "ws-17", raw: { "…": "the vendor's event" } }] });
  }
  if (method === "post" && path === "/assets") return JSON.stringify({ assets: [{ external_id: "cmdb-991", hostname: "db-01", kind: "server", criticality: "critical" }] });
  if (method === "post" && path === "/collectors/heartbeat") return JSON.stringify({ name: "edr-puller", version: "1.4.0", last_pull_at: "2026-12-01T10:00:00Z" });
  if (method === "patch") return JSON.stringify({ status: "resolved", reason: "Benign admin script" });
  return null;
}

export function referenceModel(doc: OpenApiDocument = buildOpenApiDocument()): ReferenceModel {
  const byTag = new Map<string, ReferenceOperation[]>();
  for (const [path, ops] of Object.entries(doc.paths)) {
    if (path.startsWith("/tenants/{slug}")) continue; // the same operations, addressed by slug: said once on the page
    for (const [method, op] of Object.entries(ops)) {
      const params = (op.parameters ?? []).filter((p: any) => !p.$ref) as { name: string; in: string; required: boolean; description?: string; schema: JsonSchema }[];
      const success = Object.keys(op.responses).find((s) => s.startsWith("2")) ?? "200";
      const successSchema = (op.responses[success] as any)?.content?.["application/json"]?.schema as JsonSchema | undefined;
      const body = exampleBody(path, method);
      const samplePath = path.replace("{id}", "3f0c…");
      const curl = [
        `curl -X ${method.toUpperCase()} "https://acme.example.com${API_BASE_PATH}${samplePath}"`,
        `  -H "Authorization: Bearer msp_live_…"`,
        ...(body ? [`  -H "Content-Type: application/json"`, `  -d '${body}'`] : []),
      ].join(" \\\n");
      const entry: ReferenceOperation = {
        id: op.operationId,
        method: method.toUpperCase(),
        path,
        summary: op.summary,
        description: (op.description ?? "").split("\n\nRequires the scope")[0],
        scope: op["x-required-scope"],
        parameters: params.map((p) => ({ name: p.name, type: `${typeOf(p.schema)} (${p.in})`, required: p.required, notes: joinNotes([p.description, notesOf(p.schema)]) })),
        body: fieldRows(op.requestBody?.content["application/json"]?.schema),
        response: fieldRows(successSchema),
        successStatus: success,
        errorStatuses: Object.entries(op.responses)
          .filter(([s]) => !s.startsWith("2"))
          .map(([status, r]) => ({ status, description: String((doc.components.responses[String((r as any).$ref ?? "").split("/").pop() ?? ""] as any)?.description ?? "") })),
        curl,
      };
      byTag.set(op.tags[0], [...(byTag.get(op.tags[0]) ?? []), entry]);
    }
  }
  return {
    title: doc.info.title,
    description: doc.info.description,
    basePath: API_BASE_PATH,
    tags: [...byTag].map(([name, operations]) => ({ name, operations })),
  };
}

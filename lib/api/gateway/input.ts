// Reading and checking a request's input against an endpoint's schemas:
// JSON only (UTF-8), a capped body held in the process's body budget while the
// gateway reads and parses it, no duplicate keys, bounded nesting, strict objects, and every
// refusal a problem the caller can act on (never a 5xx for bad input).
import { z } from "zod";
import { ApiProblem, type Endpoint, type EndpointInput } from "@/lib/api/endpoint";
import { problems } from "@/lib/api/problem";
import type { BodyTicket } from "./body-budget";
import { jsonShapeIssue, MAX_BODY_DEPTH } from "./json-shape";

/** Default cap on a request body; an endpoint may lower or raise it up to MAX_BODY_BYTES. */
export const DEFAULT_BODY_BYTES = 1024 * 1024;
export const MAX_BODY_BYTES = 16 * 1024 * 1024;

export function bodyLimit(endpoint: Endpoint): number {
  const own = endpoint.maxBodyBytes;
  return typeof own === "number" && own > 0 ? Math.min(own, MAX_BODY_BYTES) : DEFAULT_BODY_BYTES;
}

const JSON_TYPE = /^application\/(?:[a-z0-9.+-]*\+)?json$/;

/** The charset parameters of a Content-Type (lowercased, unquoted): `application/json; charset="UTF-8"` → ["utf-8"]. */
export function charsetsOf(contentType: string): string[] {
  const params = contentType.slice(contentType.indexOf(";") + 1 || contentType.length);
  const out: string[] = [];
  for (const m of params.matchAll(/(?:^|;)\s*([^\s;=]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*)/g)) {
    if (m[1].toLowerCase() !== "charset") continue;
    const value = m[2].trim();
    out.push((value.startsWith('"') ? value.slice(1, -1).replace(/\\(.)/g, "$1") : value).toLowerCase());
  }
  return out;
}

/**
 * The body as text, read up to `limit` bytes; throws ApiProblem 413 past it. Its bytes are held in
 * the process's body budget (./body-budget.ts) before the gateway reads them: the Content-Length's
 * at once (refused: the gateway reads, copies and parses none of it), and what it has read so far for
 * a body without one. Under `next start` Next has already buffered the body (up to 17 MiB,
 * next.config.ts) before this runs: the budget bounds this reading and the parse, not that.
 */
async function readCapped(request: Request, limit: number, ticket: BodyTicket): Promise<string> {
  const declared = request.headers.get("content-length");
  if (declared !== null && (!/^\d+$/.test(declared) || Number(declared) > limit)) {
    if (!/^\d+$/.test(declared)) throw problems.badRequest("Content-Length is not a number.");
    throw problems.tooLarge(limit);
  }
  if (!request.body) return "";
  if (declared !== null) ticket.need(Number(declared));
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    let next: ReadableStreamReadResult<Uint8Array>;
    try {
      next = await reader.read();
    } catch {
      // The client stopped sending (or the connection broke) mid-body: its fault, not a 500.
      throw problems.badRequest("The body could not be read to its end.");
    }
    const { done, value } = next;
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => undefined);
      throw problems.tooLarge(limit);
    }
    try {
      ticket.need(total);
    } catch (error) {
      await reader.cancel().catch(() => undefined);
      throw error;
    }
    chunks.push(value);
  }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(Buffer.concat(chunks));
  } catch {
    throw problems.badJson("The body is not valid UTF-8.");
  }
}

/**
 * The JSON body of a request to `endpoint` (undefined when the endpoint takes none and none was sent).
 * `ticket`: the request's hold on the process's body budget (released by the caller when the request ends).
 */
export async function readJsonBody(request: Request, endpoint: Endpoint, ticket: BodyTicket): Promise<unknown> {
  const takesBody = endpoint.body !== undefined;
  const hasBody = (request.headers.get("content-length") ?? "0") !== "0" || request.headers.has("transfer-encoding");
  if (!takesBody) {
    if (hasBody && (await readCapped(request, 64 * 1024, ticket)).trim() !== "") {
      throw problems.badRequest(`${endpoint.method} ${endpoint.path} takes no body.`);
    }
    return undefined;
  }
  const contentType = request.headers.get("content-type") ?? "";
  const type = contentType.split(";")[0].trim().toLowerCase();
  if (!JSON_TYPE.test(type)) throw problems.unsupportedType();
  // JSON is UTF-8 (RFC 8259 §8.1): a body declared in another charset is not read as if it were.
  const other = charsetsOf(contentType).find((c) => c !== "utf-8");
  if (other !== undefined) {
    throw problems.unsupportedType(`Send the body as JSON in UTF-8: Content-Type: application/json (charset=utf-8, or no charset), not charset=${other.slice(0, 40)}.`);
  }
  const text = await readCapped(request, bodyLimit(endpoint), ticket);
  if (text.trim() === "") throw problems.badJson("The body is empty; send a JSON document.");
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw problems.badJson(`The body is not valid JSON (${(error as Error).message.slice(0, 120)}).`);
  }
  const issue = jsonShapeIssue(text);
  if (issue?.kind === "duplicate") {
    throw problems.badJson(`The body has the key ${JSON.stringify(issue.key.slice(0, 100))} twice in one object (at ${issue.path}); send each key once.`);
  }
  if (issue?.kind === "depth") {
    throw problems.badJson(`The body is nested too deeply (at most ${MAX_BODY_DEPTH} levels of objects and arrays; past it at ${issue.path}).`);
  }
  return value;
}

/** ?a=1&a=2&b=3 → {a: ["1", "2"], b: "3"}. */
export function queryObject(search: URLSearchParams): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = Object.create(null);
  for (const [k, v] of search) {
    const prev = out[k];
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return { ...out };
}

/** Top-level objects refuse unknown members (nested ones are the endpoint's own schema's business). */
function strict<T>(schema: z.ZodType<T>): z.ZodType<T> {
  return schema instanceof z.ZodObject ? (schema.strict() as unknown as z.ZodType<T>) : schema;
}

type Issue = { in: string; path: string; message: string };

/** A zod failure as the 422's `errors` (the OpenAPI document's Problem.errors items). */
export function issuesOf(where: string, error: z.ZodError): Issue[] {
  return error.issues.slice(0, 50).map((i) => ({
    in: where,
    path: i.path.map(String).join(".") || "(root)",
    message: i.code === "unrecognized_keys" ? `Unknown field${i.keys.length === 1 ? "" : "s"}: ${i.keys.slice(0, 10).join(", ")}` : i.message,
  }));
}

/** Parses params, query and body with the endpoint's schemas; a mismatch is one 422 listing every issue. */
export function parseInput(
  endpoint: Endpoint,
  raw: { params: Record<string, string>; query: Record<string, string | string[]>; body: unknown },
): EndpointInput<unknown, unknown, unknown> {
  const issues: Issue[] = [];
  const run = (where: string, schema: z.ZodType | undefined, value: unknown, emptyAllowed: boolean) => {
    if (!schema) {
      if (!emptyAllowed) issues.push({ in: where, path: "(root)", message: `This endpoint takes no ${where} parameters.` });
      return undefined;
    }
    const r = strict(schema).safeParse(value);
    if (!r.success) {
      issues.push(...issuesOf(where, r.error));
      return undefined;
    }
    return r.data;
  };
  const params = run("path", endpoint.params, raw.params, Object.keys(raw.params).length === 0);
  const query = run("query", endpoint.query, raw.query, Object.keys(raw.query).length === 0);
  const body = endpoint.body ? run("body", endpoint.body, raw.body, true) : undefined;
  if (issues.length > 0) throw problems.invalid(issues);
  return { params, query, body };
}

export function isApiProblem(error: unknown): error is ApiProblem {
  return error instanceof ApiProblem || (error instanceof Error && error.name === "ApiProblem" && typeof (error as ApiProblem).status === "number");
}

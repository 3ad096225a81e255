// Reading a legacy install's export files record by record, with the line
// each record starts on, so a rejected row can be named by file and line.
//   .csv     RFC 4180: a header row, quoted fields ("" for a quote), CRLF or
//            LF, newlines inside quotes
//   .json    one array of objects
//   .ndjson / .jsonl   one object per line
// All three stream: a file of any size is read in bounded memory.
import { createReadStream } from "node:fs";
import { StringDecoder } from "node:string_decoder";
import { splitLines } from "./format";

export interface RawRecord {
  line: number;
  /** Field name → value as written (CSV: strings; JSON: whatever the file has). */
  fields: Record<string, unknown>;
  /** A record the reader could not parse at all. */
  error?: string;
}

async function* chars(file: string): AsyncGenerator<string> {
  const decoder = new StringDecoder("utf8");
  for await (const chunk of createReadStream(file)) yield decoder.write(chunk as Buffer);
  yield decoder.end();
}

export async function* readCsv(file: string): AsyncGenerator<RawRecord> {
  let header: string[] | null = null;
  let fields: string[] = [];
  let field = "";
  let quoted = false;
  let afterQuote = false;
  let line = 1;
  let start = 1;
  let bad: string | undefined;
  let sawBom = false;
  const endRecord = function* (): Generator<RawRecord> {
    fields.push(field);
    field = "";
    const done = fields;
    fields = [];
    if (done.length === 1 && done[0] === "" && !bad) return; // a blank line
    if (!header) {
      header = done.map((h) => h.trim().toLowerCase());
      return;
    }
    const record: Record<string, unknown> = {};
    header.forEach((h, i) => (record[h] = done[i] ?? ""));
    const error = bad ?? (done.length !== header.length ? `has ${done.length} fields, the header has ${header.length}` : undefined);
    bad = undefined;
    yield { line: start, fields: record, error };
  };
  let lastCR = false;
  for await (const text of chars(file)) {
    for (const c of text) {
      if (!sawBom) {
        sawBom = true;
        if (c === "\uFEFF") continue;
      }
      const crlf = lastCR && c === "\n";
      lastCR = false;
      if (crlf) continue; // the \n of a \r\n, which may straddle two chunks
      if (quoted) {
        if (c === '"') {
          quoted = false;
          afterQuote = true; // closing, unless the next character is another quote
        } else {
          if (c === "\n") line++;
          field += c;
        }
        continue;
      }
      if (afterQuote && c === '"') {
        field += '"'; // "" inside a quoted field
        quoted = true;
        afterQuote = false;
        continue;
      }
      afterQuote = false;
      if (c === '"' && field === "") quoted = true;
      else if (c === ",") {
        fields.push(field);
        field = "";
      } else if (c === "\n" || c === "\r") {
        lastCR = c === "\r";
        yield* endRecord();
        line++;
        start = line;
      } else {
        if (c === '"') bad ??= "has a quote inside an unquoted field";
        field += c;
      }
    }
  }
  if (quoted) bad = "has a quoted field that never ends";
  if (field !== "" || fields.length > 0 || bad) yield* endRecord();
}

function parseObject(raw: string, at: number): RawRecord {
    try {
      const value = JSON.parse(raw);
      if (value === null || typeof value !== "object" || Array.isArray(value)) return { line: at, fields: {}, error: "is not an object" };
      return { line: at, fields: Object.fromEntries(Object.entries(value).map(([k, v]) => [k.toLowerCase(), v])) };
    } catch (e) {
      return { line: at, fields: {}, error: `is not valid JSON (${(e as Error).message})` };
    }
}

/** One object per line; a broken line is one rejected record, the next line starts afresh. */
export async function* readNdjson(file: string): AsyncGenerator<RawRecord> {
  let line = 0;
  for await (const text of splitLines(chars(file), { lastLineMayLackNewline: true })) {
    line++;
    if (text.trim()) yield parseObject(text.replace(/^\uFEFF/, ""), line);
  }
}

/** Objects of a JSON array, split at top level without parsing (or holding) the whole file. */
export async function* readJson(file: string): AsyncGenerator<RawRecord> {
  let depth = 0;
  let inString = false;
  let escaped = false;
  let text = "";
  let line = 1;
  let start = 1;
  let opened = false;
  for await (const chunk of chars(file)) {
    for (const c of chunk) {
      if (c === "\n") line++;
      if (depth === 0) {
        if (!opened) {
          if (c === "[") opened = true;
          else if (!/\s|\uFEFF/.test(c)) {
            yield { line, fields: {}, error: "the file is not a JSON array of objects" };
            return;
          }
          continue;
        }
        if (c === "{") {
          depth = 1;
          text = c;
          start = line;
        } else if (!/[\s,\]]/.test(c)) {
          yield { line, fields: {}, error: `unexpected ${JSON.stringify(c)} between records` };
          return;
        }
        continue;
      }
      text += c;
      if (inString) {
        if (escaped) escaped = false;
        else if (c === "\\") escaped = true;
        else if (c === '"') inString = false;
      } else if (c === '"') inString = true;
      else if (c === "{" || c === "[") depth++;
      else if (c === "}" || c === "]") {
        depth--;
        if (depth === 0) yield parseObject(text, start);
      }
      if (text.length > 1_000_000) {
        yield { line: start, fields: {}, error: "is longer than 1 MB" };
        return;
      }
    }
  }
  if (depth > 0) yield { line: start, fields: {}, error: "is cut short (the file ends inside it)" };
}

export function readRecords(file: string): AsyncGenerator<RawRecord> {
  if (/\.csv$/i.test(file)) return readCsv(file);
  return /\.(ndjson|jsonl)$/i.test(file) ? readNdjson(file) : readJson(file);
}

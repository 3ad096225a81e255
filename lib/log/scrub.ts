// Keeping secrets out of error messages. Redaction in the logger only sees
// field names; these helpers handle the other way secrets leak: inside the
// text of an error (a driver echoing a bound value, a library putting its
// input in a message) or in a stack, cause chain or extra property.
import { DrizzleQueryError } from "drizzle-orm/errors";
import { isSecretKey } from "./secret-keys";

const REDACTED = "[REDACTED]";
/** Shorter strings would scrub ordinary words and prove nothing. */
const MIN_SECRET_LENGTH = 4;
const MAX_NAME_LENGTH = 100;
const MAX_MESSAGE_LENGTH = 1_000;
const MAX_QUERY_LENGTH = 200;
/** How far safeError follows wrapped causes (a DrizzleQueryError's pg error). */
const MAX_CAUSE_DEPTH = 3;

export interface SafeError {
  name: string;
  message: string;
  code?: string;
}

// ---------------------------------------------------------------------------
// scrubText
// ---------------------------------------------------------------------------

/**
 * base64 of the secret as it appears inside a longer base64 text, for each of
 * the three byte alignments it can start at (think "Basic " + base64(user:pw)):
 * only the characters that depend on the secret's bytes alone, so the match
 * does not depend on what surrounds it.
 */
function base64Cores(bytes: Buffer): string[] {
  const cores: string[] = [];
  for (let shift = 0; shift < 3; shift++) {
    const b64 = Buffer.concat([Buffer.alloc(shift), bytes]).toString("base64");
    const total = shift + bytes.length;
    // Characters 0..1 (shift 1) or 0..2 (shift 2) mix in the padding bytes.
    const start = [0, 2, 3][shift];
    // A trailing group of r bytes has r characters that depend on it alone.
    const end = Math.floor(total / 3) * 4 + (total % 3);
    cores.push(b64.slice(start, end));
  }
  return cores;
}

/** The secret and the encodings it commonly travels in. */
function encodingsOf(secret: string): string[] {
  const bytes = Buffer.from(secret, "utf8");
  const forms = new Set<string>([secret]);
  const add = (form: string) => forms.add(form);
  // base64 / base64url: whole (with padding) and embedded at any alignment.
  add(bytes.toString("base64"));
  add(bytes.toString("base64url"));
  for (const core of base64Cores(bytes)) {
    add(core);
    add(core.replace(/\+/g, "-").replace(/\//g, "_"));
  }
  add(bytes.toString("hex"));
  add(bytes.toString("hex").toUpperCase());
  const uri = encodeURIComponent(secret);
  add(uri);
  add(uri.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()));
  add(new URLSearchParams({ s: secret }).toString().slice(2)); // form encoding: space as "+"
  const json = JSON.stringify(secret).slice(1, -1);
  add(json);
  add(JSON.stringify(json).slice(1, -1)); // a JSON string inside a JSON string (a log line's msg)
  return [...forms].filter((form) => form.length >= MIN_SECRET_LENGTH);
}

/**
 * `text` with every occurrence of each secret (of at least 4 characters) and
 * of its base64, base64url, hex, URI-component, form and JSON-escaped forms
 * replaced by "[REDACTED]".
 */
export function scrubText(text: string, secrets: readonly string[]): string {
  if (!text || secrets.length === 0) return text;
  const forms = new Set<string>();
  for (const secret of secrets) {
    if (typeof secret === "string" && secret.length >= MIN_SECRET_LENGTH) for (const form of encodingsOf(secret)) forms.add(form);
  }
  // Longest first, so a whole encoding goes before a shorter form inside it.
  let out = text;
  for (const form of [...forms].sort((a, b) => b.length - a.length)) {
    if (out.includes(form)) out = out.split(form).join(REDACTED);
  }
  return out;
}

/**
 * The string values held under secret-looking keys (SECRET_KEYS) in `value`,
 * down to `depth` levels: what an error about this input might echo.
 */
export function secretsIn(value: unknown, depth = 3): string[] {
  const found: string[] = [];
  const walk = (v: unknown, level: number, underSecretKey: boolean) => {
    if (typeof v === "string") {
      if (underSecretKey) found.push(v);
      return;
    }
    if (v === null || typeof v !== "object" || level > depth) return;
    if (Array.isArray(v)) {
      for (const item of v) walk(item, level + 1, underSecretKey);
      return;
    }
    for (const [key, child] of Object.entries(v)) walk(child, level + 1, underSecretKey || isSecretKey(key));
  };
  walk(value, 0, false);
  return found;
}

// ---------------------------------------------------------------------------
// safeError
// ---------------------------------------------------------------------------

type ErrorLike = { name?: unknown; message: string; code?: unknown; cause?: unknown; stack?: unknown };

function isErrorLike(value: unknown): value is ErrorLike {
  return value instanceof Error || (typeof value === "object" && value !== null && typeof (value as { message?: unknown }).message === "string");
}

/**
 * drizzle-orm's DrizzleQueryError: its message is "Failed query: <sql>\nparams:
 * <params>", params included. drizzle 0.45 does not set its name (it stays
 * "Error"), so it is recognised by class, by name, or by that message.
 */
function isDrizzleQueryError(value: unknown): value is ErrorLike & { query?: unknown; params?: unknown } {
  if (value instanceof DrizzleQueryError) return true;
  if (!isErrorLike(value)) return false;
  return value.name === "DrizzleQueryError" || value.message.startsWith("Failed query");
}

/** node-postgres's DatabaseError (pg-protocol): a server error response. */
function isPgDatabaseError(value: ErrorLike): boolean {
  const v = value as { severity?: unknown; code?: unknown };
  return (
    (value as object).constructor?.name === "DatabaseError" ||
    (typeof v.severity === "string" && typeof v.code === "string" && /^[0-9A-Z]{5}$/.test(v.code))
  );
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`;
}

function stringCode(value: ErrorLike): string | undefined {
  return typeof value.code === "string" ? clip(value.code, MAX_NAME_LENGTH) : undefined;
}

/** The string parameters a query was sent with: what its errors may echo. */
function paramStrings(params: unknown): string[] {
  if (!Array.isArray(params)) return [];
  return params.filter((p): p is string => typeof p === "string" && p.length >= MIN_SECRET_LENGTH);
}

function summarizePg(error: ErrorLike, secrets: readonly string[]): SafeError {
  // Only the primary message and SQLSTATE: detail (which echoes row values),
  // where, internalQuery, hint and the rest are never copied.
  const code = stringCode(error);
  let message = scrubText(error.message, secrets);
  // Data exceptions (class 22: invalid input syntax, out of range …) quote the
  // offending input value itself, unescaped, so everything from the first
  // quote to the last goes; other classes quote identifiers, which stay.
  if (code?.startsWith("22")) message = message.replace(/"[\s\S]*"/, `"${REDACTED}"`);
  const name = error.name === "error" || typeof error.name !== "string" ? "DatabaseError" : error.name;
  return withCode({ name: clip(scrubText(name, secrets), MAX_NAME_LENGTH), message: clip(message, MAX_MESSAGE_LENGTH) }, code);
}

function withCode(summary: SafeError, code: string | undefined): SafeError {
  return code === undefined ? summary : { ...summary, code };
}

function summarize(error: unknown, secrets: readonly string[], depth: number): SafeError {
  if (isDrizzleQueryError(error)) {
    // Never the DrizzleQueryError's own message (it lists the bound params).
    // The driver error it wraps says what went wrong; scrub it of the params
    // too, since a data exception can quote one back.
    const scrubWith = [...secrets, ...paramStrings(error.params)];
    if (isErrorLike(error.cause) && depth < MAX_CAUSE_DEPTH) return summarize(error.cause, scrubWith, depth + 1);
    // No cause to report: the first line of the SQL, which drizzle writes
    // with $n placeholders, so it holds no values unless sql.raw() put them there.
    const query = typeof error.query === "string" ? error.query : error.message.replace(/^Failed query:\s*/, "");
    const firstLine = clip(query.split("\n", 1)[0] ?? "", MAX_QUERY_LENGTH);
    return { name: "DrizzleQueryError", message: scrubText(`Failed query: ${firstLine}`, scrubWith) };
  }
  if (isErrorLike(error)) {
    if (isPgDatabaseError(error)) return summarizePg(error, secrets);
    // A ScrubbedError is reported under the name of the error it replaced.
    const name = error instanceof ScrubbedError ? error.originalName : typeof error.name === "string" && error.name ? error.name : "Error";
    return withCode(
      { name: clip(scrubText(name, secrets), MAX_NAME_LENGTH), message: clip(scrubText(error.message, secrets), MAX_MESSAGE_LENGTH) },
      stringCode(error),
    );
  }
  if (typeof error === "string") return { name: "Error", message: clip(scrubText(error, secrets), MAX_MESSAGE_LENGTH) };
  // A thrown object or number: its contents are unknown, so none are shown.
  return { name: "NonError", message: `a non-error value was thrown (${error === null ? "null" : typeof error})` };
}

/**
 * A summary of `error` that is safe to log or to put in a response: name,
 * message and string code only; never a stack, a cause chain, a driver
 * error's detail or a query's parameters. The message is scrubbed of
 * `secrets` (scrubText). A DrizzleQueryError is reported by the driver error
 * it wraps.
 */
export function safeError(error: unknown, secrets: readonly string[] = []): SafeError {
  return summarize(error, secrets, 0);
}

// ---------------------------------------------------------------------------
// withSecretsScrubbed
// ---------------------------------------------------------------------------

/**
 * What withSecretsScrubbed throws in place of the original error: a scrubbed
 * message, a scrubbed stack, the original name and string code (so callers
 * can still map SQLSTATEs), and nothing else: no cause, no extra properties.
 */
export class ScrubbedError extends Error {
  readonly originalName: string;
  // declare: no own `code` property at all unless the original had one.
  declare readonly code?: string;

  constructor(originalName: string, message: string, options: { code?: string; stack?: string } = {}) {
    super(message);
    this.name = "ScrubbedError";
    this.originalName = originalName;
    if (options.code !== undefined) this.code = options.code;
    if (options.stack !== undefined) this.stack = options.stack;
  }
}

function scrubbedErrorFrom(error: unknown, secrets: readonly string[]): ScrubbedError {
  const summary = safeError(error, secrets);
  const originalName =
    error instanceof ScrubbedError
      ? error.originalName
      : isDrizzleQueryError(error)
        ? "DrizzleQueryError"
        : summary.name;
  // Keep where it was thrown (the "at …" frames, scrubbed) but not the
  // original first line, which repeats the unscrubbed message.
  const raw = isErrorLike(error) && typeof error.stack === "string" ? error.stack : "";
  const frames = raw
    .split("\n")
    .filter((line) => /^\s+at /.test(line))
    .map((line) => scrubText(line, secrets));
  const stack = [`ScrubbedError: ${summary.message}`, ...frames].join("\n");
  return new ScrubbedError(clip(scrubText(originalName, secrets), MAX_NAME_LENGTH), summary.message, { code: summary.code, stack });
}

/**
 * Runs fn; if it throws, throws a ScrubbedError instead, so nothing upstream
 * (a log line, an error page, a framework's error overlay) can read one of
 * `secrets` from the error's message, stack, cause or properties.
 */
export async function withSecretsScrubbed<T>(secrets: readonly string[], fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw scrubbedErrorFrom(error, secrets);
  }
}

// The portal's one logger: JSON lines (one object per line) that a log
// shipper can parse, with secret-bearing fields redacted by pino before the
// line is serialized. Server-only: pino writes to a file descriptor.
//
// No transports and no pino-pretty: transports run in a worker thread, which
// breaks inside Next's server bundle (pino and thread-stream are on Next's
// built-in serverExternalPackages list; next.config.ts also names pino).
//
// Environment:
//   LOG_LEVEL  fatal|error|warn|info|debug|trace|silent. Default "info", or
//              "warn" when NODE_ENV=test so test output stays readable.
//   LOG_FILE   append lines to this file (created with its folder) instead of
//              writing to stdout.
import pino, { type DestinationStream, type Logger, type LoggerOptions } from "pino";
import { safeError } from "./scrub";
import { SECRET_KEYS } from "./secret-keys";

export type { Logger } from "pino";

export const CENSOR = "[REDACTED]";

const LEVELS = new Set(["fatal", "error", "warn", "info", "debug", "trace", "silent"]);

/**
 * Every path pino redacts: each key of SECRET_KEYS at the top level of a log
 * object and nested one or two levels below any key (`*.k`, `*.*.k`, which
 * also reaches into arrays), plus the request-header paths spelled out so they
 * stay covered even if the wildcard depth is ever reduced. Deeper values are
 * not reached: log a summary (safeError, ids), never a whole request or row.
 */
export const REDACT_PATHS: readonly string[] = Object.freeze([
  ...new Set([
    ...SECRET_KEYS.flatMap((key) => {
      // "set-cookie" is not a JS identifier, so it needs bracket notation.
      const k = /^[A-Za-z_$][\w$]*$/.test(key) ? key : `["${key}"]`;
      const nested = k.startsWith("[") ? k : `.${k}`;
      return [k, `*${nested}`, `*.*${nested}`];
    }),
    "headers.authorization",
    "headers.cookie",
    'headers["set-cookie"]',
    "req.headers.authorization",
    "req.headers.cookie",
    'req.headers["set-cookie"]',
    'res.headers["set-cookie"]',
  ]),
]);

/** LOG_LEVEL if it names a pino level, else the default for NODE_ENV. */
function levelFrom(env: NodeJS.ProcessEnv): { level: string; rejected?: string } {
  const fallback = env.NODE_ENV === "test" ? "warn" : "info";
  const wanted = env.LOG_LEVEL?.trim().toLowerCase();
  if (!wanted) return { level: fallback };
  // An unknown level makes pino throw at construction, which would take every
  // module that logs down with it; fall back and say so instead.
  return LEVELS.has(wanted) ? { level: wanted } : { level: fallback, rejected: env.LOG_LEVEL };
}

/**
 * An error under `err` or `error` is logged as safeError's summary, never as
 * pino's default serialization (which copies every enumerable property:
 * a DrizzleQueryError's params, a pg error's detail, the stack). The error
 * code moves to `errorCode` because `code` is a redacted key (TOTP codes).
 */
function serializeError(value: unknown): { name: string; message: string; errorCode?: string } {
  const { name, message, code } = safeError(value);
  return code === undefined ? { name, message } : { name, message, errorCode: code };
}

const levelChoice = levelFrom(process.env);

export const loggerOptions: LoggerOptions = Object.freeze({
  level: levelChoice.level,
  base: { service: "mssp-portal" },
  timestamp: pino.stdTimeFunctions.isoTime,
  // "level":"error" rather than "level":50, for people and log shippers alike.
  formatters: { level: (label: string) => ({ level: label }) },
  serializers: { err: serializeError, error: serializeError },
  redact: { paths: [...REDACT_PATHS], censor: CENSOR },
});

// One file stream per path for the life of the process: Next's dev server
// re-evaluates modules on every edit and would otherwise leak a descriptor
// each time.
const globalStreams = globalThis as unknown as { __msspLogStreams?: Map<string, DestinationStream> };

function defaultDestination(env: NodeJS.ProcessEnv = process.env): DestinationStream {
  const file = env.LOG_FILE?.trim();
  if (!file) return pino.destination({ dest: 1, sync: true });
  const streams = (globalStreams.__msspLogStreams ??= new Map());
  let stream = streams.get(file);
  if (!stream) {
    // Synchronous writes: a line is on disk before the request that logged it
    // answers, and nothing is lost if the process exits right after.
    stream = pino.destination({ dest: file, sync: true, append: true, mkdir: true });
    streams.set(file, stream);
  }
  return stream;
}

/**
 * A logger with the portal's options on the given destination (stdout or
 * LOG_FILE by default). Tests pass a stream to read the lines back.
 */
export function createLogger(destination: DestinationStream = defaultDestination(), level: string = levelChoice.level): Logger {
  return pino({ ...loggerOptions, level }, destination);
}

export const log: Logger = createLogger();

if (levelChoice.rejected !== undefined) {
  log.warn({ event: "log.invalid-level", value: levelChoice.rejected, using: levelChoice.level }, "LOG_LEVEL is not a pino level; using the default");
}

/** A logger that adds `bindings` (request id, tenant id, job id …) to every line. */
export function childLogger(bindings: Record<string, unknown>): Logger {
  return log.child(bindings);
}

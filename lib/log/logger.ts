// The portal's one logger: JSON lines (one object per line) that a log
// shipper can parse, with secret-bearing fields redacted by pino before the
// line is serialized. Server-only: pino writes to a file descriptor.
//
// No transports and no pino-pretty: transports run in a worker thread, which
// breaks inside Next's server bundle (pino and thread-stream are on Next's
// built-in serverExternalPackages list; next.config.ts also names pino).
//
// Environment (lib/config):
//   LOG_LEVEL  fatal|error|warn|info|debug|trace|silent. Default "info", or
//              "warn" when NODE_ENV=test so test output stays readable.
//   LOG_FILE   append lines to this file (created with its folder) instead of
//              writing to stdout.
//
// Every line inside a request, a withTenant transaction or a job carries its
// request_id / tenant / tenant_id / job_id (context.ts, through pino's mixin).
import pino, { type DestinationStream, type Logger, type LoggerOptions } from "pino";
import { logLevel, parseSettings } from "@/lib/config";
import { currentLogContext } from "./context";
import { safeError } from "./scrub";
import { SECRET_KEYS } from "./secret-keys";

export type { Logger } from "pino";

export const CENSOR = "[REDACTED]";

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

/**
 * LOG_LEVEL through the settings schema, reading only the logging variables:
 * every module imports the logger, so a bad value elsewhere must not stop it
 * loading (the server's start check reports that one). A bad LOG_LEVEL falls
 * back to the default here and is said in a warning; the start check refuses it.
 */
function levelFrom(env: NodeJS.ProcessEnv): { level: string; rejected?: string } {
  try {
    return { level: logLevel(parseSettings({ NODE_ENV: env.NODE_ENV, LOG_LEVEL: env.LOG_LEVEL })) };
  } catch {
    return { level: logLevel(parseSettings({ NODE_ENV: env.NODE_ENV })), rejected: env.LOG_LEVEL };
  }
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
  // request_id, tenant, tenant_id, job_id … of the work this line belongs to.
  // Fields the call itself passes win over these.
  mixin: () => currentLogContext() as Record<string, unknown>,
  redact: { paths: [...REDACT_PATHS], censor: CENSOR },
});

// One file stream per path for the life of the process: Next's dev server
// re-evaluates modules on every edit and would otherwise leak a descriptor
// each time.
const globalStreams = globalThis as unknown as { __msspLogStreams?: Map<string, DestinationStream> };

function defaultDestination(env: NodeJS.ProcessEnv = process.env): DestinationStream {
  const file = parseSettings({ LOG_FILE: env.LOG_FILE }).LOG_FILE;
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

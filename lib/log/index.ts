// Structured logging and keeping secrets out of what gets logged or returned.
//   log / childLogger    pino, JSON lines, secret fields redacted (LOG_LEVEL, LOG_FILE)
//   withLogContext       ids (request, tenant, job) added to every line logged inside
//   safeError            an error as { name, message, code? }, safe to log or return
//   scrubText            a text with given secrets (and their encodings) removed
//   withSecretsScrubbed  run code handling secrets; what it throws holds none of them
export { currentLogContext, withLogContext, type LogContext } from "./context";
export { childLogger, createLogger, log, loggerOptions, REDACT_PATHS, type Logger } from "./logger";
export { safeError, ScrubbedError, scrubText, secretsIn, withSecretsScrubbed, type SafeError } from "./scrub";
export { SECRET_KEYS } from "./secret-keys";

// The SQLSTATE of a database error, whether the driver's own error or
// drizzle's wrapper around it (which keeps the driver's error as `cause`).
export function sqlState(error: unknown): string | undefined {
  const e = error as { code?: unknown; cause?: { code?: unknown } } | null | undefined;
  if (typeof e?.code === "string") return e.code;
  return typeof e?.cause?.code === "string" ? e.cause.code : undefined;
}

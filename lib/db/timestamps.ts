// The one timestamp format of the tenant API (RFC 3339, UTC, microseconds:
// 2026-12-07T06:05:01.123456Z), made in SQL where rows are read and in
// JavaScript where a timestamp reached us as JSON from Postgres (the claims).
// JavaScript's Date keeps milliseconds only, so the fraction is carried as text.

/** SQL for `column` (a timestamptz) in the API's format. `column` is code, never input. */
export const utcMicrosSql = (column: string): string => `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

const JSON_TIMESTAMP = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,6}))?(Z|[+-]\d\d(?::?\d\d)?)$/;

/** A timestamptz as Postgres writes it in JSON ("…T…+00:00", any offset) in the API's format. */
export function utcMicros(json: string): string {
  const m = JSON_TIMESTAMP.exec(json);
  if (!m) throw new Error("not a Postgres JSON timestamp");
  const offset = /^[+-]\d\d$/.test(m[3]) ? `${m[3]}:00` : m[3];
  const seconds = new Date(`${m[1]}${offset}`);
  if (Number.isNaN(seconds.getTime())) throw new Error("not a Postgres JSON timestamp");
  return `${seconds.toISOString().slice(0, 19)}.${(m[2] ?? "").padEnd(6, "0")}Z`;
}

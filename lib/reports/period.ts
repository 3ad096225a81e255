// Report periods: parsed at the edge, refused with a message a person can act
// on (unparsable or an impossible date or time, inverted, longer than
// MAX_REPORT_DAYS, starting in the future or ending after tomorrow), and
// the calendar periods schedules cover (UTC).
import { z } from "zod";
import { MAX_REPORT_DAYS, type ReportCadence } from "./kinds";

export const DAY_MS = 86_400_000;

export interface Period {
  from: Date;
  /** Exclusive. */
  to: Date;
}

const utcDay = (d: Date) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));

const DATE = /^\d{4}-\d{2}-\d{2}$/;
/** A full ISO timestamp: date, hours and minutes, optional seconds and fraction, Z or an offset. */
const INSTANT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|([+-]\d{2}:\d{2}))$/;

/** A YYYY-MM-DD day (UTC midnight) or a full ISO timestamp; null if unparsable. */
export function parseInstant(raw: unknown): Date | null {
  if (raw instanceof Date) return Number.isNaN(raw.getTime()) ? null : raw;
  if (typeof raw !== "string") return null;
  const s = raw.trim();
  if (DATE.test(s)) {
    const d = new Date(`${s}T00:00:00.000Z`);
    return Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== s ? null : d;
  }
  // Every field as written must be the one read: Date would take 2026-02-30 for 2 March and T24:00 for the next day.
  const m = INSTANT.exec(s);
  if (!m) return null;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map((v) => Number(v ?? 0));
  const fields = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  if (fields.getUTCFullYear() !== year || fields.getUTCMonth() !== month - 1 || fields.getUTCDate() !== day
    || fields.getUTCHours() !== hour || fields.getUTCMinutes() !== minute || fields.getUTCSeconds() !== second) return null;
  if (m[8] && (Number(m[8].slice(1, 3)) > 23 || Number(m[8].slice(4, 6)) > 59)) return null;
  const d = new Date(s);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** Why a period cannot be reported on, or null if it can. `to` is exclusive. */
export function periodProblem(from: Date, to: Date, now = new Date()): string | null {
  if (to.getTime() <= from.getTime()) return "The period ends before it starts: the end date must be after the start date.";
  if (to.getTime() - from.getTime() > MAX_REPORT_DAYS * DAY_MS) return `A report covers at most ${MAX_REPORT_DAYS} days: choose a shorter period.`;
  if (from.getTime() > now.getTime()) return "The period starts in the future: choose a start date before today.";
  // Up to the end of tomorrow (UTC): a person east of UTC may pick their own today; past that there are no figures yet.
  if (to.getTime() > utcDay(now).getTime() + 2 * DAY_MS) return "The period ends after tomorrow: choose an end date no later than today (there are no figures for the future yet).";
  if (from.getUTCFullYear() < 2000) return "The period starts before 2000: choose a later start date.";
  return null;
}

/**
 * Form fields `from` and `to` as days (YYYY-MM-DD, UTC), `to` inclusive as a
 * person reads it ("1 to 30 November"): the period is [from, to + 1 day).
 */
export const periodFields = z
  .object({
    from: z.string().trim().min(1, "Choose a start date."),
    to: z.string().trim().min(1, "Choose an end date."),
  })
  .superRefine((v, ctx) => {
    const from = parseInstant(v.from);
    const to = parseInstant(v.to);
    if (!from) ctx.addIssue({ code: "custom", path: ["from"], message: "Not a date: use YYYY-MM-DD." });
    if (!to) ctx.addIssue({ code: "custom", path: ["to"], message: "Not a date: use YYYY-MM-DD." });
    if (!from || !to) return;
    const problem = periodProblem(from, new Date(to.getTime() + (DATE.test(v.to) ? DAY_MS : 0)));
    if (problem) ctx.addIssue({ code: "custom", path: ["to"], message: problem });
  });

/** The period of the form's fields (after periodFields accepted them). */
export function periodOfFields(v: { from: string; to: string }): Period {
  const from = parseInstant(v.from)!;
  const to = parseInstant(v.to)!;
  return { from, to: DATE.test(v.to.trim()) ? new Date(to.getTime() + DAY_MS) : to };
}


/** The last complete period of a cadence before `now`: the ISO week (Monday to Monday) or calendar month. */
export function previousPeriod(cadence: ReportCadence, now: Date): Period {
  if (cadence === "monthly") {
    const to = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
    return { from: new Date(Date.UTC(to.getUTCFullYear(), to.getUTCMonth() - 1, 1)), to };
  }
  const today = utcDay(now);
  const sinceMonday = (today.getUTCDay() + 6) % 7;
  const to = new Date(today.getTime() - sinceMonday * DAY_MS);
  return { from: new Date(to.getTime() - 7 * DAY_MS), to };
}

/** When a schedule runs next after `now`: the next Monday / 1st at 06:00 UTC. */
export function nextRun(cadence: ReportCadence, now: Date): Date {
  const at6 = (d: Date) => new Date(d.getTime() + 6 * 3_600_000);
  if (cadence === "monthly") {
    const first = at6(new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1)));
    return first.getTime() > now.getTime() ? first : at6(new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1)));
  }
  const today = utcDay(now);
  const sinceMonday = (today.getUTCDay() + 6) % 7;
  const monday = at6(new Date(today.getTime() - sinceMonday * DAY_MS));
  return monday.getTime() > now.getTime() ? monday : new Date(monday.getTime() + 7 * DAY_MS);
}

export const dayOf = (d: Date) => d.toISOString().slice(0, 10);

/** "2026-11-01 to 2026-11-30" (the inclusive last day, as a person reads it). */
export function periodLabel(p: Period): string {
  const lastDay = new Date(p.to.getTime() - 1);
  return `${dayOf(p.from)} to ${dayOf(lastDay)}`;
}

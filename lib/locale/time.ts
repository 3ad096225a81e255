// Times on a page in the viewer's time zone: the locale.time_zone setting of
// the tenant whose host they are on (the MSSP's on the console), so a person
// in Paris reads an alert detected at 09:12 their time, not 08:12 UTC. One
// formatter per zone and shape, built once: Intl.DateTimeFormat is costly to
// construct and a list page formats fifty times. The words stay en-GB (the
// locale.language setting is not applied yet).
import type { EffectiveConfig } from "@/lib/settings/resolve";

export const DEFAULT_TIME_ZONE = "UTC";

/**
 * "row": 05 Dec, 09:12 (a table cell); "full": 05 Dec 2026, 09:12 (a page's facts and timelines);
 * "seconds": 05 Dec 2026, 09:12:07 (the audit trail); "day": 05 Dec 2026 (the day a moment fell on
 * in the zone: a member's start, an invitation's or a key's expiry).
 */
export type TimeShape = "row" | "full" | "seconds" | "day";

const SHAPES: Record<TimeShape, Intl.DateTimeFormatOptions> = {
  row: { day: "2-digit", month: "short", hour: "2-digit", minute: "2-digit" },
  full: { day: "2-digit", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit" },
  seconds: { day: "2-digit", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit", second: "2-digit" },
  day: { day: "2-digit", month: "short", year: "numeric" },
};

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string, shape: TimeShape): Intl.DateTimeFormat {
  const key = `${shape} ${zone}`;
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat("en-GB", { ...SHAPES[shape], timeZone: zone });
    formatters.set(key, f);
  }
  return f;
}

/** The time in the zone, without the zone's name (a column header or a caption names it once). */
export function formatTime(at: Date, zone: string, shape: TimeShape): string {
  return formatter(zone, shape).format(at);
}

/** The time followed by the zone's name: "05 Dec 2026, 09:12 Europe/Paris". */
export function formatTimeWithZone(at: Date, zone: string, shape: TimeShape = "full"): string {
  return `${formatTime(at, zone, shape)} ${zone}`;
}

/** The zone a tenant's members read times in; UTC when the configuration is not readable. */
export function timeZoneOf(config: EffectiveConfig | undefined): string {
  return config ? config.value<string>("locale.time_zone") : DEFAULT_TIME_ZONE;
}

// Wall-clock parts in a zone, for the start of a day there (below); one formatter per zone.
const partFormatters = new Map<string, Intl.DateTimeFormat>();

function wallClockMs(at: number, zone: string): number {
  let f = partFormatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: zone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit",
    });
    partFormatters.set(zone, f);
  }
  const p: Record<string, number> = {};
  for (const part of f.formatToParts(at)) if (part.type !== "literal") p[part.type] = Number(part.value);
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
}

/** The calendar day after a YYYY-MM-DD day. */
export function nextDay(day: string): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

/**
 * The first instant of a YYYY-MM-DD day in `zone`: midnight there, or the first minute the
 * day has where a daylight-saving change skips midnight. A day filter on a page covers the
 * days its reader sees the rows' times in (the tenant's locale.time_zone), not UTC days.
 */
export function startOfDayIn(day: string, zone: string): Date {
  const wallMidnight = Date.parse(`${day}T00:00:00Z`);
  // The zone's offset a day either side of the date: one of them is the day's offset at midnight
  // (a change happens at most once near it). Of the candidate instants, the earliest that falls on
  // `day` in the zone is its start.
  const candidates = [wallMidnight - 86_400_000, wallMidnight + 86_400_000]
    .map((probe) => wallMidnight - (wallClockMs(probe, zone) - probe))
    .sort((a, b) => a - b);
  for (const at of candidates) {
    if (new Date(wallClockMs(at, zone)).toISOString().startsWith(day)) return new Date(at);
  }
  // Midnight skipped by the change: the day starts at the change itself, an hour or so after.
  return new Date(candidates[1]);
}

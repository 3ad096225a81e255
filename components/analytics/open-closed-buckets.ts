// How the "Open vs closed" chart (components/analytics/charts.tsx) fits a
// narrow screen. Each day is two bars (new, closed): 30 days on a phone's
// ~250 px plot were sixty bars about 2 px wide. When a day would get less than
// MIN_DAY_PX, the days are grouped into runs of whole weeks counted from the
// range's first day (not calendar weeks: only the last group may be short),
// so each group gets at least that width. A group's new and closed are the
// sums of its days; its open is the open count at the end of its last day.
// The table beside the chart keeps every day.

export interface OpenClosedDay {
  day: string;
  created: number;
  closed: number;
  open: number;
}

export interface OpenClosedBucket extends OpenClosedDay {
  /** The group's last day (the same as `day` for a single day). */
  last: string;
  /** How many days the group holds (the last group may hold fewer than the others). */
  days: number;
}

/** The width below which the chart is a phone's: only there are days grouped (a desktop keeps one bar pair a day). */
export const NARROW_CHART_PX = 560;
/** The least width a day (or a group of days) gets on a narrow chart: two bars and the gap between groups. */
export const MIN_DAY_PX = 18;

/** Days per group for `dayCount` days on a plot `plotPx` wide: 1 when each day fits, else a whole number of weeks. */
export function daysPerGroup(dayCount: number, plotPx: number, chartPx: number): number {
  if (chartPx >= NARROW_CHART_PX || dayCount === 0 || plotPx <= 0) return 1;
  if (plotPx / dayCount >= MIN_DAY_PX) return 1;
  const groupsThatFit = Math.max(1, Math.floor(plotPx / MIN_DAY_PX));
  return 7 * Math.ceil(dayCount / groupsThatFit / 7);
}

/** The rows grouped `size` days at a time, from the first day; size 1 returns one group a day. */
export function groupDays(rows: OpenClosedDay[], size: number): OpenClosedBucket[] {
  const out: OpenClosedBucket[] = [];
  for (let i = 0; i < rows.length; i += size) {
    const run = rows.slice(i, i + size);
    const last = run[run.length - 1];
    out.push({
      day: run[0].day,
      last: last.day,
      days: run.length,
      created: run.reduce((a, r) => a + r.created, 0),
      closed: run.reduce((a, r) => a + r.closed, 0),
      open: last.open,
    });
  }
  return out;
}

/** What one group is, to follow "per": "day", "week", "2 weeks" (or "3 days" for a size that is no whole week). */
export function groupLabel(size: number): string {
  if (size % 7 === 0) return size === 7 ? "week" : `${size / 7} weeks`;
  return size === 1 ? "day" : `${size} days`;
}

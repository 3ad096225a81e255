// The dashboard's "Open vs closed" chart on a phone (components/analytics/open-closed-buckets.ts):
// 30 days were sixty bars about 2 px wide on a 390 px screen. Too many days for
// the width are grouped into whole weeks from the range's first day; a desktop
// keeps one pair of bars a day.
import assert from "node:assert/strict";
import { test } from "node:test";
import { daysPerGroup, groupDays, groupLabel, MIN_DAY_PX, NARROW_CHART_PX } from "@/components/analytics/open-closed-buckets";

const days = (n: number) =>
  Array.from({ length: n }, (_, i) => ({
    day: new Date(Date.UTC(2026, 10, 1 + i)).toISOString().slice(0, 10),
    created: i + 1,
    closed: 1,
    open: 100 + i,
  }));

test("a phone's chart groups 30 and 90 days into weeks; 7 days stay days", () => {
  // A 390 px screen: the chart box is ~324 px, the plot ~248 px between the two axes.
  assert.equal(daysPerGroup(30, 248, 324), 7);
  assert.equal(daysPerGroup(90, 248, 324), 7);
  assert.equal(daysPerGroup(7, 248, 324), 1);
  // The longest custom range (400 days) still gets bars at least MIN_DAY_PX wide per group.
  const size = daysPerGroup(400, 248, 324);
  assert.equal(size % 7, 0);
  assert.ok(248 / Math.ceil(400 / size) >= MIN_DAY_PX, `groups of ${size} days fit`);
});

test("a desktop chart keeps one pair of bars a day, whatever the range", () => {
  assert.equal(daysPerGroup(30, 600, 700), 1);
  assert.equal(daysPerGroup(90, 400, NARROW_CHART_PX), 1);
  assert.equal(daysPerGroup(0, 248, 324), 1);
});

test("a group adds up its days' new and closed; its open is its last day's", () => {
  const grouped = groupDays(days(30), 7);
  assert.equal(grouped.length, 5);
  assert.deepEqual(grouped[0], { day: "2026-11-01", last: "2026-11-07", days: 7, created: 1 + 2 + 3 + 4 + 5 + 6 + 7, closed: 7, open: 106 });
  // The last group holds what is left: 30 = 4 × 7 + 2.
  assert.deepEqual(grouped[4], { day: "2026-11-29", last: "2026-11-30", days: 2, created: 29 + 30, closed: 2, open: 129 });
  // Nothing lost or counted twice.
  assert.equal(grouped.reduce((a, g) => a + g.created, 0), days(30).reduce((a, d) => a + d.created, 0));
  // Size 1 is the days themselves.
  assert.deepEqual(groupDays(days(3), 1).map((g) => [g.day, g.last, g.days, g.open]), [["2026-11-01", "2026-11-01", 1, 100], ["2026-11-02", "2026-11-02", 1, 101], ["2026-11-03", "2026-11-03", 1, 102]]);
});

test("the axis names say what one group is", () => {
  assert.equal(groupLabel(1), "day");
  assert.equal(groupLabel(7), "week");
  assert.equal(groupLabel(14), "2 weeks");
});

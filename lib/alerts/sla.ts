// SLA clocks of one alert: a pure function of the alert's times, the tenant's
// targets and "now" (passed in, so tests use a fixed clock and pages use the
// request's time). Two clocks, both started at detection (detected_at, as the
// SLA settings define them): time to acknowledge (stopped by the first acknowledgement)
// and time to resolve (stopped by closing: resolved or false positive).
import type { AlertStatus, Severity } from "@/drizzle/schema";

export const SLA_SEVERITIES = ["critical", "high", "medium", "low"] as const;
export type SlaSeverity = (typeof SLA_SEVERITIES)[number];

export interface SlaTarget {
  acknowledgeMinutes: number;
  resolveMinutes: number;
}
export type SlaTargets = Record<SlaSeverity, SlaTarget>;

export interface SlaAlertTimes {
  severity: Severity;
  status: AlertStatus;
  detectedAt: Date;
  acknowledgedAt: Date | null;
  resolvedAt: Date | null;
  /**
   * The verdicts stored when each clock stopped, against the targets then (20261201028000); the
   * dashboards count these, so a stopped clock shows the same. Absent or null: judged against `targets`.
   */
  ackBreached?: boolean | null;
  resolveBreached?: boolean | null;
}

/**
 * running: not stopped yet, within target; met: stopped within target;
 * breached: past target (stopped late, or still running past it);
 * unrecorded: the alert moved on but the stop time was never recorded (rows
 * imported or created before triage existed), so nothing can be said.
 */
export type SlaState = "running" | "met" | "breached" | "unrecorded";

export interface SlaClock {
  state: SlaState;
  targetMs: number;
  dueAt: Date;
  /** From start to the stop (or to now while running). */
  elapsedMs: number;
  /** targetMs - elapsedMs: negative once breached. */
  remainingMs: number;
}

export interface SlaClocks {
  acknowledge: SlaClock;
  resolve: SlaClock;
  /** Either clock breached. */
  breached: boolean;
}

const MINUTE = 60_000;

function clock(start: Date, targetMinutes: number, stoppedAt: Date | null, stopped: boolean, now: Date, stored: boolean | null | undefined): SlaClock {
  const targetMs = targetMinutes * MINUTE;
  const dueAt = new Date(start.getTime() + targetMs);
  if (stopped && stoppedAt === null) return { state: "unrecorded", targetMs, dueAt, elapsedMs: 0, remainingMs: 0 };
  const end = stopped && stoppedAt ? stoppedAt : now;
  const elapsedMs = Math.max(0, end.getTime() - start.getTime());
  const remainingMs = targetMs - elapsedMs;
  // A stopped clock's verdict is the one stored when it stopped (the targets may have changed since).
  const verdict = stopped && stored != null ? (stored ? "breached" : "met") : null;
  const state: SlaState = verdict ?? (remainingMs < 0 ? "breached" : stopped ? "met" : "running");
  return { state, targetMs, dueAt, elapsedMs, remainingMs };
}

/** null for severities without targets (info). */
export function slaClocks(alert: SlaAlertTimes, targets: SlaTargets, now: Date): SlaClocks | null {
  if (alert.severity === "info") return null;
  const target = targets[alert.severity];
  const closed = alert.status === "resolved" || alert.status === "false_positive";
  const acknowledged = alert.status !== "new";
  // A closed alert without an acknowledgement time was acknowledged by closing it.
  const ackStop = alert.acknowledgedAt ?? (closed ? alert.resolvedAt : null);
  const acknowledge = clock(alert.detectedAt, target.acknowledgeMinutes, ackStop, acknowledged, now, alert.ackBreached);
  const resolve = clock(alert.detectedAt, target.resolveMinutes, alert.resolvedAt, closed, now, alert.resolveBreached);
  return { acknowledge, resolve, breached: acknowledge.state === "breached" || resolve.state === "breached" };
}

/** "3 h 20 min", "45 min", "2 d 4 h": a duration at a glance (no seconds). */
export function formatDuration(ms: number): string {
  const minutes = Math.floor(Math.abs(ms) / MINUTE);
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const mins = minutes % 60;
  if (days > 0) return hours > 0 ? `${days} d ${hours} h` : `${days} d`;
  if (hours > 0) return mins > 0 ? `${hours} h ${mins} min` : `${hours} h`;
  return `${mins} min`;
}

/** One line per clock: "Acknowledge: 12 min left", "Resolve: breached by 2 h", "Acknowledged in 8 min". */
export function describeClock(kind: "acknowledge" | "resolve", c: SlaClock): string {
  const verb = kind === "acknowledge" ? "Acknowledge" : "Resolve";
  const done = kind === "acknowledge" ? "Acknowledged" : "Resolved";
  switch (c.state) {
    case "running":
      return `${verb}: ${formatDuration(c.remainingMs)} left (target ${formatDuration(c.targetMs)})`;
    case "met":
      // Past today's target but within the one in force when it stopped.
      if (c.remainingMs < 0) return `${done} in ${formatDuration(c.elapsedMs)}, within the target then (now ${formatDuration(c.targetMs)})`;
      return `${done} in ${formatDuration(c.elapsedMs)} (target ${formatDuration(c.targetMs)})`;
    case "breached":
      // Within today's target but past the one in force when it stopped.
      if (c.remainingMs >= 0) return `${done} in ${formatDuration(c.elapsedMs)}: breached the target then (now ${formatDuration(c.targetMs)})`;
      return `${verb}: breached by ${formatDuration(-c.remainingMs)} (target ${formatDuration(c.targetMs)})`;
    case "unrecorded":
      return `${verb}: time not recorded`;
  }
}

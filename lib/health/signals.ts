// The health signals of one tenant, as pure functions of what was measured
// and the tenant's thresholds (health.* settings), with the clock passed in:
// the evaluation job (evaluate.ts) gathers the measurements for every tenant
// in a few set-based statements, then calls computeSignals per tenant.
// docs/health.md lists every signal, its thresholds and the state mapping.

export type Level = "ok" | "warn" | "critical";
export type HealthState = "healthy" | "degraded" | "down";

export const HEALTH_STATES: readonly HealthState[] = ["healthy", "degraded", "down"];
export const SIGNAL_KINDS = ["collectors", "alerts", "connectors", "jobs", "api", "quota", "sign_in", "denied"] as const;
export type SignalKind = (typeof SIGNAL_KINDS)[number];

export const SIGNAL_LABELS: Record<SignalKind, string> = {
  collectors: "Collectors",
  alerts: "Alert freshness",
  connectors: "Connectors",
  jobs: "Background jobs",
  api: "API errors",
  quota: "Quotas",
  sign_in: "Sign-in failures",
  denied: "Denied attempts",
};

/** One signal's verdict: its level and, in words, why. */
export interface Signal {
  kind: SignalKind;
  level: Level;
  reason: string;
}

/** The thresholds (the health.* settings; defaults in lib/settings/registry.ts). */
export interface Thresholds {
  collectorSilentWarnMinutes: number;
  collectorSilentCriticalMinutes: number;
  /** 0: off. */
  alertSilenceHours: number;
  credentialExpiringDays: number;
  /** 0: off. */
  jobFailuresWarn: number;
  /** 0: off. */
  apiErrorWarnPercent: number;
  apiErrorCriticalPercent: number;
  /** 0: off. */
  quotaWarnPercent: number;
  /** 0: off. */
  signInFailuresWarn: number;
  /** 0: off. */
  deniedWarn: number;
}

/** The API error rate is judged only past this many requests in the hour (a handful of refusals out of three is noise). */
export const API_MIN_REQUESTS = 20;

/** What was measured for one tenant, over the last hour unless said otherwise. */
export interface Measurements {
  collectors: { name: string; lastHeartbeatAt: Date }[];
  /** Newest alert's detection time, however old; null: none on record. */
  lastAlertAt: Date | null;
  credentials: { name: string; expiresAt: Date | null; lastTestFailed: boolean }[];
  failedJobs: number;
  apiRequests: number;
  /** Refused API requests (denied api.request audit rows, 4xx). */
  apiRefused: number;
  /** Of those, the ones refused after the rate limits admitted them (already in apiRequests). */
  apiRefusedAdmitted: number;
  /** Usage against limits: each limit's name, the quantity used and the limit (0: none). */
  quotas: { label: string; used: number; limit: number }[];
  signInFailures: number;
  /** Denied audit rows other than sign-in lockouts and API rate limiting. */
  denied: number;
}

const MIN = 60_000;

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

function duration(ms: number): string {
  const minutes = Math.floor(ms / MIN);
  if (minutes < 120) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h`;
  return `${Math.floor(hours / 24)} days`;
}

/** How many findings of one kind a reason names (the rest are counted). */
export const MAX_NAMED = 3;

const rank: Record<Level, number> = { ok: 0, warn: 1, critical: 2 };
const worst = (levels: Level[]): Level => levels.reduce<Level>((a, b) => (rank[b] > rank[a] ? b : a), "ok");

/** Several findings of one kind: the worst level, the reasons of that level joined. */
function combineFindings(kind: SignalKind, findings: { level: Level; reason: string }[], okReason: string): Signal {
  const level = worst(findings.map((f) => f.level));
  if (level === "ok") return { kind, level, reason: okReason };
  // At most MAX_NAMED named, so a tenant with hundreds of silent collectors still gets a short reason.
  const at = findings.filter((f) => f.level === level).map((f) => f.reason);
  const named = at.slice(0, MAX_NAMED).join("; ");
  return { kind, level, reason: at.length > MAX_NAMED ? `${named}; and ${at.length - MAX_NAMED} more` : named };
}

export function collectorSignal(m: Measurements, t: Thresholds, now: Date): Signal {
  if (m.collectors.length === 0) return { kind: "collectors", level: "ok", reason: "No collector registered" };
  const critical = Math.max(t.collectorSilentCriticalMinutes, t.collectorSilentWarnMinutes);
  const findings = m.collectors.map((c) => {
    const silent = now.getTime() - c.lastHeartbeatAt.getTime();
    const text = `Collector '${c.name}' silent for ${duration(silent)}`;
    if (silent > critical * MIN) return { level: "critical" as const, reason: text };
    if (silent > t.collectorSilentWarnMinutes * MIN) return { level: "warn" as const, reason: text };
    return { level: "ok" as const, reason: "" };
  });
  return combineFindings("collectors", findings, `${plural(m.collectors.length, "collector")} reporting`);
}

export function alertSignal(m: Measurements, t: Thresholds, now: Date): Signal {
  if (t.alertSilenceHours === 0) return { kind: "alerts", level: "ok", reason: "Not checked (health.alert_silence_hours is 0)" };
  // Only a tenant with no alert on record is not judged (nothing to fall silent); after one, the
  // silence is measured from it however long ago it was (docs/health.md).
  if (!m.lastAlertAt) return { kind: "alerts", level: "ok", reason: "No alert on record" };
  const silent = now.getTime() - m.lastAlertAt.getTime();
  if (silent > t.alertSilenceHours * 60 * MIN) return { kind: "alerts", level: "warn", reason: `No new alert for ${duration(silent)}` };
  return { kind: "alerts", level: "ok", reason: `Last alert ${duration(Math.max(0, silent))} ago` };
}

export function connectorSignal(m: Measurements, t: Thresholds, now: Date): Signal {
  const findings = m.credentials.flatMap((c) => {
    const out: { level: Level; reason: string }[] = [];
    if (c.expiresAt && c.expiresAt.getTime() <= now.getTime()) out.push({ level: "critical", reason: `Credential '${c.name}' expired` });
    else if (c.expiresAt && c.expiresAt.getTime() - now.getTime() <= t.credentialExpiringDays * 86_400_000) {
      const days = Math.ceil((c.expiresAt.getTime() - now.getTime()) / 86_400_000);
      out.push({ level: "warn", reason: `Credential '${c.name}' expires in ${plural(days, "day")}` });
    }
    if (c.lastTestFailed) out.push({ level: "warn", reason: `Credential '${c.name}' failed its last connection test` });
    return out;
  });
  return combineFindings("connectors", findings, m.credentials.length === 0 ? "No connector credential" : `${plural(m.credentials.length, "credential")} valid`);
}

export function jobSignal(m: Measurements, t: Thresholds): Signal {
  if (t.jobFailuresWarn > 0 && m.failedJobs >= t.jobFailuresWarn) return { kind: "jobs", level: "warn", reason: `${plural(m.failedJobs, "job")} failed in the last hour` };
  return { kind: "jobs", level: "ok", reason: m.failedJobs === 0 ? "No failed job in the last hour" : `${plural(m.failedJobs, "job")} failed in the last hour (below the threshold)` };
}

export function apiSignal(m: Measurements, t: Thresholds): Signal {
  // A request refused after its admission (the PDP, the daily quota, the concurrency cap) is in both counts.
  const total = m.apiRequests + m.apiRefused - Math.min(m.apiRefusedAdmitted, m.apiRefused, m.apiRequests);
  if (total < API_MIN_REQUESTS || t.apiErrorWarnPercent === 0) return { kind: "api", level: "ok", reason: `${plural(total, "API request")} in the last hour` };
  const percent = Math.floor((m.apiRefused * 100) / total);
  const text = `${percent}% of API requests refused in the last hour (${m.apiRefused} of ${total})`;
  if (percent >= Math.max(t.apiErrorCriticalPercent, t.apiErrorWarnPercent)) return { kind: "api", level: "critical", reason: text };
  if (percent >= t.apiErrorWarnPercent) return { kind: "api", level: "warn", reason: text };
  return { kind: "api", level: "ok", reason: text };
}

export function quotaSignal(m: Measurements, t: Thresholds): Signal {
  if (t.quotaWarnPercent === 0) return { kind: "quota", level: "ok", reason: "Not checked (health.quota_warn_percent is 0)" };
  const findings = m.quotas
    .filter((q) => q.limit > 0)
    .map((q) => {
      const percent = Math.floor((q.used * 100) / q.limit);
      const text = `${q.label} at ${percent}% of the limit (${q.used} of ${q.limit})`;
      if (percent >= 100) return { level: "critical" as const, reason: text };
      if (percent >= t.quotaWarnPercent) return { level: "warn" as const, reason: text };
      return { level: "ok" as const, reason: "" };
    });
  return combineFindings("quota", findings, `Every limit below ${t.quotaWarnPercent}%`);
}

export function signInSignal(m: Measurements, t: Thresholds): Signal {
  if (t.signInFailuresWarn > 0 && m.signInFailures >= t.signInFailuresWarn)
    return { kind: "sign_in", level: "warn", reason: `${plural(m.signInFailures, "failed sign-in")} in the last hour` };
  return { kind: "sign_in", level: "ok", reason: `${plural(m.signInFailures, "failed sign-in")} in the last hour` };
}

export function deniedSignal(m: Measurements, t: Thresholds): Signal {
  if (t.deniedWarn > 0 && m.denied >= t.deniedWarn) return { kind: "denied", level: "warn", reason: `${plural(m.denied, "denied attempt")} in the last hour` };
  return { kind: "denied", level: "ok", reason: `${plural(m.denied, "denied attempt")} in the last hour` };
}

/** Every signal of one tenant, in SIGNAL_KINDS order. */
export function computeSignals(m: Measurements, t: Thresholds, now: Date): Signal[] {
  return [
    collectorSignal(m, t, now),
    alertSignal(m, t, now),
    connectorSignal(m, t, now),
    jobSignal(m, t),
    apiSignal(m, t),
    quotaSignal(m, t),
    signInSignal(m, t),
    deniedSignal(m, t),
  ];
}

/** The combined state: the worst signal wins (critical → down, warn → degraded, else healthy). */
export function combineState(signals: readonly Signal[]): HealthState {
  const level = worst(signals.map((s) => s.level));
  return level === "critical" ? "down" : level === "warn" ? "degraded" : "healthy";
}

/** The reasons shown for a state: every signal that is not ok, worst first. */
export function reasonsOf(signals: readonly Signal[]): Signal[] {
  return signals.filter((s) => s.level !== "ok").sort((a, b) => rank[b.level] - rank[a.level]);
}

export const STATE_RANK: Record<HealthState, number> = { down: 0, degraded: 1, healthy: 2 };
export const STATE_LABELS: Record<HealthState, string> = { healthy: "Healthy", degraded: "Degraded", down: "Down" };

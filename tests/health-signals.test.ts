// The health signals as pure functions (lib/health/signals.ts): each signal's
// thresholds at their edges, with the clock passed in, and the state mapping
// (worst signal wins). No database: what is judged is the arithmetic.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  apiSignal,
  collectorSignal,
  combineState,
  computeSignals,
  connectorSignal,
  quotaSignal,
  reasonsOf,
  type Measurements,
  type Thresholds,
} from "@/lib/health/signals";
import { THRESHOLD_KEYS } from "@/lib/health/thresholds";
import { settingDefinition } from "@/lib/settings";
import { emptyMeasurements } from "@/lib/health/measure";

const NOW = new Date("2026-12-01T12:00:00Z");
const MIN = 60_000;
const T: Thresholds = Object.fromEntries(Object.entries(THRESHOLD_KEYS).map(([k, key]) => [k, settingDefinition(key)!.default])) as unknown as Thresholds;
const m = (over: Partial<Measurements>): Measurements => ({ ...emptyMeasurements(), ...over });
const ago = (minutes: number) => new Date(NOW.getTime() - minutes * MIN);

describe("health signals", () => {
  test("defaults come from the settings registry", () => {
    assert.equal(T.collectorSilentWarnMinutes, 10);
    assert.equal(T.collectorSilentCriticalMinutes, 60);
  });

  test("a silent collector: ok up to the warn threshold, warn past it, critical past the critical one", () => {
    const at = (minutes: number) => collectorSignal(m({ collectors: [{ name: "edr-east", lastHeartbeatAt: ago(minutes) }] }), T, NOW);
    assert.equal(at(10).level, "ok");
    assert.equal(at(11).level, "warn");
    assert.equal(at(11).reason, "Collector 'edr-east' silent for 11 min");
    assert.equal(at(60).level, "warn");
    assert.equal(at(61).level, "critical");
    assert.equal(at(42 * 60).reason, "Collector 'edr-east' silent for 42 h");
    // A critical threshold set below the warn one never judges earlier than the warn one.
    assert.equal(collectorSignal(m({ collectors: [{ name: "x", lastHeartbeatAt: ago(8) }] }), { ...T, collectorSilentCriticalMinutes: 5 }, NOW).level, "ok");
  });

  test("the worst collector decides, and names every collector at that level", () => {
    const s = collectorSignal(
      m({ collectors: [{ name: "a", lastHeartbeatAt: ago(1) }, { name: "b", lastHeartbeatAt: ago(20) }, { name: "c", lastHeartbeatAt: ago(30) }] }),
      T,
      NOW,
    );
    assert.equal(s.level, "warn");
    assert.equal(s.reason, "Collector 'b' silent for 20 min; Collector 'c' silent for 30 min");
  });

  test("hundreds of silent collectors still make a short reason", () => {
    const collectors = Array.from({ length: 500 }, (_, i) => ({ name: `collector-${String(i).padStart(3, "0")}-${"x".repeat(80)}`, lastHeartbeatAt: ago(30) }));
    const s = collectorSignal(m({ collectors }), T, NOW);
    assert.equal(s.level, "warn");
    assert.match(s.reason, /; and 497 more$/);
    assert.ok(s.reason.length < 600);
  });

  test("credentials: expired is critical, expiring within the days is warn, a failed last test is warn", () => {
    const day = 86_400_000;
    assert.equal(connectorSignal(m({ credentials: [{ name: "s1", expiresAt: new Date(NOW.getTime() - 1), lastTestFailed: false }] }), T, NOW).level, "critical");
    const soon = connectorSignal(m({ credentials: [{ name: "s1", expiresAt: new Date(NOW.getTime() + 3 * day), lastTestFailed: false }] }), T, NOW);
    assert.deepEqual([soon.level, soon.reason], ["warn", "Credential 's1' expires in 3 days"]);
    assert.equal(connectorSignal(m({ credentials: [{ name: "s1", expiresAt: new Date(NOW.getTime() + 15 * day), lastTestFailed: false }] }), T, NOW).level, "ok");
    assert.equal(connectorSignal(m({ credentials: [{ name: "s1", expiresAt: null, lastTestFailed: true }] }), T, NOW).level, "warn");
  });

  test("API refusals: not judged below 20 requests; warn and critical shares", () => {
    assert.equal(apiSignal(m({ apiRequests: 0, apiRefused: 19 }), T).level, "ok");
    assert.equal(apiSignal(m({ apiRequests: 80, apiRefused: 19 }), T).level, "ok");
    assert.equal(apiSignal(m({ apiRequests: 80, apiRefused: 20 }), T).level, "warn");
    assert.equal(apiSignal(m({ apiRequests: 20, apiRefused: 80 }), T).level, "critical");
    assert.equal(apiSignal(m({ apiRequests: 20, apiRefused: 80 }), { ...T, apiErrorWarnPercent: 0 }).level, "ok");
    // Refused after admission: already among the admitted requests, counted once (20 of 100, not of 120).
    const admittedThenRefused = apiSignal(m({ apiRequests: 100, apiRefused: 20, apiRefusedAdmitted: 20 }), T);
    assert.equal(admittedThenRefused.level, "warn");
    assert.match(admittedThenRefused.reason, /\(20 of 100\)/);
  });

  test("quotas: warn from the percentage, critical at the limit, a zero limit is none", () => {
    const q = (used: number, limit: number) => quotaSignal(m({ quotas: [{ label: "Assets", used, limit }] }), T);
    assert.equal(q(79, 100).level, "ok");
    assert.deepEqual([q(80, 100).level, q(80, 100).reason], ["warn", "Assets at 80% of the limit (80 of 100)"]);
    assert.equal(q(100, 100).level, "critical");
    assert.equal(q(5, 0).level, "ok");
  });

  test("the state: worst signal wins; reasons list what is not ok, worst first", () => {
    const signals = computeSignals(
      m({ collectors: [{ name: "edr", lastHeartbeatAt: ago(90) }], signInFailures: 25, lastAlertAt: ago(5) }),
      T,
      NOW,
    );
    assert.equal(combineState(signals), "down");
    assert.deepEqual(reasonsOf(signals).map((s) => [s.kind, s.level]), [["collectors", "critical"], ["sign_in", "warn"]]);
    assert.equal(combineState(computeSignals(m({ denied: 5 }), T, NOW)), "degraded");
    assert.equal(combineState(computeSignals(m({ denied: 4, failedJobs: 0 }), T, NOW)), "healthy");
    assert.equal(combineState(computeSignals(m({ lastAlertAt: ago(25 * 60) }), T, NOW)), "degraded");
    assert.equal(combineState(computeSignals(m({ lastAlertAt: ago(25 * 60) }), { ...T, alertSilenceHours: 0 }, NOW)), "healthy");
  });
});

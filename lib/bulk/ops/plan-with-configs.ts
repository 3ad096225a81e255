// A dry run's lines that depend on each tenant's effective configuration
// (the setting it would change; whether a feature is on): the configurations
// are read 500 tenants at a time (one settings.resolve call each), so a run
// over 10,000 tenants neither holds every configuration at once nor asks
// 10,000 times. Shared by the operations that need it (setting, report).
import type { TenantTx } from "@/lib/db/with-tenant";
import { effectiveConfigs, type EffectiveConfig } from "@/lib/settings";
import type { Target } from "../select";
import type { PlanLine } from "./types";

const CHUNK = 500;

/** One plan line per target, in order; `config` is undefined for a tenant the caller cannot see. */
export async function planWithConfigs(tx: TenantTx, targets: readonly Target[], line: (target: Target, config: EffectiveConfig | undefined) => PlanLine): Promise<PlanLine[]> {
  const out: PlanLine[] = [];
  for (let i = 0; i < targets.length; i += CHUNK) {
    const chunk = targets.slice(i, i + CHUNK);
    const configs = await effectiveConfigs(tx, chunk.map((t) => t.id));
    for (const t of chunk) out.push(line(t, configs.get(t.id)));
  }
  return out;
}

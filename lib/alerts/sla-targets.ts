// The SLA targets an alert is measured against: minutes to acknowledge and to
// resolve, per severity (info alerts have none), as the tenant's effective
// settings say (lib/settings: sla.<severity>.ack_minutes / resolve_minutes,
// defaults at the MSSP, overridden or locked down the tree). Read through
// this one module so the clocks never read settings any other way.
import type { TenantTx } from "@/lib/db/with-tenant";
import { slaTargets, slaTargetsOf, type EffectiveConfig, type SlaTargets as SettingsSlaTargets } from "@/lib/settings";
import type { SlaTargets } from "./sla";

function fromSettings(t: SettingsSlaTargets): SlaTargets {
  return {
    critical: { acknowledgeMinutes: t.critical.ackMinutes, resolveMinutes: t.critical.resolveMinutes },
    high: { acknowledgeMinutes: t.high.ackMinutes, resolveMinutes: t.high.resolveMinutes },
    medium: { acknowledgeMinutes: t.medium.ackMinutes, resolveMinutes: t.medium.resolveMinutes },
    low: { acknowledgeMinutes: t.low.ackMinutes, resolveMinutes: t.low.resolveMinutes },
  };
}

/** The tenant's effective targets (throws if the caller cannot see the tenant). */
export async function slaTargetsFor(tx: TenantTx, tenantId: string): Promise<SlaTargets> {
  return fromSettings(await slaTargets(tx, tenantId));
}

/** Targets from effective configurations already read (lib/alerts/access reads every visible tenant's). */
export function slaTargetsFromConfigs(configs: ReadonlyMap<string, EffectiveConfig>): Map<string, SlaTargets> {
  return new Map([...configs].map(([id, config]) => [id, fromSettings(slaTargetsOf(config))]));
}

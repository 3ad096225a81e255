// Typed reads for the parts of the portal that act on a setting: SLA clocks
// (lib/alerts), the connector kinds a tenant may add (lib/credentials).
import { CONNECTOR_KINDS, type ConnectorKind } from "@/lib/credentials/connectors";
import type { TenantTx } from "@/lib/db/with-tenant";
import { integrationKey, SLA_SEVERITIES, slaKeys, type SlaSeverity } from "./registry";
import { effectiveConfig, type EffectiveConfig } from "./resolve";

export type SlaTargets = Record<SlaSeverity, { ackMinutes: number; resolveMinutes: number }>;

function orRefuse(config: EffectiveConfig | null, tenantId: string): EffectiveConfig {
  if (!config) throw new Error(`tenant ${tenantId} is not visible to the caller`);
  return config;
}

/** The tenant's effective SLA targets per severity (minutes). Throws if the caller cannot see the tenant. */
export async function slaTargets(tx: TenantTx, tenantId: string): Promise<SlaTargets> {
  const config = orRefuse(await effectiveConfig(tx, tenantId), tenantId);
  return slaTargetsOf(config);
}

/**
 * The targets in force. The time to resolve is never shorter than the time to acknowledge: a write
 * checks the pair at its own tenant only, so a tenant that sets one and inherits the other (or has
 * it locked above) may hold a shorter one, and then the time to acknowledge applies to both.
 * analytics.sla_targets (migration 20261201029410) does the same in SQL.
 */
export function slaTargetsOf(config: EffectiveConfig): SlaTargets {
  return Object.fromEntries(
    SLA_SEVERITIES.map((s) => {
      const ackMinutes = config.value<number>(slaKeys(s).ack);
      return [s, { ackMinutes, resolveMinutes: Math.max(config.value<number>(slaKeys(s).resolve), ackMinutes) }];
    }),
  ) as SlaTargets;
}

/** The connector kinds the tenant may add credentials for. */
export async function enabledConnectorKinds(tx: TenantTx, tenantId: string): Promise<Set<ConnectorKind>> {
  const config = orRefuse(await effectiveConfig(tx, tenantId), tenantId);
  return enabledKindsOf(config);
}

export function enabledKindsOf(config: EffectiveConfig): Set<ConnectorKind> {
  return new Set(CONNECTOR_KINDS.filter((k) => config.value<boolean>(integrationKey(k))));
}

// lib/settings: the tenant settings registry, typed and inherited down the tree.
//
// What it is
//   One definition per setting (registry.ts): key ("group.name"), zod schema
//   (type and bounds), default at the MSSP, label, description, group, and
//   who may change it ("tenant": PDP settings:manage, i.e. tenant and MSSP
//   admins; "mssp": PDP settings:govern, MSSP admins only — what the
//   customer bought). docs/configuration.md lists them all.
//
// How a value is decided (the one resolution query: settings.resolve in
// migration 20261201001000; one call answers one tenant or many)
//   - a value LOCKED at a strict ancestor wins (the shallowest lock), and
//     cannot be set below ("locked by <tenant> (<who>)");
//   - else the nearest value walking up tenants.path (the tenant's own first);
//   - else the registry's default.
//   Each effective value says where it comes from (source "default" |
//   "inherited" (sourceName) | "here") and, when locked above, who locked it.
//   Moving a subtree re-resolves by itself: nothing is copied down.
//
// Reading (inside the caller's withTenant; only tenants the caller can see):
//   const config = await effectiveConfig(tx, tenantId);      // null if invisible
//   config.value<number>("sla.critical.ack_minutes");
//   config.get("session.mfa_required").lockedBy;             // {tenantName, who} | null
//   await effectiveConfigs(tx, [id1, id2]);                    // Map, one query
//   await slaTargets(tx, tenantId);                            // {critical: {ackMinutes, resolveMinutes}, ...}
//   await enabledConnectorKinds(tx, tenantId);                 // Set<ConnectorKind>
// Through a named service-role path (jobs that cross tenants by design):
//   await effectiveConfigAsService(db, tenantId);
//
// Changing (inside a withTenant transaction, after the PDP said yes; the
// server actions in lib/actions/settings do both and write the audit row):
//   setSettingValue(tx, {tenantId, key, raw})   override here (raw = form text)
//   clearSettingValue(tx, {tenantId, key})      inherit again
//   lockSettingValue / unlockSettingValue       lock at the tenant holding it
// Each throws SettingRefusal (an ActionRefusal: message for the person,
// details for the denied audit row) for an unknown setting, a wrong type, a
// value out of bounds or a lock above. The database re-checks locks and the
// MSSP-only groups whoever writes.
//
// Pages: loadSettingsPage (page-data.ts) and loadDriftReport (drift.ts) load
// everything a page shows, with the PDP asked for each read and action.
export {
  GROUP_LABELS,
  INDUSTRIES,
  LANGUAGES,
  MSSP_ONLY_GROUPS,
  SETTING_GROUPS,
  SETTINGS,
  SLA_SEVERITIES,
  integrationKey,
  isSettingKey,
  settingDefinition,
  slaKeys,
  timeZoneSchema,
  type ChangedBy,
  type Industry,
  type SettingDefinition,
  type SettingGroup,
  type SettingInput,
  type SettingKey,
  type SlaSeverity,
} from "./registry";
export {
  effectiveConfig,
  effectiveConfigAsService,
  effectiveConfigs,
  effectiveConfigsAsService,
  type EffectiveConfig,
  type EffectiveSetting,
  type SettingSource,
} from "./resolve";
export { clearSettingValue, lockSettingValue, parseSettingValue, setSettingValue, unlockSettingValue, type SettingChange } from "./write";
export { SettingRefusal } from "./errors";
export { formatValue, valueAsText } from "./format";
export { enabledConnectorKinds, enabledKindsOf, slaTargets, slaTargetsOf, type SlaTargets } from "./read";

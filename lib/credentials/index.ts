// lib/credentials: connector credentials of a tenant.
//   connectors      what each connector asks for, its validation and its verify request
//   store           create / list (masked) / replace secret / delete, under RLS
//   use             useCredential: the only way to the plaintext (audited)
//   test-connection testConnection: one real request, a scrubbed message
// Server-only (node:crypto, the vault).
export {
  CONNECTORS,
  CONNECTOR_KINDS,
  CROWDSTRIKE_REGIONS,
  checkSecret,
  configFieldName,
  connectorFormSpecs,
  connectorOf,
  describeConfig,
  isConnectorKind,
  parseConfig,
  type Connector,
  type ConnectorConfig,
  type ConnectorField,
  type ConnectorFormSpec,
  type ConnectorKind,
  type FieldErrors,
  type VerifyRequest,
} from "./connectors";
export { CredentialError, CredentialUnusableError, credentialErrorFrom } from "./errors";
export {
  EXPIRING_DAYS,
  createCredential,
  deleteCredential,
  expiryStatus,
  getCredential,
  hintOf,
  listCredentials,
  maskHint,
  replaceSecret,
  type ExpiryStatus,
  type MaskedCredential,
  type NewCredential,
  type SecretReplacement,
} from "./store";
export { useCredential, type CredentialPurpose, type CredentialUse, type OpenedCredential } from "./use";
export { testConnection, type TestConnectionResult } from "./test-connection";
export { VERIFY_TIMEOUT_MS, testEndpoint, verifyCredential, type VerifyResult } from "./verify";
export { publicHttpsUrlProblem } from "./url-safety";

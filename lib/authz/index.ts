// lib/authz: authorization decisions by the PDP (Cerbos, policies/).
// See docs/authorization.md for the action matrix and how to use these.
export { ACTIONS, type Action, type TenantResource } from "./actions";
export { AuthorizationError, PdpUnavailableError, isAuthorizationError, isPdpUnavailable } from "./errors";
export { principalFromClaims, type Principal, type PrincipalMembership } from "./principal";
export { checkAction, checkActions, checkActionsForEach, requireAction, sharingPdpRequests } from "./pdp";
export { tenantResource, authorize, permissions } from "./resource";

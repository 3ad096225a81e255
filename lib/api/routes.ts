// The endpoints the gateway (lib/api/gateway) serves under /api/v1, and from
// which the OpenAPI document is generated. One list: an endpoint added here
// is routed, authorized by its scope, rate-limited and documented.
import type { Endpoint } from "./endpoint";
import { apiEndpoints } from "./endpoints";
import { checkpointEndpoints } from "./endpoints/checkpoints";
import { openCollectorCredentialsEndpoint } from "./endpoints/collector-credentials";
import { meEndpoint } from "./gateway/me";

export const API_ROUTES: readonly Endpoint[] = [meEndpoint as Endpoint, ...(apiEndpoints as readonly Endpoint[]), ...(checkpointEndpoints as unknown as readonly Endpoint[]), openCollectorCredentialsEndpoint as unknown as Endpoint];

// Every endpoint of the tenant API, the list the gateway serves and the
// OpenAPI document (lib/api/openapi) describes.
import type { Endpoint } from "@/lib/api/endpoint";
import { getAlertEndpoint, ingestAlertsEndpoint, listAlertsEndpoint, patchAlertEndpoint } from "./alerts";
import { listAssetsEndpoint, upsertAssetsEndpoint } from "./assets";
import { heartbeatEndpoint } from "./collectors";
import { usageEndpoint } from "./usage";

export const apiEndpoints: readonly Endpoint<any, any, any, any>[] = [
  ingestAlertsEndpoint,
  listAlertsEndpoint,
  getAlertEndpoint,
  patchAlertEndpoint,
  upsertAssetsEndpoint,
  listAssetsEndpoint,
  heartbeatEndpoint,
  usageEndpoint,
];

export {
  getAlertEndpoint,
  heartbeatEndpoint,
  ingestAlertsEndpoint,
  listAlertsEndpoint,
  listAssetsEndpoint,
  patchAlertEndpoint,
  upsertAssetsEndpoint,
};

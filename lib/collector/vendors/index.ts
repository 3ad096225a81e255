// The connector kinds the collector can pull from. A credential of another
// kind (CrowdStrike Falcon and Microsoft Defender, not written yet; Splunk HEC,
// a forwarding target, not an alert source) is listed as skipped in the logs
// and left alone. Each connector's pulledByCollector says the same
// (lib/credentials/connectors.ts; tests/collector-status.test.ts).
import type { ConnectorKind } from "@/lib/credentials/connectors";
import { genericPuller } from "./generic";
import { sentinelOnePuller } from "./sentinelone";
import type { Puller } from "./types";

export const PULLERS: Partial<Record<ConnectorKind, Puller>> = {
  generic_api_key: genericPuller,
  sentinelone: sentinelOnePuller,
};

export type { Puller, PullArgs, VendorPage } from "./types";

// The connector kinds the collector can pull from. A credential of another
// kind (Defender, Splunk HEC: a forwarding target, not an alert source) is
// listed as skipped in the logs and left alone.
import type { ConnectorKind } from "@/lib/credentials/connectors";
import { genericPuller } from "./generic";
import { sentinelOnePuller } from "./sentinelone";
import type { Puller } from "./types";

export const PULLERS: Partial<Record<ConnectorKind, Puller>> = {
  generic_api_key: genericPuller,
  sentinelone: sentinelOnePuller,
};

export type { Puller, PullArgs, VendorPage } from "./types";

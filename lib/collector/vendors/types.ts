// What a vendor module does: one page of a connector's feed, from a cursor,
// mapped to the API's alert ingest shape (lib/ingest/schemas.ts).
import type { ConnectorConfig, ConnectorKind } from "@/lib/credentials/connectors";
import type { AlertItem } from "@/lib/ingest/schemas";
import type { VendorFetch } from "../vendor-http";

export interface PullArgs {
  config: ConnectorConfig;
  /** The opened secret; modules put it in a request header or body, nowhere else. */
  secret: string;
  /** Where the last page left off (the stored checkpoint), null on the very first pull. */
  cursor: string | null;
  pageSize: number;
  fetch: VendorFetch;
}

export interface VendorPage {
  alerts: AlertItem[];
  /** The checkpoint after this page; equal to the one read when nothing moved. */
  cursor: string | null;
  /** Another page is waiting now (pull again without sleeping). */
  more: boolean;
  /** Items the vendor sent that could not be mapped (left out, counted in the logs). */
  skipped: number;
}

export interface Puller {
  kind: ConnectorKind;
  pull(args: PullArgs): Promise<VendorPage>;
}

// /metrics: Prometheus text format behind a bearer token (lib/metrics, docs/metrics.md).
import { handleMetricsRequest } from "@/lib/metrics/handler";

export const dynamic = "force-dynamic";
export const GET = handleMetricsRequest;

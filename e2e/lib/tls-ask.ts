// The secret Caddy sends with its on-demand TLS question (TLS_ASK_SECRET, lib/domains/ask.ts): the
// e2e server runs with it (scripts/e2e-server.ts), and the specs ask with it as Caddy does.
export const E2E_TLS_ASK_SECRET = "e2e-only-tls-ask-secret-0123456789abcdef";

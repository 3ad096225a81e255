// Demo sign-ins. Other code (README, the `npm run portal` banner, Playwright tests)
// depends on these exact emails and on DEMO_PASSWORD; change them together.
// Dependency-free on purpose so E2E tests can import it.
import type { Role } from "@/drizzle/schema";

/** Shared by every demo user. Demo data only: never used outside a demo load. */
export const DEMO_PASSWORD = "Demo!2026-portal";

/**
 * The demo TOTP secret (base32, 20 bytes; SHA-1, 6 digits, 30 s): the demo
 * users with `totp: true` are enrolled with it at seed time, so people can add
 * it to any authenticator app and the Playwright tests can compute the codes.
 * Public by design, like DEMO_PASSWORD: demo data only.
 */
export const DEMO_TOTP_SECRET = "MSSPDEMOTOTPSECRETFORSENTINELXYZ";

export interface DemoMembership {
  tenantSlug: string;
  role: Role;
}

export interface DemoUser {
  /** Lowercase, as stored in users.email. */
  email: string;
  name: string;
  memberships: DemoMembership[];
  /** What this account is for: printed in the `npm run portal` banner (scripts/portal.ts). */
  note: string;
  /** Enrolled in two-step verification with DEMO_TOTP_SECRET (MSSP roles require it). */
  totp?: boolean;
}

export const DEMO_USERS: readonly DemoUser[] = [
  {
    email: "mssp.admin@demo.test",
    name: "Morgan Reyes",
    memberships: [{ tenantSlug: "sentinel", role: "mssp_admin" }],
    note: "MSSP operator admin: every tenant; onboards, suspends, moves and offboards customers; rotates keys",
    totp: true,
  },
  {
    email: "mssp.analyst@demo.test",
    name: "Sam Okafor",
    memberships: [{ tenantSlug: "sentinel", role: "mssp_analyst" }],
    note: "MSSP SOC analyst: reads, triages and exports every customer's alerts, no administration",
    totp: true,
  },
  {
    email: "acme.admin@demo.test",
    name: "Alex Chen",
    memberships: [{ tenantSlug: "acme", role: "tenant_admin" }],
    note: "Acme Corp admin: Acme and its sites (EU West, US East), users, credentials",
  },
  {
    email: "acme.analyst@demo.test",
    name: "Priya Nair",
    memberships: [{ tenantSlug: "acme", role: "tenant_analyst" }],
    note: "Acme Corp analyst: reads, triages and exports Acme's alerts",
  },
  {
    email: "acme.viewer@demo.test",
    name: "Jordan Blake",
    memberships: [{ tenantSlug: "acme", role: "tenant_viewer" }],
    note: "Acme Corp read-only viewer: alerts, no changes",
  },
  {
    email: "globex.admin@demo.test",
    name: "Hank Scorpio",
    memberships: [{ tenantSlug: "globex", role: "tenant_admin" }],
    note: "Globex admin: Globex and its sites (HQ, Lab, DC); sees nothing of Acme",
  },
  {
    email: "multi.analyst@demo.test",
    name: "Riley Moss",
    memberships: [
      { tenantSlug: "acme", role: "tenant_analyst" },
      { tenantSlug: "initech", role: "tenant_analyst" },
    ],
    note: "Analyst for two customers (Acme and Initech): exercises the tenant switcher",
  },
  {
    email: "site.admin@demo.test",
    name: "Elena Petrova",
    memberships: [{ tenantSlug: "acme-eu-west", role: "tenant_admin" }],
    note: "Site-level admin of Acme EU West only: cannot see Acme or Acme US East",
  },
];

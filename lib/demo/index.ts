// Demo data loader. users.ts and tenants.ts are dependency-free and safe to
// import from E2E tests; seed.ts pulls in pg types and the argon2 binding.
export { DEMO_PASSWORD, DEMO_USERS, type DemoMembership, type DemoUser } from "./users";
export { DEMO_MSSP_SLUG, DEMO_TENANTS, demoTenant, demoTenantLineage, type DemoTenant, type DemoTenantKind } from "./tenants";
export { DEMO_SEED, generateDemoData, mulberry32, type DemoAlert, type DemoAsset, type DemoData } from "./generate";
export { DEMO_ARGON2_OPTIONS, seedDemo, type SeedDemoOptions, type SeedDemoResult } from "./seed";

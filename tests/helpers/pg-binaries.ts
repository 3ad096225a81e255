// The other-major-version Postgres servers live in scripts/lib (the e2e server uses them too).
export * from "@/scripts/lib/pg-binaries";

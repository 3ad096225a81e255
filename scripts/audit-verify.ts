// npm run audit:verify [-- --tenant <slug> --heads]
// Walks every tenant's audit chain and reports the first broken link of each.
// Exit 0: all intact. Exit 1: a chain is broken. Exit 2: could not run.
// Against DATABASE_URL, or the embedded dev database when it is unset.
import { closePool } from "@/lib/db/pool";
import { formatVerifyReport, verifyAuditChains } from "@/lib/audit/verify";
import { openDevDatabase, redactUrl } from "./lib/dev-database";

const args = process.argv.slice(2);
const heads = args.includes("--heads");
const tenantSlug = args.includes("--tenant") ? args[args.indexOf("--tenant") + 1] : undefined;
if (args.includes("--help") || (args.includes("--tenant") && !tenantSlug)) {
  console.error("usage: npm run audit:verify [-- --tenant <slug>] [--heads]");
  process.exit(2);
}

const db = await openDevDatabase((line) => console.error(line));
console.error(`Database: ${redactUrl(db.url)}`);
process.env.DATABASE_URL = db.url;
let exitCode = 2;
try {
  const report = await verifyAuditChains({ tenantSlug });
  if (tenantSlug && report.chains.length === 0) console.error(`No audit chain for tenant "${tenantSlug}".`);
  console.log(formatVerifyReport(report, { heads }));
  exitCode = report.ok ? 0 : 1;
} catch (error) {
  console.error(`audit:verify failed: ${(error as Error).message}`);
} finally {
  await closePool();
  await db.stop();
}
process.exit(exitCode);

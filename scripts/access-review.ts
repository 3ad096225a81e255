// npm run access-review [-- --tenant <slug>] [--json]
// Prints who holds which role on which tenant (a tree), the MSSP-level roles,
// each holder's MFA state, last sign-in and open sessions, the pending
// invitations and the live API keys: the input of the manual access review
// (docs/security-model.md, "Validation"). With --tenant, also the roles and
// keys held on the tenant's ancestors (they reach it), marked inherited. Against DATABASE_URL (as the owner, like audit:verify), or
// the embedded dev database when it is unset. Exit 0, or 2 if it could not run.
import pg from "pg";
import { formatAccessReview, loadAccessReview } from "./lib/access-review";
import { openDevDatabase, redactUrl } from "./lib/dev-database";

const args = process.argv.slice(2);
const rootSlug = args.includes("--tenant") ? args[args.indexOf("--tenant") + 1] : undefined;
if (args.includes("--help") || (args.includes("--tenant") && !rootSlug)) {
  console.error("usage: npm run access-review [-- --tenant <slug>] [--json]");
  process.exit(2);
}

const db = await openDevDatabase((line) => console.error(line));
console.error(`Database: ${redactUrl(db.url)}`);
const client = new pg.Client({ connectionString: db.url });
let exitCode = 2;
try {
  await client.connect();
  const review = await loadAccessReview(client, { rootSlug });
  console.log(args.includes("--json") ? JSON.stringify(review, null, 2) : formatAccessReview(review));
  exitCode = 0;
} catch (error) {
  console.error(`access-review failed: ${(error as Error).message}`);
} finally {
  await client.end().catch(() => {});
  await db.stop();
}
process.exit(exitCode);

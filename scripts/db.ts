// npm run db:migrate | db:seed | db:reset | db:rollback [-- <version>]
// Against DATABASE_URL, or the embedded dev database when it is unset.
// db:seed -- --tenants 1000 [--alerts 2000000] also adds that many customers
// (with sites, one at depth 4 every 25, and tenant settings) under the demo
// MSSP, and with --alerts that many alerts (and a tenth as many assets)
// skewed over them (lib/demo/scale), for the console at scale.
import pg from "pg";
import { migrate, rollback } from "@/lib/db/migrate";
import { seedScale } from "@/lib/demo/scale";
import { seedDemo } from "@/lib/demo/seed";
import { localAuthSecret } from "./lib/auth-secret";
import { openDevDatabase, redactUrl } from "./lib/dev-database";

const command = process.argv[2];
const commands = ["migrate", "seed", "reset", "rollback"];
if (!commands.includes(command)) {
  console.error(`usage: tsx scripts/db.ts <${commands.join("|")}>`);
  process.exit(2);
}

// --tenants N [--alerts M] (db:seed and db:reset): the scale seed after the demo data.
const numberArg = (flag: string) => {
  const i = process.argv.indexOf(flag);
  return i > 0 ? Number(process.argv[i + 1]) : null;
};
const scaleTenants = numberArg("--tenants");
const scaleAlerts = numberArg("--alerts");
if (scaleTenants !== null && (!Number.isInteger(scaleTenants) || scaleTenants < 1)) {
  console.error("--tenants needs a whole number, e.g. npm run db:seed -- --tenants 1000");
  process.exit(2);
}
if (scaleAlerts !== null && (scaleTenants === null || !Number.isInteger(scaleAlerts) || scaleAlerts < 0)) {
  console.error("--alerts needs --tenants and a whole number, e.g. npm run db:seed -- --tenants 1000 --alerts 2000000");
  process.exit(2);
}

const db = await openDevDatabase();
console.log(`Database: ${redactUrl(db.url)}`);
let exitCode = 0;
try {
  if (command === "reset") {
    await rollback(db.url, { log: console.log });
  }
  if (command === "rollback") {
    const target = process.argv[3];
    if (!target) throw new Error("db:rollback needs a target version: npm run db:rollback -- 20261123000100 (or 0 for all)");
    await rollback(db.url, { toVersion: target === "0" ? undefined : target, log: console.log });
  }
  // db:seed on a database that has not been migrated yet (a fresh clone's first command, say):
  // the pending migrations first, as `npm run portal` does, instead of failing on a missing table.
  if (command === "migrate" || command === "reset" || command === "seed") {
    await migrate(db.url, { log: console.log });
  }
  if (command === "seed" || command === "reset") {
    // The seed seals the demo TOTP secret under a key derived from NEXTAUTH_SECRET.
    process.env.NEXTAUTH_SECRET ??= await localAuthSecret();
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      await seedDemo(client, { log: console.log });
      if (scaleTenants !== null) {
        await seedScale(client, { tenants: scaleTenants, alerts: scaleAlerts ?? 0, log: console.log });
      }
    } finally {
      await client.end();
    }
  }
} catch (error) {
  console.error(`db:${command} failed: ${(error as Error).message}`);
  exitCode = 1;
} finally {
  await db.stop();
}
process.exit(exitCode);

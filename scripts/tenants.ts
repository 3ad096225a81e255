// The tenant lifecycle from a shell, against DATABASE_URL or the embedded dev
// database (the same functions the console's actions call, through the named
// service-role path, audited with no actor and "via": "npm run tenants"):
//
//   npm run tenants -- list
//   npm run tenants -- create --parent <slug> --name <name> --slug <slug> --admin-email <email> [--plan <plan>]
//   npm run tenants -- suspend <slug> --reason <text>      |  resume <slug>
//   npm run tenants -- offboard <slug> --confirm <name> [--grace-days <n>]  |  cancel-offboard <slug>
//   npm run tenants -- move <slug> --to <parent-slug>
//   npm run tenants -- retry <slug>                        a failed provisioning or offboarding, from its failed step
//   npm run tenants -- keygen | export | inspect | restore | import …   (scripts/tenants-archive.ts)
//
// Workflows (create, offboard with no grace) run here with a progress bar
// until done. Exit codes: 0 done; 1 refused or failed (the reason is
// printed; a refusal changed nothing); 2 bad usage.
import { parseArgs } from "node:util";
import { openDevDatabase, redactUrl } from "./lib/dev-database";
import { localArchiveKeyFile } from "./lib/archive-key";
import { followJob } from "./lib/follow-job";

process.env.LOG_LEVEL ??= "warn";

const ARCHIVE_COMMANDS = ["keygen", "export", "inspect", "restore", "import"];
const USAGE = `usage: npm run tenants -- <command>
  list                                                                 every tenant with its state and plan
  create --parent <slug> --name <name> --slug <slug> --admin-email <email> [--plan starter|standard|enterprise]
  suspend <slug> --reason <text>          resume <slug>
  offboard <slug> --confirm <name> [--grace-days <0-90>]      cancel-offboard <slug>
  move <slug> --to <parent-slug>
  retry <slug>                            retry its failed provisioning or offboarding from the failed step
  keygen | export | inspect | restore | import    archives (run with no options for their usage)`;

function usage(message?: string): never {
  if (message) console.error(message);
  console.error(USAGE);
  process.exit(2);
}

const [command] = process.argv.slice(2);
if (command && ARCHIVE_COMMANDS.includes(command)) {
  // The archive commands read the same argv.
  await import("./tenants-archive");
} else {
  await lifecycle();
}

async function lifecycle() {
  const rest = process.argv.slice(3);
  let parsed: { values: Record<string, string | undefined>; positionals: string[] };
  try {
    parsed = parseArgs({
      args: rest,
      allowPositionals: true,
      strict: true,
      options: {
        parent: { type: "string" },
        name: { type: "string" },
        slug: { type: "string" },
        "admin-email": { type: "string" },
        plan: { type: "string" },
        reason: { type: "string" },
        confirm: { type: "string" },
        "grace-days": { type: "string" },
        to: { type: "string" },
      },
    }) as typeof parsed;
  } catch (error) {
    usage((error as Error).message);
  }
  const o = parsed.values;
  const target = parsed.positionals[0];
  const needsTarget = ["suspend", "resume", "offboard", "cancel-offboard", "move", "retry"];
  if (!command || ![...needsTarget, "list", "create"].includes(command)) usage(command ? `unknown command: ${command}` : undefined);
  if (needsTarget.includes(command) && !target) usage(`${command} needs the tenant's slug`);

  const db = await openDevDatabase();
  process.env.DATABASE_URL = db.url;
  console.error(`Database: ${redactUrl(db.url)}`);
  if (db.embedded) {
    const { migrate } = await import("@/lib/db/migrate");
    await migrate(db.url);
    // The dev portal's archive key, so an offboarding run from here exports as the portal's would.
    process.env.TENANT_ARCHIVE_KEY_FILE ??= await localArchiveKeyFile();
  }
  const { closePool } = await import("@/lib/db/pool");
  const { runTenantsCommand } = await import("./lib/tenants-commands");
  let code: number;
  try {
    code = await runTenantsCommand(command, target, o, { followJob, usage });
  } finally {
    await closePool();
    await db.stop();
  }
  process.exit(code);
}

// Export, restore and import one tenant from a shell, against DATABASE_URL or
// the embedded dev database (as scripts/keys.ts). `npm run tenants -- <command>`
// hands these commands to this file (scripts/tenants.ts); it also runs alone:
//
//   npm run tenants -- keygen --out <key-file>
//   npm run tenants -- export <slug> --out <file> --transfer-key-file <key-file>
//   npm run tenants -- inspect --in <file> --transfer-key-file <key-file>
//   npm run tenants -- restore --in <file> --transfer-key-file <key-file> [--parent <slug>] [--replace] [--no-verify]
//   npm run tenants -- import <slug> --from <dir> [--dry-run]
//   (or: npx tsx scripts/tenants-archive.ts <command> …)
//
// Progress goes to stderr, the result to stdout (--json for a machine).
// Exit codes: 0 done; 1 refused or failed (the reason is printed; nothing was
// changed); 2 bad usage; 3 import done but some rows were rejected.
import { createReadStream, createWriteStream, existsSync } from "node:fs";
import { readFile, rename, rm, writeFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { localAuthSecret } from "./lib/auth-secret";
import { openDevDatabase, redactUrl } from "./lib/dev-database";

process.env.LOG_LEVEL ??= "warn";

const USAGE = `usage: npm run tenants -- <command>
  keygen --out <key-file>                                   a new 32-byte transfer key (base64), mode 0600
  export <slug> --out <file> --transfer-key-file <key-file>  the tenant and its sites, sealed
  inspect --in <file> --transfer-key-file <key-file>         check an archive and print its manifest (no database)
  restore --in <file> --transfer-key-file <key-file> [--parent <slug>] [--replace] [--no-verify]
  import <slug> --from <dir> [--dry-run]                     users, assets and alerts of a legacy install`;

function usage(message?: string): never {
  if (message) console.error(message);
  console.error(USAGE);
  process.exit(2);
}

const [command, ...rest] = process.argv.slice(2);
const { values: o, positionals } = (() => {
  try {
    return parseArgs({
      args: rest,
      allowPositionals: true,
      options: {
        out: { type: "string" }, in: { type: "string" }, from: { type: "string" }, "transfer-key-file": { type: "string" },
        parent: { type: "string" }, replace: { type: "boolean" }, "dry-run": { type: "boolean" }, "no-verify": { type: "boolean" }, json: { type: "boolean" },
      },
      strict: true,
    });
  } catch (error) {
    usage((error as Error).message);
  }
})();
const slug = positionals[0];
const need = (cond: unknown, what: string) => cond || usage(`${command} needs ${what}`);
switch (command) {
  case "keygen": need(o.out, "--out <key-file>"); break;
  case "export": need(slug && o.out && o["transfer-key-file"], "<slug> --out <file> --transfer-key-file <key-file>"); break;
  case "inspect": need(o.in && o["transfer-key-file"], "--in <file> --transfer-key-file <key-file>"); break;
  case "restore": need(o.in && o["transfer-key-file"], "--in <file> --transfer-key-file <key-file>"); break;
  case "import": need(slug && o.from, "<slug> --from <dir>"); break;
  default: usage(command ? `unknown command: ${command}` : undefined);
}

const archive = await import("@/lib/lifecycle/archive");
const err = (line: string) => process.stderr.write(`${line}\n`);
const out = (value: unknown, text: string) => console.log(o.json ? JSON.stringify(value, null, 2) : text);
let lastProgress = 0;
const progress = (p: { section?: string; file?: string; rows: number }) => {
  if (Date.now() - lastProgress < 500) return;
  lastProgress = Date.now();
  err(`  ${p.section ?? p.file}: ${p.rows.toLocaleString("en-US")} rows`);
};

async function transferKey(): Promise<Buffer> {
  const file = o["transfer-key-file"]!;
  return archive.parseTransferKey(await readFile(file, "utf8").catch(() => {
    throw new archive.ArchiveError("bad-key", `cannot read the transfer key file ${file}`);
  }));
}

async function keygen(): Promise<number> {
  if (existsSync(o.out!)) throw new archive.ArchiveError("exists", `${o.out} exists; a key file is never overwritten`);
  await writeFile(o.out!, `${archive.newTransferKey()}\n`, { mode: 0o600, flag: "wx" });
  out({ file: o.out }, `Wrote a new transfer key to ${o.out} (mode 0600). Keep it apart from the archives it seals.`);
  return 0;
}

async function inspect(): Promise<number> {
  const r = await archive.inspectArchive(createReadStream(o.in!), await transferKey());
  const lines = Object.entries(r.sections).map(([name, d]) => `  ${name.padEnd(32)} ${String(d.rows).padStart(9)}  ${d.sha256}`);
  out(r, [
    `Archive of ${r.head.root.name} (${r.head.root.slug}, ${r.head.root.kind}) and ${r.head.tenants.length - 1} tenant(s) below it`,
    `  taken ${r.head.createdAt} from deployment ${r.head.sourceDeployment}${r.head.sourceParent ? `, under ${r.head.sourceParent.slug}` : ""}`,
    `  ${r.secrets.deks} data key(s) and ${r.secrets.totp} second-factor secret(s) wrapped under the transfer key; TOTP: ${r.head.totp}`,
    "Every chunk authenticated; every section matches the manifest:", ...lines,
  ].join("\n"));
  return 0;
}

async function withDatabase(fn: () => Promise<number>): Promise<number> {
  const db = await openDevDatabase(err);
  process.env.DATABASE_URL = db.url;
  err(`Database: ${redactUrl(db.url)}`);
  if (db.embedded) {
    const { migrate } = await import("@/lib/db/migrate");
    await migrate(db.url, { log: (line) => err(`  ${line}`) });
    process.env.NEXTAUTH_SECRET ??= await localAuthSecret();
  }
  if (!process.env.NEXTAUTH_SECRET) err("NEXTAUTH_SECRET is not set: second-factor secrets travel sealed only (they open where the secret is the same)");
  const { closePool } = await import("@/lib/db/pool");
  try {
    return await fn();
  } finally {
    await closePool();
    await db.stop();
  }
}

async function exportOne(): Promise<number> {
  const key = await transferKey();
  if (existsSync(o.out!)) throw new archive.ArchiveError("exists", `${o.out} exists; choose another --out`);
  const partial = `${o.out}.partial`;
  try {
    const r = await archive.exportTenant({ slug, out: createWriteStream(partial, { mode: 0o600 }), transferKey: key, progress, via: "tenants-archive" });
    await rename(partial, o.out!); // only a complete archive gets the final name
    out(r, `Exported ${r.tenants.map((t) => t.slug).join(", ")}: ${r.rows.toLocaleString("en-US")} rows to ${o.out}` +
      (r.totpWrapped ? `; ${r.totpWrapped} second-factor secret(s) re-wrapped` : ""));
    return 0;
  } finally {
    await rm(partial, { force: true });
  }
}

async function restoreOne(): Promise<number> {
  const r = await archive.restoreTenant({
    in: createReadStream(o.in!), transferKey: await transferKey(), parentSlug: o.parent, replace: o.replace, verify: !o["no-verify"], progress, via: "tenants-archive",
  });
  const u = r.users;
  out(r, [
    `Restored ${r.tenants.map((t) => t.slug).join(", ")} (${r.sameDeployment ? "same deployment" : `from deployment ${r.sourceDeployment}`})`,
    `  created: ${r.created.join(", ") || "none"}; replaced: ${r.replaced.join(", ") || "none"} (${r.deletedRows} live rows removed first)`,
    `  verified: ${Object.values(r.verified).filter((v) => v === "equal").length} table(s) equal to the archive` +
      Object.entries(r.verified).filter(([, v]) => v !== "equal").map(([t, v]) => `; ${t}: ${v}`).join(""),
    `  audit: restored verbatim for ${r.audit.restoredChains.join(", ") || "none"}; live chain kept for ${r.audit.keptChains.join(", ") || "none"}`,
    `  users: ${u.created} created, ${u.existing} existing, ${u.mappedByEmail} matched by email, ${u.clearedReferences} reference(s) cleared` +
      (u.totpResealed ? `, ${u.totpResealed} second factor(s) re-sealed` : "") +
      (u.totpUnopenable ? `; ${u.totpUnopenable} second factor(s) do not open here (NEXTAUTH_SECRET differs): those users must enrol again` : ""),
    ...r.upgrades.map((g) => `  older archive: ${g.table} carried over ${g.migration}: ${g.description} (${g.rows} row(s) changed)`),
    ...(r.rebuilt.length ? [`  older archive: rollups rebuilt from its rows: ${r.rebuilt.join(", ")}`] : []),
    ...r.notActive.map((t) => `  note: ${t.slug} is ${t.status}, as in the archive` +
      (t.status === "deprovisioning" ? ` (an offboarding export): \`npm run tenants -- cancel-offboard ${t.slug}\` brings it back` : "")),
  ].join("\n"));
  return 0;
}

async function importDir(): Promise<number> {
  const r = await archive.importLegacyData({ slug, from: o.from!, dryRun: o["dry-run"], progress, via: "tenants-archive" });
  const verb = r.dryRun ? "Would create" : "Created";
  out(r, [
    `${r.dryRun ? "Dry run: nothing was written. " : ""}${verb} in ${r.tenant.slug}:`,
    `  users: ${r.users.created.length} account(s), ${r.users.invited.length} invitation(s), ${r.users.existing} already there`,
    `  assets: ${r.assets.created} (${r.assets.existing} already there); alerts: ${r.alerts.created} (${r.alerts.existing} already there)`,
    // The link lives only in the email (its token is not the operator's to see or to pass on).
    ...r.users.invited.map((email) => (r.dryRun ? `  would invite ${email} by email` : `  Invitation emailed to ${email}`)),
    ...(r.users.invited.length && !r.dryRun ? ["  (queued in the mail outbox with the import; the portal's worker delivers them: docs/email.md)"] : []),
    r.rejected.length ? `${r.rejected.length} row(s) rejected:` : "No row rejected.",
    ...r.rejected.map((x) => `  ${x.file}:${x.line}${x.field ? ` ${x.field}` : ""}: ${x.reason}`),
  ].join("\n"));
  return r.rejected.length ? 3 : 0;
}

let code = 1;
try {
  code = command === "keygen" ? await keygen()
    : command === "inspect" ? await inspect()
    : await withDatabase(command === "export" ? exportOne : command === "restore" ? restoreOne : importDir);
} catch (error) {
  if (archive.isArchiveError(error)) err(`${command} refused: ${error.message}`);
  else {
    const { safeError } = await import("@/lib/log");
    err(`${command} failed: ${safeError(error).message}. Nothing was changed.`);
  }
  code = 1;
}
process.exit(code);

// Key rotation from a shell, against DATABASE_URL or the embedded dev database:
//
//   npm run keys -- rotate-dek --tenant <slug> [--batch-size <n>]
//   npm run keys -- rotate-kek --mssp <slug>
//   npm run keys -- status [--tenant <slug>]
//   npm run keys -- raw-events --tenant <slug> [--delete --confirm <count>]
//
// raw-events lists the tenant's raw events that do not open (they keep its
// DEK rotation from finishing: docs/keys-runbook.md); with --delete it deletes
// them, audited, only if --confirm names exactly how many there are now
// (lib/ingest/raw-unopenable.ts). Exit code 1 when it refused, or when the key
// service failed (then it lists nothing and deletes nothing).
//
// A rotation is queued as a service job (created_by null, audited as queued
// "via npm run keys") and this process then runs a worker until that job has
// finished, drawing its progress bar. If the portal's own worker (or another
// one) takes the job first, this just follows it. Exit code 0 when the job
// succeeded, 1 when it failed, 2 on bad usage.
import { parseArgs } from "node:util";
import { openDevDatabase, redactUrl } from "./lib/dev-database";
import { followJob } from "./lib/follow-job";

// The worker's JSON log lines would trample the progress bar.
process.env.LOG_LEVEL ??= "warn";

const USAGE = `usage:
  npm run keys -- rotate-dek --tenant <slug> [--batch-size <n>]   rotate a tenant's data key (re-seals its credentials)
  npm run keys -- rotate-kek --mssp <slug>                        rotate an MSSP's key-encryption key (re-wraps its tenants' keys)
  npm run keys -- status [--tenant <slug>]                        key versions, credentials per version, KEKs and what each wraps
  npm run keys -- raw-events --tenant <slug>                      list the tenant's raw events that do not open (they block its DEK rotation)
  npm run keys -- raw-events --tenant <slug> --delete --confirm <count>
                                                                  delete them (audited), if there are exactly <count>`;

function usage(message?: string): never {
  if (message) console.error(message);
  console.error(USAGE);
  process.exit(2);
}

const [command, ...rest] = process.argv.slice(2);
let options: { tenant?: string; mssp?: string; "batch-size"?: string; delete?: boolean; confirm?: string };
try {
  options = parseArgs({
    args: rest,
    options: {
      tenant: { type: "string" },
      mssp: { type: "string" },
      "batch-size": { type: "string" },
      delete: { type: "boolean" },
      confirm: { type: "string" },
    },
    strict: true,
  }).values;
} catch (error) {
  usage((error as Error).message);
}
if (command === "rotate-dek" && !options.tenant) usage("rotate-dek needs --tenant <slug>");
if (command === "rotate-kek" && !options.mssp) usage("rotate-kek needs --mssp <slug>");
if (command === "raw-events" && !options.tenant) usage("raw-events needs --tenant <slug>");
if (!["rotate-dek", "rotate-kek", "status", "raw-events"].includes(command ?? "")) usage(command ? `unknown command: ${command}` : undefined);
if ((options.delete || options.confirm !== undefined) && command !== "raw-events") usage("--delete and --confirm go with raw-events");
const confirm = options.confirm === undefined ? undefined : Number(options.confirm);
if (options.delete && !(confirm !== undefined && Number.isInteger(confirm) && confirm >= 0)) {
  usage("--delete needs --confirm <count>: the number of raw events the listing showed");
}
if (!options.delete && options.confirm !== undefined) usage("--confirm goes with --delete");
const batchSize = options["batch-size"] === undefined ? undefined : Number(options["batch-size"]);
if (batchSize !== undefined && !(Number.isInteger(batchSize) && batchSize >= 1 && batchSize <= 5000)) {
  usage("--batch-size must be a whole number from 1 to 5000");
}

const db = await openDevDatabase();
process.env.DATABASE_URL = db.url;
console.log(`Database: ${redactUrl(db.url)}`);
if (db.embedded) {
  // The embedded dev database may be brand new (keys before `npm run portal`):
  // bring its schema up to date, as the run command does. A DATABASE_URL
  // database is migrated by its own deploy step, never from here.
  const { migrate } = await import("@/lib/db/migrate");
  await migrate(db.url, { log: (line) => console.log(`  ${line}`) });
}

const { closePool } = await import("@/lib/db/pool");
const { enqueueServiceJob } = await import("@/lib/jobs");
const { findTenantBySlug } = await import("@/lib/tenancy/resolve-host");
const { ROTATE_DEK_KIND, ROTATE_KEK_KIND } = await import("@/lib/vault/rotation");
const { keyInventory, keyringProblems, activeVersionOf } = await import("@/lib/vault/rotation-status");
type JobView = import("@/lib/jobs").JobView;
type KekVersion = import("@/lib/vault/keys").KekVersion;
type InventoryTenant = import("@/lib/vault/rotation-status").InventoryTenant;

function summary(job: JobView): string {
  const r = job.result ?? {};
  const seconds =
    job.startedAt && job.finishedAt ? ` in ${((job.finishedAt.getTime() - job.startedAt.getTime()) / 1000).toFixed(1)} s` : "";
  if (job.status === "failed") return `Failed after ${job.attempts} attempt(s)${seconds}: ${job.lastError ?? "no reason recorded"}`;
  if (job.kind === ROTATE_DEK_KIND) {
    const retired = (r.retiredVersions as number[] | undefined) ?? [];
    return (
      `Done${seconds}: ${r.resealed} credential(s) re-sealed under v${r.targetVersion}` +
      (Number(r.skipped) ? `, ${r.skipped} skipped (replaced meanwhile)` : "") +
      (retired.length ? `; retired v${retired.join(", v")}` : "; nothing to retire")
    );
  }
  return (
    `Done${seconds}: ${r.rewrapped} tenant key(s) re-wrapped under KEK v${r.newVersion}` +
    (Number(r.repaired) ? `, ${r.repaired} of them moved to their own MSSP's KEK (left behind by an earlier move)` : "")
  );
}

const follow = (tenantId: string, jobId: string, kind: string) => followJob(tenantId, jobId, kind);

async function rotate(): Promise<number> {
  const slug = (command === "rotate-dek" ? options.tenant : options.mssp)!;
  const tenant = await findTenantBySlug(slug);
  if (!tenant) {
    console.error(`No tenant with the slug "${slug}". \`npm run keys -- status\` lists them.`);
    return 1;
  }
  const kek = command === "rotate-kek";
  if (kek && tenant.kind !== "mssp") {
    console.error(`"${slug}" is a ${tenant.kind}, not an MSSP: key-encryption keys belong to MSSPs. Use rotate-dek for its data key.`);
    return 1;
  }
  const kind = kek ? ROTATE_KEK_KIND : ROTATE_DEK_KIND;
  const { job, created } = await enqueueServiceJob(
    { tenantId: tenant.id, kind, payload: batchSize ? { batchSize } : {}, maxAttempts: kek ? 3 : 5 },
    {
      audit: {
        action: kek ? "keys.kek-rotation-queued" : "keys.dek-rotation-queued",
        targetType: "tenant",
        targetId: tenant.id,
        details: { via: "npm run keys" },
      },
    },
  );
  const what = kek ? `the key-encryption key of ${tenant.name} (${slug})` : `the data key of ${tenant.name} (${slug})`;
  console.log(created ? `Rotating ${what}: job ${job.id}` : `A rotation of ${what} is already ${job.status} (job ${job.id}); following it.`);
  const finished = await follow(tenant.id, job.id, kind);
  console.log(summary(finished));
  return finished.status === "succeeded" ? 0 : 1;
}

function pad(text: string, width: number): string {
  return text.length >= width ? `${text.slice(0, width - 1)}…` : text.padEnd(width);
}

const plural = (n: number, noun: string) => `${n} ${noun}${n === 1 ? "" : "s"}`;

/** One KEK version: what it wraps, and for a retired one whether its Vault secret really was overwritten. */
function kekLine(k: KekVersion): string {
  const since = k.status === "active" ? `created ${k.createdAt.toISOString()}` : `${k.retiredAt?.toISOString() ?? "?"}`;
  const wraps = `wraps ${plural(k.wraps, "tenant key")}` + (k.foreignWraps ? `, ${k.foreignWraps} of tenants now under another MSSP` : "");
  const material =
    k.status === "active"
      ? ""
      : k.materialOverwrittenAt
        ? `; Vault secret overwritten ${k.materialOverwrittenAt.toISOString()}`
        : "; Vault secret NOT overwritten (still usable)";
  return `KEK v${k.version}  ${k.status.padEnd(8)} ${since}  ${wraps}${material}`;
}

/** The KEK wrapping each live version of a tenant's key: "KEK v2", or another MSSP's flagged as foreign. */
function wrappedByText(t: InventoryTenant): string {
  const texts = t.wrappedBy.map((w) => (w.foreign ? `${w.kekRootSlug} KEK v${w.kekVersion} (foreign)` : `KEK v${w.kekVersion}`));
  return [...new Set(texts)].join(", ") || "—";
}

async function status(): Promise<number> {
  if (options.tenant && !(await findTenantBySlug(options.tenant))) {
    console.error(`No tenant with the slug "${options.tenant}".`);
    return 1;
  }
  const inventory = await keyInventory({ slug: options.tenant });
  if (inventory.length === 0) {
    console.log("No tenants yet. Seed the demo data with `npm run db:seed`, or provision a tenant.");
    return 0;
  }
  for (const mssp of inventory) {
    console.log(`\nMSSP ${mssp.name} (${mssp.slug})`);
    if (mssp.keks.length === 0) console.log("  no KEK yet");
    for (const k of mssp.keks) console.log(`  ${kekLine(k)}`);
    const wrappedWidth = Math.max(12, ...mssp.tenants.map((t) => wrappedByText(t).length + 2));
    console.log(`  ${pad("TENANT", 34)}${pad("DATA KEY", 12)}${pad("WRAPPED BY", wrappedWidth)}${pad("CREDENTIALS", 28)}ACTIVE SINCE`);
    const minDepth = Math.min(...mssp.tenants.map((t) => t.depth));
    for (const t of mssp.tenants) {
      const key = activeVersionOf(t.versions);
      const retiring = t.versions.filter((v) => v.status === "retiring").map((v) => `v${v.version}`);
      const destroyed = t.versions.some((v) => v.status === "destroyed");
      const total = [...t.credentials.values()].reduce((a, b) => a + b, 0);
      const perVersion =
        t.credentials.size > 1
          ? ` (${[...t.credentials.entries()].sort((a, b) => b[0] - a[0]).map(([v, n]) => `${n} on v${v}`).join(", ")})`
          : "";
      const keyText = destroyed ? "destroyed" : key ? `v${key.version}${retiring.length ? ` +${retiring.join(",")}` : ""}` : "none";
      console.log(
        `  ${pad(`${"  ".repeat(t.depth - minDepth)}${t.slug}`, 34)}${pad(keyText, 12)}${pad(wrappedByText(t), wrappedWidth)}` +
          `${pad(`${total}${perVersion}`, 28)}${key ? key.createdAt.toISOString() : "—"}`,
      );
    }
  }
  const problems = keyringProblems(inventory);
  if (problems.length === 0) {
    console.log("\nKeyring consistent: every data key is wrapped by its own MSSP's KEK, and every retired KEK's Vault secret was overwritten.");
  } else {
    console.log(`\nProblems (${problems.length}):`);
    for (const p of problems) console.log(`  ! ${p}`);
  }
  return 0;
}

async function rawEvents(): Promise<number> {
  const tenant = await findTenantBySlug(options.tenant!);
  if (!tenant) {
    console.error(`No tenant with the slug "${options.tenant}". \`npm run keys -- status\` lists them.`);
    return 1;
  }
  const { findUnopenableRawEvents, deleteUnopenableRawEvents, RawEventCleanupError, RawEventKeyServiceError } = await import("@/lib/ingest/raw-unopenable");
  // The key service failing says nothing about the rows: stop, list nothing, delete nothing.
  const keyServiceFailed = (error: unknown): number => {
    if (!(error instanceof RawEventKeyServiceError)) throw error;
    console.error(`${error.message}\nNothing was listed and nothing was deleted: run the command again once the key service answers.`);
    return 1;
  };
  const why = { integrity: "failed its integrity check", version_erased: "its key version is erased" } as const;
  const list = (rows: Awaited<ReturnType<typeof findUnopenableRawEvents>>) => {
    console.log(`  ${pad("ALERT", 38)}${pad("KEY", 6)}${pad("BYTES", 9)}${pad("STORED", 26)}WHY`);
    for (const r of rows) {
      console.log(`  ${pad(r.alertId, 38)}${pad(`v${r.keyVersion}`, 6)}${pad(String(r.bytes), 9)}${pad(r.storedAt.toISOString(), 26)}${why[r.reason]}`);
    }
  };
  if (!options.delete) {
    let rows: Awaited<ReturnType<typeof findUnopenableRawEvents>>;
    try {
      rows = await findUnopenableRawEvents(tenant.id);
    } catch (error) {
      return keyServiceFailed(error);
    }
    if (rows.length === 0) {
      console.log(`Every raw event of ${tenant.name} (${tenant.slug}) opens: nothing to do.`);
      return 0;
    }
    console.log(`${plural(rows.length, "raw event")} of ${tenant.name} (${tenant.slug}) do${rows.length === 1 ? "es" : ""} not open and keep its data-key rotation from finishing:`);
    list(rows);
    console.log(
      `\nNo one can open them, with any key. To delete them (the alerts stay; one audit row names them):\n` +
        `  npm run keys -- raw-events --tenant ${tenant.slug} --delete --confirm ${rows.length}\nthen rotate the tenant's data key again.`,
    );
    return 0;
  }
  try {
    const { deleted } = await deleteUnopenableRawEvents(tenant.id, { confirm: confirm!, via: "npm run keys" });
    if (deleted.length === 0) {
      console.log(`Every raw event of ${tenant.name} (${tenant.slug}) opens: nothing was deleted.`);
      return 0;
    }
    list(deleted);
    console.log(`Deleted ${plural(deleted.length, "raw event")} of ${tenant.name} (${tenant.slug}) that did not open (audited as alerts.raw-events-deleted).`);
    return 0;
  } catch (error) {
    if (!(error instanceof RawEventCleanupError)) return keyServiceFailed(error);
    console.error(error.message);
    return 1;
  }
}

let exitCode = 1;
try {
  exitCode = command === "status" ? await status() : command === "raw-events" ? await rawEvents() : await rotate();
} catch (error) {
  const { safeError } = await import("@/lib/log");
  const e = safeError(error);
  const hint = e.code === "3F000" || e.code === "42P01" || e.code === "42704" ? " (is the database migrated? npm run db:migrate)" : "";
  console.error(`keys ${command} failed: ${e.message}${hint}`);
  exitCode = 1;
} finally {
  await closePool();
  await db.stop();
}
process.exit(exitCode);

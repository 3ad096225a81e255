// POST /customers/import/run on the console host: a legacy install's users,
// assets and alerts files (an envelope: tenant, mode, then up to three files)
// into a customer or site, as a dry run (nothing written) or for real, in one
// transaction, idempotent by natural keys (lib/lifecycle/archive/import.ts).
// MSSP staff only (checked before the upload is accepted), tenants:provision
// on the tenant. The files go to a temporary directory, deleted before the
// answer; the answer names them as the person's files were named.
import { z } from "zod";
import { importUpload } from "@/lib/lifecycle/web/console-archive";
import { ConsoleRefusal } from "@/lib/lifecycle/web/errors";
import { LEGACY_KINDS, legacyExtension } from "@/lib/lifecycle/web/legacy-files";
import type { FileSpec } from "@/lib/lifecycle/web/upload";
import { uploadRoute } from "@/lib/lifecycle/web/upload-route";
import { typedTenantSchema } from "@/lib/tenancy/tenant-filter";

const fields = z.object({
  // A slug (the list), or past TENANT_SELECT_UP_TO targets a name or slug typed (lib/lifecycle/web/access.ts authorizeImport).
  tenant: typedTenantSchema("Choose the tenant to import into."),
  mode: z.enum(["dry-run", "import"], { error: () => "Choose Dry run or Import." }),
});

const files = Object.fromEntries(
  LEGACY_KINDS.map((kind): [string, FileSpec] => [
    kind,
    {
      required: false,
      storeAs: (name) => {
        const ext = legacyExtension(name);
        if (!ext) throw new ConsoleRefusal(400, `The ${kind} file must be .csv, .json or .ndjson (${name.slice(0, 80)} is not).`);
        return `${kind}.${ext}`;
      },
    },
  ]),
);

export const POST = uploadRoute({
  audit: "tenant.import-requested",
  fields,
  files,
  messages: {
    crossSite: "Import from the Import page in the console.",
    signedOut: "Your session has ended. Sign in again; nothing was imported.",
    tooLarge: "These files are too large to import here: use `npm run tenants -- import` (docs/tenant-migration.md).",
    denied: "You may not import into this tenant.",
  },
  event: "lifecycle.console-import-failed",
  nothing: (upload) => (upload?.fields.mode === "dry-run" ? "Nothing was written." : "Nothing was imported."),
  run: async (caller, upload) => {
    const report = await importUpload(caller, { slug: upload.fields.tenant, dir: upload.dir, dryRun: upload.fields.mode === "dry-run" });
    // Name each file as it was named on the person's disk.
    const original = new Map(upload.files.map((f) => [f.storedName, f.name]));
    const named = (f: string) => original.get(f) ?? f;
    return { ...report, files: report.files.map(named), rejected: report.rejected.map((r) => ({ ...r, file: named(r.file) })) };
  },
});

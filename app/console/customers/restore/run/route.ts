// POST /customers/restore/run on the console host: restore an uploaded archive
// (an envelope: transfer key, parent, replace, then the file). Inspected whole
// first (a wrong key, a damaged or cut file is refused before anything else),
// then authorized against its manifest: tenants:provision on the parent it
// will hang under and, with replace, tenants:deprovision on every tenant of
// it that exists here; then restoreTenant, in one transaction. MSSP staff
// only (checked before the upload is accepted). The upload goes to a
// temporary file, deleted before the answer.
import { z } from "zod";
import { restoreUpload } from "@/lib/lifecycle/web/console-archive";
import { transferKeyField } from "@/lib/lifecycle/web/http";
import { uploadRoute } from "@/lib/lifecycle/web/upload-route";
import { tenantSlugSchema } from "@/lib/tenancy/slug";

const fields = z.object({
  transferKey: transferKeyField,
  /** Empty: where the root hangs now, else where it hung in the source. */
  parent: z.union([z.literal(""), tenantSlugSchema], { error: () => "Choose a parent from the list." }).optional(),
  replace: z.boolean({ error: () => "Replace is yes or no." }).optional(),
});

export const POST = uploadRoute({
  audit: "tenant.restore-requested",
  fields,
  files: { archive: { required: true, storeAs: () => "archive" } },
  messages: {
    crossSite: "Restore an archive from the Restore page in the console.",
    signedOut: "Your session has ended. Sign in again; nothing was restored.",
    tooLarge: "This archive is too large to restore here: use `npm run tenants -- restore` (docs/tenant-migration.md).",
    denied: "You may not restore this archive there.",
  },
  event: "lifecycle.console-restore-failed",
  nothing: () => "Nothing was restored.",
  run: (caller, upload) =>
    restoreUpload(caller, {
      file: upload.files[0].path,
      transferKey: upload.fields.transferKey,
      parentSlug: upload.fields.parent || null,
      replace: upload.fields.replace === true,
    }),
  wipe: (f) => f.transferKey.fill(0),
});

// POST /customers/restore/inspect on the console host: an uploaded archive
// (an envelope, lib/lifecycle/web/envelope.ts: the transfer key in its first
// line, then the file) read whole, without touching the database: every chunk
// authenticated, every section's checksum recomputed; answers the manifest.
// MSSP staff only (checked before the upload is accepted). The upload goes to
// a temporary file, deleted before the answer.
import { z } from "zod";
import { inspectUpload } from "@/lib/lifecycle/web/console-archive";
import { transferKeyField } from "@/lib/lifecycle/web/http";
import { uploadRoute } from "@/lib/lifecycle/web/upload-route";

export const POST = uploadRoute({
  audit: "tenant.restore-requested",
  fields: z.object({ transferKey: transferKeyField }),
  files: { archive: { required: true, storeAs: () => "archive" } },
  messages: {
    crossSite: "Inspect an archive from the Restore page in the console.",
    signedOut: "Your session has ended. Sign in again.",
    tooLarge: "This archive is too large to inspect here: use `npm run tenants -- inspect` (docs/tenant-migration.md).",
    denied: "You may not inspect archives here.",
  },
  event: "lifecycle.console-inspect-failed",
  nothing: () => "Nothing was changed.",
  run: (caller, upload) => inspectUpload(caller, { file: upload.files[0].path, transferKey: upload.fields.transferKey }),
  wipe: (fields) => fields.transferKey.fill(0),
});

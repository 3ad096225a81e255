// POST /customers/restore/inspect on the console host: an uploaded archive
// (an envelope, lib/lifecycle/web/envelope.ts: the transfer key in its first
// line, then the file) read whole, without touching the database: every chunk
// authenticated, every section's checksum recomputed; answers the manifest.
// MSSP staff only (checked before the upload is accepted). The upload goes to
// a temporary file, deleted before the answer.
import { z } from "zod";
import { getSessionUser } from "@/lib/auth/session";
import { inspectUpload, requireStaff } from "@/lib/lifecycle/web/console-archive";
import { errorResponse, jsonError, noStore, sameOrigin, transferKeyField } from "@/lib/lifecycle/web/http";
import { receiveUpload, type Upload } from "@/lib/lifecycle/web/upload";

const fields = z.object({ transferKey: transferKeyField });
const nothing = "Nothing was changed.";

export async function POST(request: Request) {
  if (!sameOrigin(request)) return jsonError(403, "Inspect an archive from the Restore page in the console.");
  const user = await getSessionUser();
  if (!user) return jsonError(401, "Your session has ended. Sign in again.");
  const caller = { userId: user.id, email: user.email, sessionId: user.sessionId };
  let upload: Upload<z.infer<typeof fields>> | undefined;
  try {
    await requireStaff(caller, "tenant.restore-requested");
    upload = await receiveUpload(request, {
      fields,
      files: { archive: { required: true, storeAs: () => "archive" } },
      tooLarge: "This archive is too large to inspect here: use `npm run tenants -- inspect` (docs/tenant-migration.md).",
    });
    const view = await inspectUpload(caller, { file: upload.files[0].path, transferKey: upload.fields.transferKey });
    return Response.json(view, { headers: noStore });
  } catch (error) {
    return errorResponse(error, { event: "lifecycle.console-inspect-failed", denied: "You may not inspect archives here.", nothing });
  } finally {
    upload?.fields.transferKey.fill(0);
    await upload?.cleanup();
  }
}

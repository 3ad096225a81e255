// POST /customers/restore/run on the console host: restore an uploaded archive
// (an envelope: transfer key, parent, replace, then the file). Inspected whole
// first (a wrong key, a damaged or cut file is refused before anything else),
// then authorized against its manifest: tenants:provision on the parent it
// will hang under and, with replace, tenants:deprovision on every tenant of
// it that exists here; then restoreTenant, in one transaction. MSSP staff
// only (checked before the upload is accepted). The upload goes to a
// temporary file, deleted before the answer.
import { z } from "zod";
import { getSessionUser } from "@/lib/auth/session";
import { requireStaff, restoreUpload } from "@/lib/lifecycle/web/console-archive";
import { errorResponse, jsonError, noStore, sameOrigin, transferKeyField } from "@/lib/lifecycle/web/http";
import { receiveUpload, type Upload } from "@/lib/lifecycle/web/upload";
import { tenantSlugSchema } from "@/lib/tenancy/slug";

const fields = z.object({
  transferKey: transferKeyField,
  /** Empty: where the root hangs now, else where it hung in the source. */
  parent: z.union([z.literal(""), tenantSlugSchema], { error: () => "Choose a parent from the list." }).optional(),
  replace: z.boolean({ error: () => "Replace is yes or no." }).optional(),
});
const nothing = "Nothing was restored.";

export async function POST(request: Request) {
  if (!sameOrigin(request)) return jsonError(403, "Restore an archive from the Restore page in the console.");
  const user = await getSessionUser();
  if (!user) return jsonError(401, "Your session has ended. Sign in again; nothing was restored.");
  const caller = { userId: user.id, email: user.email, sessionId: user.sessionId };
  let upload: Upload<z.infer<typeof fields>> | undefined;
  try {
    await requireStaff(caller, "tenant.restore-requested");
    upload = await receiveUpload(request, {
      fields,
      files: { archive: { required: true, storeAs: () => "archive" } },
      tooLarge: "This archive is too large to restore here: use `npm run tenants -- restore` (docs/tenant-migration.md).",
    });
    const view = await restoreUpload(caller, {
      file: upload.files[0].path,
      transferKey: upload.fields.transferKey,
      parentSlug: upload.fields.parent || null,
      replace: upload.fields.replace === true,
    });
    return Response.json(view, { headers: noStore });
  } catch (error) {
    return errorResponse(error, { event: "lifecycle.console-restore-failed", denied: "You may not restore this archive there.", nothing });
  } finally {
    upload?.fields.transferKey.fill(0);
    await upload?.cleanup();
  }
}

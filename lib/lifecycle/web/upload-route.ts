// The shape every console upload route shares (restore inspect/run, legacy
// import): same-origin check, a signed-in user, MSSP staff checked before a
// byte of the upload is accepted, the upload received into a temp directory,
// the work, one error mapping, and the temp directory always removed.
import type { z } from "zod";
import { getSessionUser } from "@/lib/auth/session";
import type { ArchiveCaller } from "./console-archive";
import { requireStaff } from "./console-archive";
import { errorResponse, jsonError, noStore, sameOrigin } from "./http";
import { receiveUpload, type FileSpec, type Upload } from "./upload";

export interface UploadRoute<F> {
  /** The audit action a refusal is recorded under. */
  audit: string;
  fields: z.ZodType<F>;
  files: Record<string, FileSpec>;
  messages: { crossSite: string; signedOut: string; tooLarge: string; denied: string };
  event: string;
  /** What the failure message adds ("Nothing was changed."), given what was received. */
  nothing: (upload: Upload<F> | undefined) => string;
  run: (caller: ArchiveCaller, upload: Upload<F>) => Promise<unknown>;
  /** Wipes secrets the fields carried (a transfer key) once the work is done. */
  wipe?: (fields: F) => void;
}

export function uploadRoute<F>(spec: UploadRoute<F>): (request: Request) => Promise<Response> {
  return async (request) => {
    if (!sameOrigin(request)) return jsonError(403, spec.messages.crossSite);
    const user = await getSessionUser();
    if (!user) return jsonError(401, spec.messages.signedOut);
    const caller = { userId: user.id, email: user.email, sessionId: user.sessionId };
    let upload: Upload<F> | undefined;
    try {
      await requireStaff(caller, spec.audit);
      upload = await receiveUpload(request, { fields: spec.fields, files: spec.files, tooLarge: spec.messages.tooLarge });
      return Response.json(await spec.run(caller, upload), { headers: noStore });
    } catch (error) {
      return errorResponse(error, { event: spec.event, denied: spec.messages.denied, nothing: spec.nothing(upload) });
    } finally {
      if (upload) spec.wipe?.(upload.fields);
      await upload?.cleanup();
    }
  };
}

import { z } from "zod";
import type { JobJson } from "@/lib/vault/rotation-page";

/** Both key actions take only the tenant; everything else comes from the session and the database. */
export const rotateKeySchema = z.object({ tenantId: z.string().uuid("Pick a tenant.") });

export interface QueuedRotation {
  jobId: string;
  tenantId: string;
  /** false: a rotation of this kind was already queued or running for the tenant, and this is it. */
  created: boolean;
  /** The job as the progress bar starts from. */
  job: JobJson;
}

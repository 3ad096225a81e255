// What each lifecycle command of `npm run tenants` does (scripts/tenants.ts
// parses the command line). Every change goes through lib/lifecycle in one
// service-role transaction with its audit row.
import { z } from "zod";
import { recordAudit } from "@/lib/audit/record";
import { withLifecycle } from "@/lib/lifecycle/service-path";
import type { Db } from "@/lib/db/with-tenant";
import { retryJob, type JobView } from "@/lib/jobs";
import { LifecycleRefusal } from "@/lib/lifecycle/errors";
import { moveTenant } from "@/lib/lifecycle/move";
import { cancelOffboarding, OFFBOARD_KIND, startOffboarding } from "@/lib/lifecycle/offboard";
import { provisionTenant, PROVISION_KIND } from "@/lib/lifecycle/provision";
import { offboardSchema, provisionSchema, suspendSchema } from "@/lib/lifecycle/schemas";
import { TENANT_STATUS_LABELS } from "@/lib/lifecycle/states";
import { resumeTenant, suspendTenant } from "@/lib/lifecycle/suspend";
import { findTenantBySlugForLifecycle, type LifecycleTenant } from "@/lib/lifecycle/tenant-row";

const VIA = { via: "npm run tenants" };

interface Helpers {
  followJob: (tenantId: string, jobId: string, kind: string) => Promise<JobView>;
  usage: (message?: string) => never;
}


async function tenantBySlug(db: Db, slug: string): Promise<LifecycleTenant> {
  const t = await findTenantBySlugForLifecycle(db, slug);
  if (!t) throw new LifecycleRefusal(`No tenant has the address "${slug}".`);
  return t;
}

function parsedOrExit<T>(schema: z.ZodType<T>, input: unknown, usage: Helpers["usage"]): T {
  const r = schema.safeParse(input);
  if (!r.success) usage(r.error.issues.map((i) => `${i.path.join(".") || "input"}: ${i.message}`).join("\n"));
  return r.data as T;
}

function finished(job: JobView): number {
  if (job.status === "succeeded") {
    console.log(`Done: ${JSON.stringify(job.result)}`);
    return 0;
  }
  console.error(`Failed: ${job.lastError ?? "no reason recorded"}. Fix the cause and run: npm run tenants -- retry <slug>`);
  return 1;
}

async function list(): Promise<number> {
  const rows = await withLifecycle(async (db) =>
    (
      await db.$client.query<{ slug: string; name: string; kind: string; status: keyof typeof TENANT_STATUS_LABELS; plan: string; depth: number }>(
        `select slug, name, kind, status, plan, extensions.nlevel(path) as depth from public.tenants order by path`,
      )
    ).rows,
  );
  for (const r of rows) {
    console.log(`${"  ".repeat(r.depth - 1)}${r.slug.padEnd(Math.max(1, 32 - 2 * (r.depth - 1)))} ${r.kind.padEnd(9)} ${TENANT_STATUS_LABELS[r.status].padEnd(13)} ${r.plan.padEnd(11)} ${r.name}`);
  }
  return 0;
}

export async function runTenantsCommand(command: string, slug: string | undefined, o: Record<string, string | undefined>, h: Helpers): Promise<number> {
  try {
    switch (command) {
      case "list":
        return await list();
      case "create": {
        if (!o.parent) h.usage("create needs --parent <slug>");
        const p = await withLifecycle(async (db) => {
          const parent = await tenantBySlug(db, o.parent!);
          const input = parsedOrExit(provisionSchema, { tenantId: parent.id, name: o.name, slug: o.slug, plan: o.plan, adminEmail: o["admin-email"] }, h.usage);
          const made = await provisionTenant(db, input, null);
          await recordAudit(db, { tenantId: parent.id, action: "tenant.provision-requested", targetType: "tenant", targetId: made.tenant.id, outcome: "success", details: { ...VIA, slug: made.tenant.slug, repeated: !made.created } });
          return made;
        });
        console.log(`${p.tenant.name} (${p.tenant.kind}, ${p.tenant.slug}) ${p.created ? "created" : "was already being provisioned"}; provisioning…`);
        console.log(`The first admin's invitation is emailed to ${p.invitationTo} once provisioning reaches that step (docs/email.md).`);
        return finished(await h.followJob(p.tenant.id, p.job.id, PROVISION_KIND));
      }
      case "suspend": {
        const change = await withLifecycle(async (db) => {
          const t = await tenantBySlug(db, slug!);
          const input = parsedOrExit(suspendSchema, { tenantId: t.id, reason: o.reason }, h.usage);
          const c = await suspendTenant(db, t.id, input.reason, null);
          await recordAudit(db, { tenantId: t.id, action: "tenant.suspended", targetType: "tenant", targetId: t.id, outcome: "success", details: { ...VIA, reason: input.reason, below: c.below } });
          return c;
        });
        console.log(`${change.tenant.name} suspended${change.below ? ` with ${change.below} tenant(s) below it` : ""}.`);
        return 0;
      }
      case "resume": {
        const change = await withLifecycle(async (db) => {
          const t = await tenantBySlug(db, slug!);
          const c = await resumeTenant(db, t.id, null);
          await recordAudit(db, { tenantId: t.id, action: "tenant.resumed", targetType: "tenant", targetId: t.id, outcome: "success", details: VIA });
          return c;
        });
        console.log(`${change.tenant.name} is active again.`);
        return 0;
      }
      case "offboard": {
        const started = await withLifecycle(async (db) => {
          const t = await tenantBySlug(db, slug!);
          const input = parsedOrExit(offboardSchema, { tenantId: t.id, confirmName: o.confirm, graceDays: o["grace-days"] }, h.usage);
          const s = await startOffboarding(db, input, null);
          await recordAudit(db, { tenantId: t.id, action: "tenant.offboarding-started", targetType: "tenant", targetId: t.id, outcome: "success", details: { ...VIA, grace_days: input.graceDays } });
          return s;
        });
        if (started.purgeAfter.getTime() > Date.now() + 1000) {
          console.log(`${started.tenant.name} is locked; its data is exported and removed after ${started.purgeAfter.toISOString()} (cancel-offboard until then).`);
          return 0;
        }
        return finished(await h.followJob(started.tenant.id, started.job.id, OFFBOARD_KIND));
      }
      case "cancel-offboard": {
        const t = await withLifecycle(async (db) => {
          const tenant = await tenantBySlug(db, slug!);
          const back = await cancelOffboarding(db, tenant.id, null);
          await recordAudit(db, { tenantId: tenant.id, action: "tenant.offboarding-cancelled", targetType: "tenant", targetId: tenant.id, outcome: "success", details: { ...VIA, back_to: back.status } });
          return back;
        });
        console.log(`Offboarding of ${t.name} called off; it is ${t.status}.`);
        return 0;
      }
      case "move": {
        if (!o.to) h.usage("move needs --to <parent-slug>");
        const m = await withLifecycle(async (db) => {
          const t = await tenantBySlug(db, slug!);
          const to = await tenantBySlug(db, o.to!);
          const moved = await moveTenant(db, t.id, to.id);
          const details = { ...VIA, from: moved.from.slug, to: moved.to.slug, cross_mssp: moved.crossMssp, subtree: moved.subtreeSize };
          await recordAudit(db, { tenantId: t.id, action: "tenant.moved", targetType: "tenant", targetId: t.id, outcome: "success", details });
          if (moved.crossMssp) await recordAudit(db, { tenantId: moved.from.rootId, action: "tenant.moved-out", targetType: "tenant", targetId: t.id, outcome: "success", details });
          return moved;
        });
        console.log(`${m.tenant.name} moved under ${m.to.name} (${m.subtreeSize} tenant(s))${m.crossMssp ? "; its keys were re-wrapped under the new MSSP's key" : ""}.`);
        return 0;
      }
      case "retry": {
        const r = await withLifecycle(async (db) => {
          const t = await tenantBySlug(db, slug!);
          const { rows } = await db.$client.query<{ id: string; kind: string }>(
            `select id, kind from public.jobs where tenant_id = $1 and kind = any($2::text[]) and status = 'failed' order by created_at desc limit 1`,
            [t.id, [PROVISION_KIND, OFFBOARD_KIND]],
          );
          if (!rows[0]) throw new LifecycleRefusal(`${t.name} has no failed workflow to retry.`);
          // The operator's command carries the workflow on as the system (as the commands queue theirs).
          await retryJob(db, t.id, rows[0].id, { userId: null });
          await recordAudit(db, { tenantId: t.id, action: "tenant.workflow-retried", targetType: "job", targetId: rows[0].id, outcome: "success", details: { ...VIA, job_kind: rows[0].kind } });
          return { tenant: t, job: rows[0] };
        });
        console.log(`Retrying ${r.job.kind} of ${r.tenant.name} from its failed step…`);
        return finished(await h.followJob(r.tenant.id, r.job.id, r.job.kind));
      }
      default:
        h.usage(`unknown command: ${command}`);
    }
  } catch (error) {
    if (error instanceof LifecycleRefusal) {
      console.error(`Refused: ${error.message}`);
      return 1;
    }
    throw error;
  }
}

// The plans a tenant can be provisioned on, and what each one buys in its
// Kubernetes namespace (lib/lifecycle/isolation/render.ts turns these sizes
// into a ResourceQuota and a LimitRange). One list for the UI, the command
// line and the renderer, so a plan's label and its quota never disagree.
// No imports from drizzle/: client components import this file.
import { z } from "zod";

export const PLAN_IDS = ["starter", "standard", "enterprise"] as const;
export const planSchema = z.enum(PLAN_IDS);
export type Plan = z.infer<typeof planSchema>;

/** What a new customer gets when nobody picks a plan. */
export const DEFAULT_PLAN: Plan = "standard";

/**
 * Quantities are Kubernetes quantity strings ("500m" CPU, "2Gi" memory), kept
 * as strings so they reach the manifest exactly as written here.
 */
export interface PlanSizes {
  /** ResourceQuota `spec.hard`: the namespace's total. */
  quota: {
    requestsCpu: string;
    limitsCpu: string;
    requestsMemory: string;
    limitsMemory: string;
    pods: number;
    persistentVolumeClaims: number;
    requestsStorage: string;
  };
  /** LimitRange per container: defaults for pods that set none, and a ceiling. */
  container: {
    defaultRequestCpu: string;
    defaultRequestMemory: string;
    defaultLimitCpu: string;
    defaultLimitMemory: string;
    maxCpu: string;
    maxMemory: string;
  };
}

export interface PlanInfo {
  id: Plan;
  label: string;
  description: string;
  sizes: PlanSizes;
}

// Sized for the tenant's collector and its helpers, not for arbitrary
// workloads. Each container default fits under its max, and each max fits
// under the namespace quota (tests/isolation-manifests.test.ts checks both).
export const PLANS: readonly PlanInfo[] = [
  {
    id: "starter",
    label: "Starter",
    description: "One small site: a single collector, up to 10 pods, 20 GiB of storage.",
    sizes: {
      quota: {
        requestsCpu: "1",
        limitsCpu: "2",
        requestsMemory: "2Gi",
        limitsMemory: "4Gi",
        pods: 10,
        persistentVolumeClaims: 2,
        requestsStorage: "20Gi",
      },
      container: {
        defaultRequestCpu: "100m",
        defaultRequestMemory: "128Mi",
        defaultLimitCpu: "500m",
        defaultLimitMemory: "512Mi",
        maxCpu: "1",
        maxMemory: "2Gi",
      },
    },
  },
  {
    id: "standard",
    label: "Standard",
    description: "A typical customer: several collectors, up to 30 pods, 100 GiB of storage.",
    sizes: {
      quota: {
        requestsCpu: "4",
        limitsCpu: "8",
        requestsMemory: "8Gi",
        limitsMemory: "16Gi",
        pods: 30,
        persistentVolumeClaims: 5,
        requestsStorage: "100Gi",
      },
      container: {
        defaultRequestCpu: "250m",
        defaultRequestMemory: "256Mi",
        defaultLimitCpu: "1",
        defaultLimitMemory: "1Gi",
        maxCpu: "2",
        maxMemory: "4Gi",
      },
    },
  },
  {
    id: "enterprise",
    label: "Enterprise",
    description: "Large estates: many collectors, up to 100 pods, 500 GiB of storage.",
    sizes: {
      quota: {
        requestsCpu: "16",
        limitsCpu: "32",
        requestsMemory: "32Gi",
        limitsMemory: "64Gi",
        pods: 100,
        persistentVolumeClaims: 20,
        requestsStorage: "500Gi",
      },
      container: {
        defaultRequestCpu: "500m",
        defaultRequestMemory: "512Mi",
        defaultLimitCpu: "2",
        defaultLimitMemory: "2Gi",
        maxCpu: "8",
        maxMemory: "16Gi",
      },
    },
  },
];

export function planInfo(plan: Plan): PlanInfo {
  const info = PLANS.find((p) => p.id === plan);
  // planSchema and PLANS list the same ids; this only fires if they drift.
  if (!info) throw new Error(`Unknown plan "${plan}"`);
  return info;
}

/**
 * The plan a new tenant starts on when none is chosen: a site inherits its
 * parent's (a site is sized like the customer it belongs to, like settings
 * and limits are inherited down the tree); a customer gets DEFAULT_PLAN.
 */
export function defaultPlanFor(tenant: { kind: "mssp" | "customer" | "site"; parentPlan?: Plan | null }): Plan {
  if (tenant.kind === "site" && tenant.parentPlan) return tenant.parentPlan;
  return DEFAULT_PLAN;
}

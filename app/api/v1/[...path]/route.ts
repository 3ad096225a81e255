// /api/v1/* on the console host and on tenant hosts: the gateway does the rest
// (lib/api/gateway: key, tenant, PDP, limits, JSON, problem documents).
import { apiHandler } from "@/lib/api/gateway";
import { API_ROUTES } from "@/lib/api/routes";

export const dynamic = "force-dynamic";

const handler = apiHandler(API_ROUTES);
export const GET = handler;
export const POST = handler;
export const PUT = handler;
export const PATCH = handler;
export const DELETE = handler;
export const HEAD = handler;
export const OPTIONS = handler;

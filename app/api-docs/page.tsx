// The tenant API's reference: public, the same on the console host and every
// tenant host (proxy.ts serves /api-docs without the host rewrite, like the
// sign-in page). It names no tenant and reads no data: it is the OpenAPI
// document (generated from the endpoints' zod schemas) as a page.
import type { Metadata } from "next";
import { ApiReference } from "@/components/api-docs/api-reference";
import { referenceModel } from "@/lib/api/openapi/reference";

export const metadata: Metadata = { title: "API reference" };

export default function ApiDocsPage() {
  return <ApiReference model={referenceModel()} />;
}

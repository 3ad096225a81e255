// The tenant API's reference: public, the same on the console host and every
// tenant host (proxy.ts serves /api-docs without the host rewrite, like the
// sign-in page). It names no tenant and reads no data: it is the OpenAPI
// document (generated from the endpoints' zod schemas) as a page.
import type { Metadata } from "next";
import { ApiReference } from "@/components/api-docs/api-reference";
import { referenceModel } from "@/lib/api/openapi/reference";
import { requestBrand } from "@/lib/branding/resolve";

export const metadata: Metadata = { title: "API reference" };

export default async function ApiDocsPage() {
  // Titled by the host's product name (lib/branding): a white-labelled tenant's host names no MSSP portal.
  const { productName } = await requestBrand();
  return <ApiReference model={{ ...referenceModel(), title: `${productName} tenant API` }} />;
}

import { BackToCustomers } from "@/components/lifecycle/back-to-customers";
import type { Metadata } from "next";
import { forbidden } from "next/navigation";
import { RestoreArchive } from "@/components/lifecycle/archive/restore-archive";
import { PageHeader } from "@/components/ui/page-header";
import { loadRestorePage } from "@/lib/lifecycle/web/access";
import { consolePage, isOperator } from "@/lib/tenancy/page-context";

export const metadata: Metadata = { title: "Restore an archive" };

export default async function ConsoleRestoreArchive() {
  const page = await consolePage("/customers/restore");
  // MSSP staff only; the PDP decides which MSSPs can take a restored customer.
  const data = await page.run(async (tx) => (isOperator(tx) ? loadRestorePage(tx) : null));
  if (!data) forbidden();
  return (
    <>
      <BackToCustomers />
      <PageHeader
        title="Restore an archive"
        description="Bring a customer and its sites back from a sealed archive: beside the live tenants, over one of them, or from another deployment."
      />
      <RestoreArchive parents={data.choices.map((c) => ({ slug: c.slug, name: c.name }))} pdpUnavailable={data.pdpUnavailable} timeZone={data.timeZone} />
    </>
  );
}

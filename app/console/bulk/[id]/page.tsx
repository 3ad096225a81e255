import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { RunView } from "@/components/bulk/run-view";
import { Notice, PageHeader } from "@/components/ui/page-header";
import { PdpUnavailable } from "@/components/ui/pdp-unavailable";
import { isPdpUnavailable } from "@/lib/authz";
import { loadRunPage } from "@/lib/bulk/page-data";
import { consolePage } from "@/lib/tenancy/page-context";

export const metadata: Metadata = { title: "Bulk run" };

type Props = { params: Promise<{ id: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> };

export default async function BulkRunPage(props: Props) {
  const { id } = await props.params;
  const sp = await props.searchParams;
  const page = await consolePage(`/bulk/${id}`);
  let data;
  try {
    data = await page.run((tx) => loadRunPage(tx, id, sp));
  } catch (error) {
    if (isPdpUnavailable(error)) return <PdpUnavailable />;
    throw error;
  }
  if (!data) notFound();
  return (
    <>
      <PageHeader title="Bulk run" actions={<a href="/bulk" className="rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm hover:bg-slate-100">All bulk runs</a>} />
      <Notice messages={data.problems} />
      <RunView data={data} />
    </>
  );
}

// The download routes' answers (both hosts): the file with its type and an
// attachment disposition, 409 while it is still being generated, 404 else.
import { NextResponse } from "next/server";
import type { ReportFile } from "./download";

export const noStore = { "Cache-Control": "no-store" };

export function fileResponse(file: ReportFile | "not-ready" | null): NextResponse {
  if (!file) return NextResponse.json({ error: "No such report." }, { status: 404, headers: noStore });
  if (file === "not-ready") return NextResponse.json({ error: "This report is not ready yet; try again when its status is Ready." }, { status: 409, headers: noStore });
  return new NextResponse(file.body as BodyInit, {
    headers: {
      ...noStore,
      "Content-Type": file.type,
      "Content-Disposition": `attachment; filename="${file.filename.replace(/[^A-Za-z0-9._-]/g, "_")}"`,
      "X-Content-Type-Options": "nosniff",
    },
  });
}

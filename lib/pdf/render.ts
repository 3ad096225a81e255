// The PDF renderer (a shared part: invoices, customer reports). pdfkit, a
// maintained pure-JavaScript library, rather than Chromium's print: it needs
// no browser on the app servers, renders in the request's process in
// milliseconds, and a document is data (lib/pdf/model.ts), so a tenant's text
// can never become markup or script.
//
// Layout: A4, a header with the brand (logo, product name, a rule in the
// primary colour), the title, then the blocks top to bottom; tables break
// across pages and repeat their header; every page gets a footer with
// "Page n of m".
import PDFDocument from "pdfkit";
import { pdfDocumentSchema, type PdfBlock, type PdfDocument } from "./model";
import { pdfSafe } from "./text";

type Doc = InstanceType<typeof PDFDocument>;

const MARGIN = 50;
const FOOTER_HEIGHT = 30;
const INK = "#0f172a";
const MUTED = "#64748b";
const RULE = "#e2e8f0";

export class PdfInputError extends Error {
  constructor(readonly issues: string[]) {
    super(`the PDF document is not valid: ${issues.join("; ")}`);
    this.name = "PdfInputError";
  }
}

/** Renders `input` to a PDF. Invalid input (a bad colour, an oversized table) throws PdfInputError before anything is drawn. */
export async function renderPdf(input: PdfDocument): Promise<Buffer> {
  const parsed = pdfDocumentSchema.safeParse(input);
  if (!parsed.success) throw new PdfInputError(parsed.error.issues.map((i) => `${i.path.join(".") || "document"}: ${i.message}`));
  const spec = parsed.data;
  const doc = new PDFDocument({
    size: "A4",
    margins: { top: MARGIN, left: MARGIN, right: MARGIN, bottom: MARGIN + FOOTER_HEIGHT },
    bufferPages: true,
    info: {
      Title: pdfSafe(spec.title),
      Author: pdfSafe(spec.brand.productName),
      Creator: pdfSafe(spec.brand.productName),
      CreationDate: spec.createdAt ?? new Date(),
    },
  });
  const chunks: Buffer[] = [];
  doc.on("data", (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on("end", () => resolve(Buffer.concat(chunks)));
    doc.on("error", reject);
  });

  header(doc, spec);
  for (const block of spec.blocks) drawBlock(doc, block, spec.brand.primaryColor);
  footers(doc, spec);
  doc.end();
  return done;
}

const contentWidth = (doc: Doc) => doc.page.width - doc.page.margins.left - doc.page.margins.right;
const bottomLimit = (doc: Doc) => doc.page.height - doc.page.margins.bottom;

/** Starts a new page unless `height` more points fit on this one. */
function ensureRoom(doc: Doc, height: number): boolean {
  if (doc.y + height <= bottomLimit(doc)) return false;
  doc.addPage();
  return true;
}

function header(doc: Doc, spec: PdfDocument) {
  const left = doc.page.margins.left;
  let nameX = left;
  if (spec.brand.logo) {
    try {
      doc.image(Buffer.from(spec.brand.logo), left, MARGIN - 6, { fit: [120, 30] });
      nameX = left + 130;
    } catch {
      // Not a PNG or JPEG pdfkit can read: the name alone, rather than no document.
    }
  }
  doc.font("Helvetica-Bold").fontSize(11).fillColor(INK).text(pdfSafe(spec.brand.productName), nameX, MARGIN + 4, { width: contentWidth(doc) - (nameX - left) });
  doc.rect(left, MARGIN + 30, contentWidth(doc), 2).fill(spec.brand.primaryColor);
  doc.font("Helvetica-Bold").fontSize(20).fillColor(INK).text(pdfSafe(spec.title), left, MARGIN + 46, { width: contentWidth(doc) });
  if (spec.subtitle) doc.moveDown(0.2).font("Helvetica").fontSize(11).fillColor(MUTED).text(pdfSafe(spec.subtitle), { width: contentWidth(doc) });
  doc.moveDown(1);
}

function drawBlock(doc: Doc, block: PdfBlock, primary: string) {
  const left = doc.page.margins.left;
  const width = contentWidth(doc);
  switch (block.kind) {
    case "heading": {
      ensureRoom(doc, 40);
      doc.moveDown(0.5).font("Helvetica-Bold").fontSize(13).fillColor(primary).text(pdfSafe(block.text), left, doc.y, { width });
      doc.moveDown(0.3);
      return;
    }
    case "text": {
      doc.font("Helvetica").fontSize(10).fillColor(block.muted ? MUTED : INK).text(pdfSafe(block.text, true), left, doc.y, { width });
      doc.moveDown(0.6);
      return;
    }
    case "keyValues": {
      const labelWidth = Math.round(width * 0.35);
      for (const [label, value] of block.rows) {
        const l = pdfSafe(label);
        const v = pdfSafe(value);
        doc.font("Helvetica").fontSize(10);
        const h = Math.max(doc.heightOfString(l, { width: labelWidth - 8 }), doc.heightOfString(v, { width: width - labelWidth })) + 4;
        ensureRoom(doc, h);
        const y = doc.y;
        doc.fillColor(MUTED).text(l, left, y, { width: labelWidth - 8 });
        doc.font("Helvetica-Bold").fillColor(INK).text(v, left + labelWidth, y, { width: width - labelWidth });
        doc.y = y + h;
      }
      doc.moveDown(0.6);
      return;
    }
    case "table":
      return drawTable(doc, block);
    case "bars":
      return drawBars(doc, block, primary);
  }
}

function drawTable(doc: Doc, block: Extract<PdfBlock, { kind: "table" }>) {
  const left = doc.page.margins.left;
  const width = contentWidth(doc);
  const weights = block.columns.map((c) => c.weight ?? 1);
  const total = weights.reduce((a, b) => a + b, 0);
  const widths = weights.map((w) => (w / total) * width);
  const pad = 4;

  const rowHeight = (cells: string[], bold: boolean) => {
    doc.font(bold ? "Helvetica-Bold" : "Helvetica").fontSize(9);
    return Math.max(12, ...cells.map((c, i) => doc.heightOfString(pdfSafe(c ?? ""), { width: widths[i] - 2 * pad }))) + 2 * pad;
  };
  const drawRow = (cells: string[], opts: { bold?: boolean; fill?: string; color?: string }) => {
    const h = rowHeight(cells, !!opts.bold);
    const y = doc.y;
    if (opts.fill) doc.rect(left, y, width, h).fill(opts.fill);
    let x = left;
    doc.font(opts.bold ? "Helvetica-Bold" : "Helvetica").fontSize(9).fillColor(opts.color ?? INK);
    block.columns.forEach((col, i) => {
      doc.text(pdfSafe(cells[i] ?? ""), x + pad, y + pad, { width: widths[i] - 2 * pad, align: col.align ?? "left" });
      x += widths[i];
    });
    doc.moveTo(left, y + h).lineTo(left + width, y + h).lineWidth(0.5).strokeColor(RULE).stroke();
    doc.x = left;
    doc.y = y + h;
  };
  const headerCells = block.columns.map((c) => c.label);
  const drawHeader = () => drawRow(headerCells, { bold: true, fill: "#f1f5f9", color: MUTED });

  ensureRoom(doc, rowHeight(headerCells, true) + 24);
  drawHeader();
  if (block.rows.length === 0) {
    doc.font("Helvetica").fontSize(9).fillColor(MUTED).text("No rows.", left + pad, doc.y + pad, { width });
    doc.moveDown(0.6);
    return;
  }
  for (const row of block.rows) {
    // A row that would cross the foot starts a new page, under a repeated header.
    if (ensureRoom(doc, rowHeight(row, false))) drawHeader();
    drawRow(row, {});
  }
  if (block.footer) {
    if (ensureRoom(doc, rowHeight(block.footer, true))) drawHeader();
    drawRow(block.footer, { bold: true });
  }
  doc.moveDown(0.8);
}

function drawBars(doc: Doc, block: Extract<PdfBlock, { kind: "bars" }>, primary: string) {
  const left = doc.page.margins.left;
  const width = contentWidth(doc);
  const labelWidth = Math.round(width * 0.3);
  const valueWidth = 70;
  const barMax = width - labelWidth - valueWidth - 8;
  const max = Math.max(0, ...block.rows.map((r) => r.value));
  ensureRoom(doc, 24 + Math.min(block.rows.length, 5) * 16);
  doc.font("Helvetica-Bold").fontSize(10).fillColor(INK).text(pdfSafe(block.title), left, doc.y, { width });
  doc.moveDown(0.3);
  if (block.rows.length === 0) {
    doc.font("Helvetica").fontSize(9).fillColor(MUTED).text("No data for this period.", left, doc.y, { width });
    doc.moveDown(0.6);
    return;
  }
  for (const r of block.rows) {
    ensureRoom(doc, 16);
    const y = doc.y;
    doc.font("Helvetica").fontSize(9).fillColor(INK).text(pdfSafe(r.label), left, y + 2, { width: labelWidth - 6, lineBreak: false, ellipsis: true });
    const w = max > 0 ? Math.max(1, (r.value / max) * barMax) : 1;
    doc.rect(left + labelWidth, y + 2, w, 10).fill(primary);
    const value = `${r.value.toLocaleString("en")}${block.unit ? ` ${pdfSafe(block.unit)}` : ""}`;
    doc.font("Helvetica").fontSize(9).fillColor(MUTED).text(value, left + labelWidth + w + 6, y + 2, { width: valueWidth, lineBreak: false });
    doc.x = left;
    doc.y = y + 16;
  }
  doc.moveDown(0.6);
}

function footers(doc: Doc, spec: PdfDocument) {
  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    // Writing inside the bottom margin would make pdfkit add a page: lift it while drawing the foot.
    const bottom = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    const y = doc.page.height - MARGIN - 10;
    const left = doc.page.margins.left;
    const width = contentWidth(doc);
    doc.font("Helvetica").fontSize(8).fillColor(MUTED);
    if (spec.footer) doc.text(pdfSafe(spec.footer), left, y, { width: width - 90, lineBreak: false, ellipsis: true });
    doc.text(`Page ${i - range.start + 1} of ${range.count}`, left + width - 90, y, { width: 90, align: "right", lineBreak: false });
    doc.page.margins.bottom = bottom;
  }
}

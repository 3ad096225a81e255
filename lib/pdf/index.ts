// The PDF renderer, a shared part: build a PdfDocument (model.ts), get bytes.
export { renderPdf, PdfInputError } from "./render";
export { pdfSafe } from "./text";
export type { PdfBlock, PdfBrand, PdfDocument } from "./model";

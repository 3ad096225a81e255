// What a PDF says, as data: the documents the portal renders (invoices,
// customer reports) are built as a title, a brand and a list of blocks, and
// lib/pdf/render.ts lays them out. Callers never draw; one layout for every
// document keeps them consistent and keeps pdfkit's API in one module.
import { z } from "zod";

const hexColor = z
  .string()
  .regex(/^#[0-9a-fA-F]{6}$/, "a colour is #rrggbb, e.g. #4f46e5");

export const pdfBrandSchema = z.object({
  /** Shown in the header and as the document's author (the MSSP's, or the white-label, name). */
  productName: z.string().min(1).max(80),
  /** Header rule, headings and chart bars. */
  primaryColor: hexColor,
  /** A PNG or JPEG logo for the header (pdfkit draws no SVG: rasterise first). */
  logo: z.instanceof(Uint8Array).optional(),
});

const cell = z.string().max(2000);

export const pdfBlockSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("heading"), text: z.string().min(1).max(200) }),
  z.object({ kind: z.literal("text"), text: z.string().max(20_000), muted: z.boolean().optional() }),
  z.object({
    kind: z.literal("keyValues"),
    rows: z.array(z.tuple([cell, cell])).max(200),
  }),
  z.object({
    kind: z.literal("table"),
    columns: z
      .array(z.object({ label: z.string().max(80), align: z.enum(["left", "right"]).optional(), weight: z.number().positive().max(10).optional() }))
      .min(1)
      .max(12),
    rows: z.array(z.array(cell)).max(50_000),
    /** A last, bold row (totals). */
    footer: z.array(cell).optional(),
  }),
  z.object({
    kind: z.literal("bars"),
    title: z.string().max(200),
    rows: z.array(z.object({ label: z.string().max(80), value: z.number().finite().nonnegative() })).max(40),
    unit: z.string().max(20).optional(),
  }),
]);

export const pdfDocumentSchema = z.object({
  title: z.string().min(1).max(200),
  subtitle: z.string().max(300).optional(),
  brand: pdfBrandSchema,
  blocks: z.array(pdfBlockSchema).max(500),
  /** Printed at the foot of every page beside "Page n of m". */
  footer: z.string().max(200).optional(),
  /** The document's creation date (metadata); fixed in tests for stable output. */
  createdAt: z.date().optional(),
});

export type PdfBrand = z.infer<typeof pdfBrandSchema>;
export type PdfBlock = z.infer<typeof pdfBlockSchema>;
export type PdfDocument = z.infer<typeof pdfDocumentSchema>;

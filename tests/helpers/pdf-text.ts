// Reads back what a PDF from lib/pdf shows, for tests: inflates each content
// stream and decodes the strings of its text operators (pdfkit writes the
// standard fonts' text as hex strings in TJ arrays, in WinAnsi). One string
// per text operator, page by page. Not a general PDF parser.
import { inflateSync } from "node:zlib";

const WIN_ANSI_HIGH: Record<number, string> = { 0x80: "€", 0x85: "…", 0x91: "‘", 0x92: "’", 0x93: "“", 0x94: "”", 0x95: "•", 0x96: "–", 0x97: "—", 0x99: "™" };

function decodeHex(hex: string): string {
  let out = "";
  for (let i = 0; i + 1 < hex.length; i += 2) {
    const code = parseInt(hex.slice(i, i + 2), 16);
    out += WIN_ANSI_HIGH[code] ?? String.fromCharCode(code);
  }
  return out;
}

/** The content streams' text, one entry per TJ/Tj operator, in document order. */
export function pdfTextRuns(pdf: Buffer): string[] {
  const runs: string[] = [];
  const raw = pdf.toString("latin1");
  const streamRe = /(?<!end)stream\r?\n/g;
  let m: RegExpExecArray | null;
  while ((m = streamRe.exec(raw))) {
    const start = m.index + m[0].length;
    const end = raw.indexOf("endstream", start);
    if (end < 0) break;
    const bytes = pdf.subarray(start, end);
    let content: string;
    try {
      content = inflateSync(bytes).toString("latin1");
    } catch {
      content = bytes.toString("latin1");
    }
    for (const op of content.matchAll(/\[([^\]]*)\]\s*TJ|<([0-9a-fA-F]*)>\s*Tj/g)) {
      const body = op[1] ?? `<${op[2]}>`;
      runs.push([...body.matchAll(/<([0-9a-fA-F]*)>/g)].map((h) => decodeHex(h[1])).join(""));
    }
    streamRe.lastIndex = end + "endstream".length;
  }
  return runs;
}

/** The number of pages (page objects) in the document. */
export function pdfPageCount(pdf: Buffer): number {
  return (pdf.toString("latin1").match(/\/Type\s*\/Page\b/g) ?? []).length;
}

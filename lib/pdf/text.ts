// The renderer uses PDF's standard fonts (Helvetica), which need no font file
// on the server but only cover Windows-1252. Anything else is shown as "?"
// rather than as a wrong glyph; tenant-supplied names in other scripts need an
// embedded font (a documented limit, docs/pdf.md).
const CP1252_EXTRA = "€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ";

function printable(ch: string): boolean {
  const code = ch.codePointAt(0)!;
  if (code >= 0x20 && code <= 0x7e) return true;
  if (code >= 0xa0 && code <= 0xff) return true;
  return CP1252_EXTRA.includes(ch);
}

/** Text the standard fonts can draw: unsupported characters become "?", control characters go (newlines stay when `multiline`). */
export function pdfSafe(text: string, multiline = false): string {
  let out = "";
  for (const ch of text.normalize("NFC")) {
    if (ch === "\n" && multiline) out += ch;
    else if (ch === "\t") out += " ";
    else if (printable(ch)) out += ch;
    else if ((ch.codePointAt(0)! < 0x20 || ch.codePointAt(0) === 0x7f) && ch !== "\n") continue;
    else out += ch === "\n" ? " " : "?";
  }
  return out;
}

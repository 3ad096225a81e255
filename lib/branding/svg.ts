// The SVG sanitiser for uploaded logos: a strict allowlist, not a blocklist.
// The file is parsed as XML (htmlparser2, xmlMode) and rebuilt from scratch:
// only the elements and attributes listed below survive, every value is
// re-escaped on output, and what could run code or fetch something is gone:
// scripts, event handlers, foreignObject, animation (animate/set can write
// javascript: into an href), <image>/<a>/<style>, filters (feImage), any
// reference that is not a local "#id" (href, xlink:href, url(...) in paint
// or style), javascript:/data: anywhere, namespaced elements. A DOCTYPE or
// entity declaration (XXE, billion laughs) refuses the whole file.
// The route serving the result adds a CSP that forbids scripts anyway.
import { parseDocument } from "htmlparser2";
import type { ChildNode, Element } from "domhandler";

export class SvgRejected extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SvgRejected";
  }
}

const SVG_NS = "http://www.w3.org/2000/svg";
const XLINK_NS = "http://www.w3.org/1999/xlink";

const ELEMENTS = new Set([
  "svg", "g", "path", "rect", "circle", "ellipse", "line", "polyline", "polygon", "text", "tspan", "defs",
  "linearGradient", "radialGradient", "stop", "clipPath", "mask", "title", "desc", "symbol", "use",
]);

const ATTRIBUTES = new Set([
  "id", "d", "x", "y", "x1", "y1", "x2", "y2", "cx", "cy", "r", "rx", "ry", "fx", "fy", "dx", "dy", "width", "height",
  "viewBox", "preserveAspectRatio", "points", "transform", "fill", "fill-opacity", "fill-rule", "stroke", "stroke-width",
  "stroke-linecap", "stroke-linejoin", "stroke-opacity", "stroke-dasharray", "stroke-dashoffset", "stroke-miterlimit",
  "opacity", "offset", "stop-color", "stop-opacity", "gradientUnits", "gradientTransform", "spreadMethod", "clip-path",
  "clip-rule", "clipPathUnits", "mask", "maskUnits", "maskContentUnits", "font-family", "font-size", "font-weight", "font-style",
  "text-anchor", "dominant-baseline", "letter-spacing", "visibility", "display", "version", "role", "aria-label", "aria-hidden",
  "style", "href", "xlink:href", "xml:space",
]);

/** Values that point somewhere: only "#id" (a fragment of this same document). */
const LOCAL_REF = /^#[A-Za-z_][\w.-]{0,100}$/;
const DANGEROUS = /(javascript|vbscript|data)\s*:|expression\s*\(|@import|behavior\s*:|-moz-binding|<|>/i;

/** url(...) in a value: each must be url(#id). */
function urlsAreLocal(value: string): boolean {
  const re = /url\s*\(\s*(['"]?)(.*?)\1\s*\)/gi;
  let m: RegExpExecArray | null;
  while ((m = re.exec(value))) if (!LOCAL_REF.test(m[2])) return false;
  // An unbalanced "url(" the regex did not match is refused too.
  return (value.match(/url\s*\(/gi)?.length ?? 0) === (value.match(/url\s*\(\s*(['"]?).*?\1\s*\)/gi)?.length ?? 0);
}

function cleanStyle(value: string): string | null {
  // CSS escapes (\6a avascript) and comments could hide anything: refuse them outright.
  if (/[\\]|\/\*/.test(value)) return null;
  if (!/^[\w\s:;#.,%()'"+-]*$/.test(value)) return null;
  if (!urlsAreLocal(value)) return null;
  return value;
}

function cleanAttribute(element: string, name: string, raw: string): string | null {
  if (!ATTRIBUTES.has(name)) return null;
  const value = raw.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, "");
  // Entity- or whitespace-obfuscated schemes: compare without whitespace.
  if (DANGEROUS.test(value) || DANGEROUS.test(value.replace(/\s+/g, ""))) return null;
  if (name === "href" || name === "xlink:href") return LOCAL_REF.test(value.trim()) ? value.trim() : null;
  if (name === "style") return cleanStyle(value);
  if (name === "id") return /^[A-Za-z_][\w.-]{0,100}$/.test(value) ? value : null;
  if (/url\s*\(/i.test(value) && !urlsAreLocal(value)) return null;
  if (element === "svg" && (name === "width" || name === "height") && !/^\s*[\d.]+(px|%)?\s*$/.test(value)) return null;
  return value;
}

const escapeText = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
const escapeAttr = (s: string) => escapeText(s).replace(/"/g, "&quot;").replace(/'/g, "&#39;");

function render(node: ChildNode, out: string[], depth: number): void {
  if (depth > 64) throw new SvgRejected("The SVG is nested too deeply (more than 64 levels).");
  if (node.type === "text") {
    out.push(escapeText(node.data));
    return;
  }
  if (node.type !== "tag") return; // comments, CDATA, processing instructions, <script>/<style> nodes of the parser: dropped
  const el = node as Element;
  if (!ELEMENTS.has(el.name)) return; // with everything inside it
  const attrs: string[] = [];
  for (const [name, value] of Object.entries(el.attribs)) {
    const v = cleanAttribute(el.name, name, value);
    if (v !== null) attrs.push(`${name}="${escapeAttr(v)}"`);
  }
  // <use> that pointed outside this file (href removed above) renders nothing useful: drop it.
  if (el.name === "use" && !attrs.some((a) => a.startsWith("href=") || a.startsWith("xlink:href="))) return;
  if (depth === 0) {
    attrs.unshift(`xmlns="${SVG_NS}"`);
    if (attrs.some((a) => a.startsWith("xlink:href="))) attrs.splice(1, 0, `xmlns:xlink="${XLINK_NS}"`);
  }
  out.push(`<${el.name}${attrs.length ? " " + attrs.join(" ") : ""}>`);
  for (const child of el.children) render(child, out, depth + 1);
  out.push(`</${el.name}>`);
}

/** Whether the text looks like an SVG document at all (before sanitising). */
export function looksLikeSvg(text: string): boolean {
  const head = text.replace(/^\uFEFF/, "").trimStart().slice(0, 4096);
  // A DOCTYPE naming svg is an SVG, refused with its own message by sanitizeSvg.
  if (/^(<\?xml[^>]*\?>\s*)?<!DOCTYPE\s+svg/i.test(head)) return true;
  return /^(<\?xml[^>]*\?>\s*)?(<!--[\s\S]*?-->\s*)*(<!DOCTYPE[^>]*>\s*)?<svg[\s>]/i.test(head);
}

/** The sanitised SVG document (UTF-8 text), or SvgRejected with the reason. */
export function sanitizeSvg(text: string): string {
  if (text.includes("\u0000")) throw new SvgRejected("The SVG contains binary data (a NUL byte): not a plain SVG file.");
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) throw new SvgRejected("SVG files with a DOCTYPE or entity declarations are not accepted (save it as a plain SVG).");
  const doc = parseDocument(text, { xmlMode: true, decodeEntities: true, recognizeCDATA: true });
  const roots = doc.children.filter((n): n is Element => n.type === "tag");
  if (roots.length !== 1 || roots[0].name !== "svg") throw new SvgRejected("Not an SVG image: the file must have a single <svg> root element.");
  // Text outside the root (a polyglot's HTML or script after </svg>) refuses the file.
  if (doc.children.some((n) => n.type === "text" && n.data.trim() !== "")) throw new SvgRejected("The file has content outside its <svg> element (a polyglot?).");
  const out: string[] = [];
  render(roots[0], out, 0);
  return out.join("");
}

/** Width and height of a (sanitised) SVG from its width/height or viewBox; 512 when it gives neither. */
export function svgSize(svg: string): { width: number; height: number } {
  const root = parseDocument(svg, { xmlMode: true }).children.find((n): n is Element => n.type === "tag");
  const num = (v: string | undefined) => (v && /^\s*[\d.]+(px)?\s*$/.test(v) ? Math.ceil(parseFloat(v)) : NaN);
  let width = num(root?.attribs.width);
  let height = num(root?.attribs.height);
  const vb = root?.attribs.viewBox?.trim().split(/[\s,]+/).map(Number);
  if ((!(width > 0) || !(height > 0)) && vb && vb.length === 4 && vb.every(Number.isFinite)) {
    width = Math.ceil(vb[2]);
    height = Math.ceil(vb[3]);
  }
  return { width: width > 0 ? width : 512, height: height > 0 ? height : 512 };
}

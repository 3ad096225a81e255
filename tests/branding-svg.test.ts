// The logo checks (lib/branding/svg.ts, image.ts), no database: the SVG
// sanitiser against a corpus of known SVG XSS payloads (nothing executable or
// external survives, and what is harmless stays), and raster uploads judged
// by their bytes: too big, not an image, wrong claims, polyglots, oversize
// pixel counts — each refused with a clear message.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { describe, test } from "node:test";
import { deflateSync } from "node:zlib";
import sharp from "sharp";
import { checkBrandImage, ImageRejected, MAX_UPLOAD_BYTES } from "@/lib/branding/image";
import { sanitizeSvg, SvgRejected } from "@/lib/branding/svg";
import { chunk, png } from "./helpers/brand-images";

const wrap = (inner: string, attrs = "") => `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"${attrs} viewBox="0 0 10 10">${inner}</svg>`;

/** Known SVG XSS / exfiltration payloads (OWASP XSS cheat sheet, HTML5 Security Cheatsheet, DOMPurify's test corpus, public bug reports). */
const PAYLOADS: Array<[string, string]> = [
  ["script element", wrap(`<script>alert(1)</script>`)],
  ["script with xlink src", wrap(`<script xlink:href="https://evil.test/x.js"/>`)],
  ["CDATA script", wrap(`<script><![CDATA[alert(1)]]></script>`)],
  ["onload on root", `<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="1" height="1"/></svg>`],
  ["onclick on a shape", wrap(`<rect width="5" height="5" onclick="alert(1)"/>`)],
  ["onmouseover mixed case", wrap(`<circle r="3" OnMouseOver="alert(1)"/>`)],
  ["onbegin on animate", wrap(`<animate onbegin="alert(1)" attributeName="x" dur="1s"/>`)],
  ["a xlink:href javascript:", wrap(`<a xlink:href="javascript:alert(1)"><rect width="5" height="5"/></a>`)],
  ["a href javascript: entity-encoded", wrap(`<a href="&#106;avascript:alert(1)"><text>x</text></a>`)],
  ["use href javascript", wrap(`<use href="javascript:alert(1)"/>`)],
  ["use external file", wrap(`<use xlink:href="https://evil.test/sprite.svg#icon"/>`)],
  ["use data: URI svg with script", wrap(`<use href="data:image/svg+xml;base64,PHN2ZyBpZD0neCcgeG1sbnM9J2h0dHA6Ly93d3cudzMub3JnLzIwMDAvc3ZnJz48c2NyaXB0PmFsZXJ0KDEpPC9zY3JpcHQ+PC9zdmc+#x"/>`)],
  ["foreignObject HTML", wrap(`<foreignObject width="10" height="10"><body xmlns="http://www.w3.org/1999/xhtml"><iframe src="javascript:alert(1)"></iframe></body></foreignObject>`)],
  ["foreignObject img onerror", wrap(`<foreignObject><img xmlns="http://www.w3.org/1999/xhtml" src="x" onerror="alert(1)"/></foreignObject>`)],
  ["animate href to javascript", wrap(`<a><animate attributeName="href" values="javascript:alert(1)"/><text x="1" y="5">click</text></a>`)],
  ["set href to javascript", wrap(`<a><set attributeName="xlink:href" to="javascript:alert(1)"/><rect width="5" height="5"/></a>`)],
  ["animate on use href", wrap(`<use href="#a"><animate attributeName="href" from="#a" to="data:image/svg+xml,x"/></use><g id="a"/>`)],
  ["style element @import", wrap(`<style>@import url(https://evil.test/x.css);</style><rect width="1" height="1"/>`)],
  ["style element url() background", wrap(`<style>rect{fill:url(https://evil.test/track)}</style><rect width="1" height="1"/>`)],
  ["style attribute url()", wrap(`<rect width="1" height="1" style="fill:url(https://evil.test/t)"/>`)],
  ["style attribute CSS escape", wrap(`<rect width="1" height="1" style="background:u\\72l(https://evil.test/t)"/>`)],
  ["style attribute expression", wrap(`<rect width="1" height="1" style="width:expression(alert(1))"/>`)],
  ["fill url() external", wrap(`<rect width="1" height="1" fill="url(https://evil.test/p.svg#g)"/>`)],
  ["image element external", wrap(`<image href="https://evil.test/track.png" width="1" height="1"/>`)],
  ["image element data URI", wrap(`<image xlink:href="data:image/svg+xml;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==" width="1" height="1"/>`)],
  ["filter feImage external", wrap(`<filter id="f"><feImage href="https://evil.test/x.png"/></filter><rect filter="url(#f)" width="1" height="1"/>`)],
  ["iframe inside svg", wrap(`<iframe src="https://evil.test"/>`)],
  ["namespaced html script", wrap(`<html:script xmlns:html="http://www.w3.org/1999/xhtml">alert(1)</html:script>`)],
  ["svg-prefixed script", `<svg:svg xmlns:svg="http://www.w3.org/2000/svg"><svg:script>alert(1)</svg:script></svg:svg>`],
  ["uppercase SCRIPT", wrap(`<SCRIPT>alert(1)</SCRIPT>`)],
  ["handler with tab/newline in scheme", wrap(`<a href="java\tscript:alert(1)"><rect width="1" height="1"/></a>`)],
  ["vbscript", wrap(`<a href="vbscript:msgbox(1)"><rect width="1" height="1"/></a>`)],
  ["xml-stylesheet processing instruction", `<?xml-stylesheet href="https://evil.test/x.xsl" type="text/xsl"?>` + wrap(`<rect width="1" height="1"/>`)],
  ["text that looks like markup", wrap(`<text x="0" y="5">&lt;script&gt;alert(1)&lt;/script&gt;</text>`)],
  ["attribute breaking out with quotes", wrap(`<rect width="1" height="1" id="a&quot; onload=&quot;alert(1)"/>`)],
];

const FORBIDDEN = [/<script/i, /\son\w+\s*=/i, /javascript:/i, /vbscript:/i, /data:/i, /foreignObject/i, /<image/i, /<a[\s>]/, /<style/i, /@import/i, /evil\.test/i, /<animate/i, /<set[\s>]/, /<iframe/i, /feImage/i, /expression\(/i, /xml-stylesheet/i];

describe("SVG sanitiser against known payloads", () => {
  for (const [name, payload] of PAYLOADS) {
    test(name, () => {
      let out: string;
      try {
        out = sanitizeSvg(payload);
      } catch (error) {
        assert.ok(error instanceof SvgRejected, `refused with a message, not ${String(error)}`);
        return;
      }
      for (const re of FORBIDDEN) assert.doesNotMatch(out, re, `${name}: ${re} survived in ${out}`);
      assert.match(out, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    });
  }

  test("DOCTYPE and entities (XXE, billion laughs) refuse the file", () => {
    const xxe = `<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]><svg xmlns="http://www.w3.org/2000/svg"><text>&x;</text></svg>`;
    const laughs = `<!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><svg xmlns="http://www.w3.org/2000/svg"><text>&b;</text></svg>`;
    for (const x of [xxe, laughs]) assert.throws(() => sanitizeSvg(x), (e) => e instanceof SvgRejected && /DOCTYPE/.test(e.message));
  });

  test("an SVG/HTML polyglot (content after the root) is refused", () => {
    assert.throws(() => sanitizeSvg(wrap(`<rect width="1" height="1"/>`) + `<html><script>alert(1)</script></html>`), SvgRejected);
  });

  test("a harmless logo keeps its shapes, gradients, local references and text", () => {
    const logo = wrap(
      `<defs><linearGradient id="g"><stop offset="0" stop-color="#123456"/></linearGradient><clipPath id="c"><rect width="10" height="10"/></clipPath></defs>` +
        `<g clip-path="url(#c)"><path d="M0 0L10 10" stroke="#000" fill="url(#g)"/><use href="#g"/></g><text x="1" y="9" font-family="Arial">Acme &amp; Co</text>`,
    );
    const out = sanitizeSvg(logo);
    for (const keep of ['<linearGradient id="g">', 'fill="url(#g)"', 'clip-path="url(#c)"', '<use href="#g">', "Acme &amp; Co", 'viewBox="0 0 10 10"']) assert.ok(out.includes(keep), `${keep} kept in ${out}`);
  });
});

// --- raster and upload checks ---------------------------------------------------

function jpeg(w: number, h: number, trailing = Buffer.alloc(0), comment?: string): Buffer {
  const sof = Buffer.from([0xff, 0xc0, 0x00, 0x11, 0x08, h >> 8, h & 255, w >> 8, w & 255, 0x03, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]);
  const com = comment ? Buffer.concat([Buffer.from([0xff, 0xfe, 0, comment.length + 2]), Buffer.from(comment, "latin1")]) : Buffer.alloc(0);
  const sos = Buffer.from([0xff, 0xda, 0x00, 0x0c, 0x03, 1, 0, 2, 0x11, 3, 0x11, 0, 0x3f, 0]);
  return Buffer.concat([Buffer.from([0xff, 0xd8]), com, sof, sos, Buffer.from([0x12, 0x34, 0x56]), Buffer.from([0xff, 0xd9]), trailing]);
}

const rejected = (bytes: Buffer, message: RegExp) =>
  assert.throws(() => checkBrandImage(bytes), (e) => e instanceof ImageRejected && message.test(e.message), `expected ${message}`);

describe("uploads are judged by their bytes", () => {
  test("a valid PNG, JPEG and SVG pass with their size and a content hash", () => {
    const p = checkBrandImage(png(120, 40));
    assert.deepEqual([p.contentType, p.width, p.height], ["image/png", 120, 40]);
    assert.match(p.sha256, /^[0-9a-f]{64}$/);
    const j = checkBrandImage(jpeg(300, 100));
    assert.deepEqual([j.contentType, j.width, j.height], ["image/jpeg", 300, 100]);
    const s = checkBrandImage(Buffer.from(wrap(`<rect width="10" height="10" fill="#123456"/>`)));
    assert.deepEqual([s.contentType, s.width, s.height], ["image/svg+xml", 10, 10]);
  });
  test("too big", () => rejected(Buffer.concat([png(10, 10), Buffer.alloc(MAX_UPLOAD_BYTES)]), /KiB; at most 512 KiB/));
  test("empty", () => rejected(Buffer.alloc(0), /empty/));
  test("not an image (a PDF, HTML, a GIF, a ZIP named .png)", () => {
    for (const b of ["%PDF-1.7\n...", "<html><script>alert(1)</script></html>", "GIF89a\x01\x00\x01\x00", "PK\x03\x04rest"]) rejected(Buffer.from(b, "latin1"), /Not a PNG, JPEG or SVG/);
  });
  test("too many pixels (header says 20000×20000)", () => rejected(png(20000, 1), /at most 4096×4096/));
  test("PNG with HTML after IEND (polyglot)", () => rejected(png(4, 4, { trailing: Buffer.from("<html><script>alert(1)</script>") }), /data after its end/));
  test("PNG with a script in a text chunk (polyglot)", () => rejected(png(4, 4, { extra: [chunk("tEXt", Buffer.from("Comment\0<script>alert(1)</script>"))] }), /polyglot/));
  test("PNG/ZIP polyglot", () => rejected(png(4, 4, { extra: [chunk("zIPx", Buffer.from("PK\x03\x04payload", "latin1"))] }), /polyglot/));
  test("JPEG with data after EOI (GIFAR-style)", () => rejected(jpeg(10, 10, Buffer.from("PK\x03\x04zip", "latin1")), /end marker/));
  test("JPEG with HTML in a comment", () => rejected(jpeg(10, 10, Buffer.alloc(0), "<svg onload=alert(1)>"), /polyglot/));
  test("truncated PNG", () => rejected(png(4, 4).subarray(0, 40), /truncated|damaged/));
  test("SVG with a script is stored without it", () => {
    const s = checkBrandImage(Buffer.from(wrap(`<script>alert(1)</script><rect width="1" height="1"/>`)));
    assert.doesNotMatch(s.bytes.toString(), /script/);
  });
  test("SVG with a DOCTYPE is refused", () => rejected(Buffer.from(`<!DOCTYPE svg><svg xmlns="http://www.w3.org/2000/svg"/>`), /DOCTYPE/));
});

// --- pixel data is not scanned for markup -------------------------------------------
// Compressed pixel data looks random, and random bytes hold a two-byte pattern like "<%" in most
// files of 100 KiB: a noisy logo was refused at random as a "polyglot". Only what is not pixel data
// (PNG ancillary chunks, JPEG segments) is looked at; what follows the end marker stays refused.

/** A truecolour PNG of random pixels (filter 0 on every row), about `kib` KiB: deflate cannot shrink noise. */
function noisePng(kib: number, extra: Buffer[] = []): Buffer {
  const side = Math.max(8, Math.round(Math.sqrt((kib * 1024) / 3)));
  const raw = randomBytes((side * 3 + 1) * side);
  for (let y = 0; y < side; y++) raw[y * (side * 3 + 1)] = 0;
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(side, 0);
  ihdr.writeUInt32BE(side, 4);
  ihdr[8] = 8;
  ihdr[9] = 2;
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk("IHDR", ihdr), ...extra, chunk("IDAT", deflateSync(raw, { level: 1 })), chunk("IEND", Buffer.alloc(0))]);
}

/** A JPEG of random pixels, encoded by libjpeg (sharp); `progressive`: several scans with tables between them. */
async function noiseJpeg(side: number, progressive: boolean): Promise<Buffer> {
  return sharp(randomBytes(side * side * 3), { raw: { width: side, height: side, channels: 3 } }).jpeg({ quality: 100, progressive, chromaSubsampling: "4:4:4" }).toBuffer();
}

/** A JPEG built by hand around `ecs` (entropy-coded data, 0xFF stuffed), with segments before EOI after the scan. */
function handJpeg(ecs: Buffer, { afterScan = Buffer.alloc(0) } = {}): Buffer {
  const stuffed: number[] = [];
  for (let i = 0; i < ecs.length; i++) {
    stuffed.push(ecs[i]);
    if (ecs[i] === 0xff) stuffed.push(0);
    // A restart marker (RST0–7) every 4 KiB: part of the scan, not a segment.
    if (i % 4096 === 4095) stuffed.push(0xff, 0xd0 + ((i >> 12) % 8));
  }
  const sof = Buffer.from([0xff, 0xc0, 0x00, 0x11, 0x08, 0, 64, 0, 64, 0x03, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]);
  const sos = Buffer.from([0xff, 0xda, 0x00, 0x0c, 0x03, 1, 0, 2, 0x11, 3, 0x11, 0, 0x3f, 0]);
  return Buffer.concat([Buffer.from([0xff, 0xd8]), sof, sos, Buffer.from(stuffed), afterScan, Buffer.from([0xff, 0xd9])]);
}

const segment = (marker: number, body: string) => Buffer.concat([Buffer.from([0xff, marker, (body.length + 2) >> 8, (body.length + 2) & 255]), Buffer.from(body, "latin1")]);

describe("noisy logos are accepted: pixel data is not scanned for markup", () => {
  test("random-noise PNGs of 12 to 260 KiB all pass", () => {
    const sizes = [12, 16, 24, 32, 40, 48, 48, 48, 64, 80, 96, 100, 100, 128, 160, 192, 224, 260];
    for (const kib of sizes) {
      for (let i = 0; i < 3; i++) {
        const bytes = noisePng(kib);
        assert.doesNotThrow(() => checkBrandImage(bytes), `a ${Math.round(bytes.length / 1024)} KiB noise PNG`);
      }
    }
  });
  test("random-noise JPEGs of 12 to 260 KiB (baseline and progressive, libjpeg) all pass", async () => {
    const seen: number[] = [];
    for (const side of [64, 90, 120, 160, 200, 240, 270, 300, 64, 120, 200, 300]) {
      for (const progressive of [false, true]) {
        const bytes = await noiseJpeg(side, progressive);
        seen.push(bytes.length);
        assert.doesNotThrow(() => checkBrandImage(bytes), `a ${Math.round(bytes.length / 1024)} KiB noise JPEG (${progressive ? "progressive" : "baseline"})`);
      }
    }
    assert.ok(Math.min(...seen) <= 16 * 1024 && Math.max(...seen) >= 240 * 1024 && Math.max(...seen) <= 300 * 1024, `sizes ${seen.map((n) => Math.round(n / 1024))} KiB span 12 to 260`);
  });
  test("hand-built JPEGs whose scan data is random bytes (restart markers, stuffed 0xFF) all pass", () => {
    for (const kib of [12, 48, 100, 180, 260]) {
      for (let i = 0; i < 4; i++) {
        assert.doesNotThrow(() => checkBrandImage(handJpeg(randomBytes(kib * 1024))), `${kib} KiB`);
      }
    }
  });
  test("the bytes that made the audit's files fail are still fine inside pixel data", () => {
    const ecs = Buffer.from("...<%...<a ...<%=x%>...", "latin1");
    assert.doesNotThrow(() => checkBrandImage(handJpeg(ecs)));
  });
});

describe("polyglots outside the pixel data are still refused", () => {
  test("a noisy PNG with markup in a compressed text chunk (zTXt) or an international one (iTXt)", () => {
    const z = chunk("zTXt", Buffer.concat([Buffer.from("Comment\0\0", "latin1"), deflateSync(Buffer.from("<script>alert(1)</script>"))]));
    rejected(noisePng(48, [z]), /polyglot/);
    const i = chunk("iTXt", Buffer.concat([Buffer.from("Comment\0\x01\0en\0\0", "latin1"), deflateSync(Buffer.from("<% eval(request) %>"))]));
    rejected(noisePng(48, [i]), /polyglot/);
    rejected(noisePng(20, [chunk("iTXt", Buffer.from("Comment\0\0\0\0\0<a href=x>", "latin1"))]), /polyglot/);
  });
  test("a noisy PNG with HTML in eXIf or a private chunk, or after IEND", () => {
    rejected(noisePng(48, [chunk("eXIf", Buffer.from("MM\0*<html><body>x</body></html>", "latin1"))]), /polyglot/);
    rejected(noisePng(48, [chunk("prVt", Buffer.from("%PDF-1.7 hidden", "latin1"))]), /polyglot/);
    rejected(Buffer.concat([noisePng(48), Buffer.from("<html><script>alert(1)</script>")]), /data after its end/);
  });
  test("a PNG with an unknown critical chunk is refused", () => rejected(png(4, 4, { extra: [chunk("ZZZZ", Buffer.from("x"))] }), /viewers cannot read/));
  test("a JPEG with markup in APP1 or a comment, before or after the scan, or HTML after EOI", () => {
    const ecs = randomBytes(48 * 1024);
    rejected(Buffer.concat([Buffer.from([0xff, 0xd8]), segment(0xe1, "Exif\0\0<svg onload=alert(1)>"), handJpeg(ecs).subarray(2)]), /polyglot/);
    rejected(handJpeg(ecs, { afterScan: segment(0xfe, "<% run %>") }), /polyglot/);
    rejected(handJpeg(ecs, { afterScan: segment(0xe5, "<iframe src=x>") }), /polyglot/);
    rejected(Buffer.concat([handJpeg(ecs), Buffer.from("<html><script>alert(1)</script>")]), /end marker/);
    rejected(handJpeg(ecs).subarray(0, 30 * 1024), /truncated|damaged/);
  });
});

describe("crafted headers and metadata are refused, not crashed on", () => {
  test("a JPEG whose size header (SOF) is shorter than its fields: 'The JPEG is damaged.', never a RangeError", () => {
    // Length 2 right before EOI: the height and width would be read past the end of the file.
    rejected(Buffer.from([0xff, 0xd8, 0xff, 0xc0, 0x00, 0x02, 0xff, 0xd9]), /^The JPEG is damaged\.$/);
    // Length 5: the width would be read from the next segment's bytes.
    const short = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xc2, 0x00, 0x05, 0x08, 0x00, 0x40]), segment(0xfe, "xyz"), Buffer.from([0xff, 0xd9])]);
    rejected(short, /^The JPEG is damaged\.$/);
    // Length 7: height and width inside, the component count missing.
    rejected(Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xc0, 0x00, 0x07, 0x08, 0x00, 0x40, 0x00, 0x40]), Buffer.from([0xff, 0xd9])]), /^The JPEG is damaged\.$/);
  });
  test("a PNG whose compressed text chunks inflate to more than 2 MiB in all is refused; under it passes", () => {
    const text = (kib: number) => chunk("zTXt", Buffer.concat([Buffer.from("Comment\0\0", "latin1"), deflateSync(Buffer.alloc(kib * 1024, "a"))]));
    const itext = (kib: number) => chunk("iTXt", Buffer.concat([Buffer.from("Comment\0\x01\0en\0\0", "latin1"), deflateSync(Buffer.alloc(kib * 1024, "b"))]));
    assert.doesNotThrow(() => checkBrandImage(png(4, 4, { extra: [text(900), itext(900)] })), "1.8 MiB in all");
    rejected(png(4, 4, { extra: [text(1000), itext(1000), text(100)] }), /more than 2 MiB of text in all/);
    // Many small chunks, each far under 1 MiB: counted together.
    rejected(png(4, 4, { extra: Array.from({ length: 40 }, () => text(64)) }), /more than 2 MiB of text in all/);
    rejected(png(4, 4, { extra: [text(1025)] }), /does not open \(or is over 1 MiB\)/);
  });
});

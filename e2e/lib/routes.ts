// Every page and route handler under app/, read from the filesystem, with the
// host it answers on and its public path pattern, so the attack matrix and the
// route fuzzer cover a route the day it is added (or fail until it is listed).
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";

export type Area = "console" | "tenant" | "shared" | "internal";

export interface AppRoute {
  /** "console /customers/[slug] page": the key the expectation tables use. */
  key: string;
  area: Area;
  /** The path a client asks for on that host, with its dynamic segments as in the folder names. */
  pattern: string;
  kind: "page" | "route";
  file: string;
  /** Route handlers: the HTTP methods they export. */
  methods: string[];
}

const APP = path.join(process.cwd(), "app");
// Paths every portal host serves as they are (proxy.ts SHARED_PREFIXES).
const SHARED = ["/api/auth", "/api/v1", "/api-docs", "/signin", "/invite", "/account", "/brand-asset", "/handoff", "/api/tls"];

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? walk(full) : [full];
  });
}

export function appRoutes(): AppRoute[] {
  const out: AppRoute[] = [];
  for (const file of walk(APP)) {
    const relFile = path.relative(APP, file).split(path.sep).join("/");
    const m = /^(?:(.*)\/)?(page|route)\.(tsx|ts|jsx|js)$/.exec(relFile);
    if (!m) continue;
    const rel = m[1] ?? "";
    const kind = m[2] as "page" | "route";
    // Route groups "(x)" are not part of the URL.
    const segments = rel.split("/").filter((s) => s && !/^\(.*\)$/.test(s));
    let area: Area;
    let pattern: string;
    if (segments[0] === "console") {
      area = "console";
      pattern = `/${segments.slice(1).join("/")}`;
    } else if (segments[0] === "t" && segments[1] === "[tenant]") {
      area = "tenant";
      pattern = `/${segments.slice(2).join("/")}`;
    } else {
      pattern = `/${segments.join("/")}`;
      area = SHARED.some((p) => pattern === p || pattern.startsWith(`${p}/`)) ? "shared" : "internal";
    }
    const source = kind === "route" ? readFileSync(file, "utf8") : "";
    const methods = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"].filter((v) =>
      new RegExp(`export\\s+(async\\s+function\\s+${v}\\b|const\\s+${v}\\b|\\{[^}]*\\b${v}\\b[^}]*\\})`).test(source),
    );
    out.push({ key: `${area} ${pattern} ${kind}`, area, pattern, kind, file: path.relative(process.cwd(), file), methods });
  }
  return out.sort((a, b) => a.key.localeCompare(b.key));
}

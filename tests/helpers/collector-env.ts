// What the collector tests run against: the portal's real API gateway
// (lib/api/gateway with the routes of lib/api/routes.ts) behind a real local
// HTTP server, so the collector talks HTTP with a real key; and the collector
// itself as a child process (`node --import tsx scripts/collector.ts`), with
// its stdout/stderr kept line by line.
import { spawn, type ChildProcess } from "node:child_process";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { apiHandler } from "@/lib/api/gateway";
import { API_ROUTES } from "@/lib/api/routes";

export interface ApiServer {
  url: string;
  /** Requests seen, by method and path. */
  seen: { method: string; path: string; status: number }[];
  close(): Promise<void>;
}

/** The gateway as Next's route handler would run it, on 127.0.0.1. */
export async function startApiServer(): Promise<ApiServer> {
  const handler = apiHandler(API_ROUTES);
  const seen: ApiServer["seen"] = [];
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers.set(k, v);
    const body = chunks.length && req.method !== "GET" && req.method !== "HEAD" ? Buffer.concat(chunks) : undefined;
    const response = await handler(new Request(`http://${req.headers.host}${req.url}`, { method: req.method, headers, body }));
    seen.push({ method: req.method ?? "", path: (req.url ?? "").split("?")[0], status: response.status });
    const out: Record<string, string> = {};
    response.headers.forEach((v, k) => (out[k] = v));
    res.writeHead(response.status, out).end(Buffer.from(await response.arrayBuffer()));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export interface CollectorRun {
  child: ChildProcess;
  lines: string[];
  /** Parsed JSON log lines (pino). */
  events(): Record<string, any>[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  waitFor(pred: (e: Record<string, any>) => boolean, timeoutMs?: number): Promise<Record<string, any>>;
}

export function startCollector(args: string[], env: Record<string, string>): CollectorRun {
  const child = spawn(process.execPath, ["--import", "tsx", "scripts/collector.ts", ...args], {
    env: { ...process.env, LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: string[] = [];
  const waiters: (() => void)[] = [];
  const onData = (buf: Buffer, carry: { rest: string }) => {
    const text = carry.rest + buf.toString("utf8");
    const parts = text.split("\n");
    carry.rest = parts.pop() ?? "";
    lines.push(...parts.filter(Boolean));
    waiters.forEach((w) => w());
  };
  const out = { rest: "" };
  const err = { rest: "" };
  child.stdout!.on("data", (b: Buffer) => onData(b, out));
  child.stderr!.on("data", (b: Buffer) => onData(b, err));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on("exit", (code, signal) => {
      for (const c of [out, err]) if (c.rest) lines.push(c.rest);
      waiters.forEach((w) => w());
      resolve({ code, signal });
    }),
  );
  const events = () =>
    lines.flatMap((l) => {
      try {
        return [JSON.parse(l) as Record<string, any>];
      } catch {
        return [];
      }
    });
  const waitFor = (pred: (e: Record<string, any>) => boolean, timeoutMs = 30_000) =>
    new Promise<Record<string, any>>((resolve, reject) => {
      const check = () => {
        const hit = events().find(pred);
        if (hit) {
          clearTimeout(timer);
          resolve(hit);
        } else if (child.exitCode !== null || child.signalCode !== null) {
          clearTimeout(timer);
          reject(new Error(`collector exited before the awaited log line:\n${lines.slice(-30).join("\n")}`));
        }
      };
      const timer = setTimeout(() => reject(new Error(`timed out waiting for a log line:\n${lines.slice(-30).join("\n")}`)), timeoutMs);
      waiters.push(check);
      check();
    });
  return { child, lines, events, exited, waitFor };
}

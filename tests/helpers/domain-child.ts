// A second app process for tests/domains-verify.test.ts: resolves hosts with
// lib/domains/resolve.ts (its own lib/cache copy and listener), one JSON
// command a line on stdin, one JSON answer a line on stdout.
import { createInterface } from "node:readline";
import { tenantSlugForDomain, primaryDomainFor } from "@/lib/domains/resolve";
import { startCacheListener } from "@/lib/cache/listener";

const listener = startCacheListener({ retryMs: 100 });

type Cmd = { op: "resolve"; host: string } | { op: "primary"; slug: string } | { op: "quit" };

async function handle(cmd: Cmd): Promise<unknown> {
  switch (cmd.op) {
    case "resolve":
      return { slug: await tenantSlugForDomain(cmd.host) };
    case "primary":
      return { domain: await primaryDomainFor(cmd.slug) };
    case "quit":
      await listener.stop();
      process.stdout.write(JSON.stringify({ ok: true }) + "\n");
      process.exit(0);
  }
}

void listener.ready.then(() => {
  process.stdout.write(JSON.stringify({ ready: true }) + "\n");
  createInterface({ input: process.stdin }).on("line", (line) => {
    handle(JSON.parse(line) as Cmd).then(
      (r) => process.stdout.write(JSON.stringify(r) + "\n"),
      (e: unknown) => process.stdout.write(JSON.stringify({ error: String(e) }) + "\n"),
    );
  });
});

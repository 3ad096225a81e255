// A second app process for tests/cache-eviction.test.ts: its own cache and
// its own listener, driven over stdin one JSON command a line, answering one
// JSON line each on stdout. Reads/writes the probe table on DATABASE_URL.
import { createInterface } from "node:readline";
import pg from "pg";
import { notifyCacheEviction, sharedCache } from "@/lib/cache";
import { startCacheListener } from "@/lib/cache/listener";

const url = process.env.DATABASE_URL!;
const cache = sharedCache<string>("probe", { ttlMs: 60_000, maxEntries: 100 });
const listener = startCacheListener({ url, retryMs: 100, applicationName: `cache-test:${process.env.CACHE_CHILD}` });
const pool = new pg.Pool({ connectionString: url, max: 2 });

type Cmd = { op: "get"; key: string } | { op: "write"; key: string; value: string; rollback?: boolean; notify?: boolean } | { op: "status" } | { op: "quit" };

async function handle(cmd: Cmd): Promise<unknown> {
  switch (cmd.op) {
    case "get": {
      let loaded = false;
      const value = await cache.getOrLoad(cmd.key, async () => {
        loaded = true;
        const r = await pool.query<{ v: string }>("select v from cache_probe where k = $1", [cmd.key]);
        return r.rows[0]?.v ?? "";
      });
      return { value, loaded };
    }
    case "write": {
      const c = await pool.connect();
      try {
        await c.query("begin");
        await c.query("insert into cache_probe (k, v) values ($1, $2) on conflict (k) do update set v = excluded.v", [cmd.key, cmd.value]);
        if (cmd.notify !== false) await notifyCacheEviction(c, "probe", cmd.key);
        await c.query(cmd.rollback ? "rollback" : "commit");
      } finally {
        c.release();
      }
      return { ok: true };
    }
    case "status":
      return { connected: listener.connected, size: cache.size };
    case "quit":
      await listener.stop();
      await pool.end();
      process.stdout.write(JSON.stringify({ ok: true }) + "\n");
      process.exit(0);
  }
}

void listener.ready.then(() => {
  process.stdout.write(JSON.stringify({ ready: true, pid: process.pid }) + "\n");
  const rl = createInterface({ input: process.stdin });
  rl.on("line", (line) => {
    handle(JSON.parse(line) as Cmd).then(
      (r) => process.stdout.write(JSON.stringify(r) + "\n"),
      (e: unknown) => process.stdout.write(JSON.stringify({ error: String(e) }) + "\n"),
    );
  });
});
